// Words of the generated catalog, in English and Chinese. Every brand is invented.

/** [English, Chinese] */
export type Pair = readonly [string, string];

export interface OptionDim {
  name: string;
  values: readonly Pair[];
  /** Relative price premium per value index (0 = none). */
  premium?: number;
}

export interface Kind {
  en: string;
  zh: string;
  dims: readonly OptionDim[];
  price: readonly [number, number];
  kg: number;
}

export interface Category {
  en: string;
  zh: string;
  kinds: readonly Kind[];
}

const COLOR: OptionDim = {
  name: 'color',
  values: [
    ['black', '黑色'], ['white', '白色'], ['gray', '灰色'], ['red', '红色'], ['blue', '蓝色'], ['navy', '藏青色'],
    ['green', '绿色'], ['olive', '橄榄绿'], ['pink', '粉色'], ['purple', '紫色'], ['beige', '米色'], ['yellow', '黄色'],
  ],
};
const SIZE: OptionDim = { name: 'size', values: [['XS', '特小号'], ['S', '小号'], ['M', '中号'], ['L', '大号'], ['XL', '加大号'], ['XXL', '特大号']] };
const SHOE: OptionDim = {
  name: 'size',
  values: [['6', '36码'], ['7', '37码'], ['8', '39码'], ['9', '40码'], ['10', '42码'], ['11', '43码'], ['12', '45码']],
};
const FABRIC: OptionDim = { name: 'material', values: [['cotton', '棉'], ['linen', '亚麻'], ['polyester', '涤纶'], ['wool', '羊毛'], ['bamboo fiber', '竹纤维']] };
const STORAGE: OptionDim = { name: 'storage', values: [['64GB', '64GB'], ['128GB', '128GB'], ['256GB', '256GB'], ['512GB', '512GB'], ['1TB', '1TB']], premium: 0.18 };
const CAPACITY: OptionDim = { name: 'capacity', values: [['350ml', '350毫升'], ['500ml', '500毫升'], ['750ml', '750毫升'], ['1000ml', '1000毫升'], ['1500ml', '1500毫升']], premium: 0.08 };
const FINISH: OptionDim = { name: 'finish', values: [['matte', '哑光'], ['glossy', '亮面'], ['brushed', '拉丝'], ['textured', '磨砂']] };
const BUNDLE: OptionDim = { name: 'bundle', values: [['standard', '标准版'], ['with case', '带保护套'], ['gift box', '礼盒装'], ['family pack', '家庭装']], premium: 0.12 };
const POWER: OptionDim = { name: 'power', values: [['battery', '电池供电'], ['USB-C', 'USB-C充电'], ['plug-in', '插电式']] };
const WOOD: OptionDim = { name: 'material', values: [['oak', '橡木'], ['walnut', '胡桃木'], ['pine', '松木'], ['bamboo', '竹'], ['metal', '金属'], ['glass', '玻璃']] };
const STEEL: OptionDim = { name: 'material', values: [['stainless steel', '不锈钢'], ['cast iron', '铸铁'], ['ceramic', '陶瓷'], ['aluminum', '铝合金'], ['glass', '玻璃']] };
const VOLUME: OptionDim = { name: 'volume', values: [['30ml', '30毫升'], ['50ml', '50毫升'], ['100ml', '100毫升'], ['200ml', '200毫升']], premium: 0.25 };
const SCENT: OptionDim = {
  name: 'scent',
  values: [['unscented', '无香'], ['lavender', '薰衣草'], ['citrus', '柑橘'], ['rose', '玫瑰'], ['sandalwood', '檀香'], ['green tea', '绿茶'], ['ocean', '海洋']],
};
const SKIN: OptionDim = { name: 'skin type', values: [['normal', '中性'], ['dry', '干性'], ['oily', '油性'], ['sensitive', '敏感肌']] };
const AGE: OptionDim = { name: 'age range', values: [['3-5', '3-5岁'], ['6-8', '6-8岁'], ['9-12', '9-12岁'], ['13+', '13岁以上']] };
const PIECES: OptionDim = { name: 'pieces', values: [['100', '100片'], ['300', '300片'], ['500', '500片'], ['1000', '1000片'], ['2000', '2000片']], premium: 0.15 };
const FORMAT: OptionDim = { name: 'format', values: [['paperback', '平装'], ['hardcover', '精装'], ['large print', '大字版'], ['boxed set', '套装']], premium: 0.3 };
const LANG: OptionDim = { name: 'language', values: [['English', '英文'], ['Chinese', '中文'], ['bilingual', '双语']] };
const WEIGHT: OptionDim = { name: 'weight', values: [['2kg', '2公斤'], ['5kg', '5公斤'], ['10kg', '10公斤'], ['15kg', '15公斤'], ['20kg', '20公斤']], premium: 0.35 };
const LENGTH: OptionDim = { name: 'length', values: [['10m', '10米'], ['15m', '15米'], ['20m', '20米'], ['30m', '30米']], premium: 0.2 };
const CONNECT: OptionDim = { name: 'connectivity', values: [['wired', '有线'], ['Bluetooth', '蓝牙'], ['2.4GHz wireless', '2.4G无线']], premium: 0.15 };
const SWITCH: OptionDim = { name: 'switch type', values: [['linear', '线性轴'], ['tactile', '段落轴'], ['clicky', '青轴']] };
const SCREEN: OptionDim = { name: 'screen size', values: [['11 inch', '11英寸'], ['13 inch', '13英寸'], ['14 inch', '14英寸'], ['15 inch', '15英寸'], ['16 inch', '16英寸']], premium: 0.12 };
const PET: OptionDim = { name: 'pet size', values: [['small', '小型'], ['medium', '中型'], ['large', '大型'], ['extra large', '特大型']], premium: 0.15 };

export const CATEGORIES: readonly Category[] = [
  {
    en: 'electronics',
    zh: '数码电子',
    kinds: [
      { en: 'Wireless Earbuds', zh: '无线耳机', dims: [COLOR, BUNDLE, POWER], price: [29, 249], kg: 0.1 },
      { en: 'Bluetooth Speaker', zh: '蓝牙音箱', dims: [COLOR, BUNDLE, FINISH], price: [25, 320], kg: 0.8 },
      { en: 'Smartphone', zh: '智能手机', dims: [COLOR, STORAGE, BUNDLE], price: [199, 1299], kg: 0.2 },
      { en: 'Laptop', zh: '笔记本电脑', dims: [SCREEN, STORAGE, COLOR], price: [449, 2499], kg: 1.7 },
      { en: 'Tablet', zh: '平板电脑', dims: [SCREEN, STORAGE, COLOR], price: [149, 1199], kg: 0.5 },
      { en: 'Gaming Mouse', zh: '游戏鼠标', dims: [COLOR, CONNECT, FINISH], price: [19, 159], kg: 0.12 },
      { en: 'Mechanical Keyboard', zh: '机械键盘', dims: [SWITCH, CONNECT, COLOR], price: [49, 289], kg: 1.0 },
      { en: 'Power Bank', zh: '充电宝', dims: [COLOR, CAPACITY, FINISH], price: [15, 120], kg: 0.35 },
      { en: 'Smart Watch', zh: '智能手表', dims: [COLOR, SIZE, BUNDLE], price: [79, 699], kg: 0.08 },
      { en: 'Headphones', zh: '头戴式耳机', dims: [COLOR, CONNECT, BUNDLE], price: [39, 549], kg: 0.3 },
    ],
  },
  {
    en: 'apparel',
    zh: '服装',
    kinds: [
      { en: 'T-Shirt', zh: 'T恤', dims: [COLOR, SIZE, FABRIC], price: [9, 59], kg: 0.2 },
      { en: 'Hoodie', zh: '连帽卫衣', dims: [COLOR, SIZE, FABRIC], price: [25, 120], kg: 0.6 },
      { en: 'Rain Jacket', zh: '防雨夹克', dims: [COLOR, SIZE, FINISH], price: [45, 260], kg: 0.5 },
      { en: 'Jeans', zh: '牛仔裤', dims: [COLOR, SIZE, FINISH], price: [29, 149], kg: 0.7 },
      { en: 'Sneakers', zh: '运动鞋', dims: [COLOR, SHOE, FABRIC], price: [39, 220], kg: 0.8 },
      { en: 'Wool Socks', zh: '羊毛袜', dims: [COLOR, SIZE, BUNDLE], price: [6, 35], kg: 0.1 },
    ],
  },
  {
    en: 'home',
    zh: '家居',
    kinds: [
      { en: 'Desk Lamp', zh: '台灯', dims: [COLOR, POWER, FINISH], price: [19, 180], kg: 1.2 },
      { en: 'Bookshelf', zh: '书架', dims: [WOOD, COLOR, SIZE], price: [59, 499], kg: 18 },
      { en: 'Throw Blanket', zh: '毛毯', dims: [COLOR, FABRIC, SIZE], price: [19, 140], kg: 1.1 },
      { en: 'Air Purifier', zh: '空气净化器', dims: [COLOR, SIZE, POWER], price: [79, 699], kg: 5.5 },
      { en: 'Wall Clock', zh: '挂钟', dims: [WOOD, COLOR, FINISH], price: [15, 160], kg: 0.9 },
      { en: 'Office Chair', zh: '办公椅', dims: [COLOR, FABRIC, SIZE], price: [89, 899], kg: 14 },
    ],
  },
  {
    en: 'kitchen',
    zh: '厨房用品',
    kinds: [
      { en: 'Electric Kettle', zh: '电热水壶', dims: [STEEL, CAPACITY, COLOR], price: [19, 160], kg: 1.2 },
      { en: 'Coffee Maker', zh: '咖啡机', dims: [COLOR, CAPACITY, FINISH], price: [39, 650], kg: 3.5 },
      { en: 'Frying Pan', zh: '平底锅', dims: [STEEL, SIZE, FINISH], price: [15, 210], kg: 1.4 },
      { en: 'Chef Knife', zh: '厨师刀', dims: [STEEL, SIZE, FINISH], price: [19, 260], kg: 0.3 },
      { en: 'Water Bottle', zh: '水杯', dims: [COLOR, CAPACITY, STEEL], price: [9, 59], kg: 0.4 },
      { en: 'Blender', zh: '料理机', dims: [COLOR, CAPACITY, POWER], price: [29, 450], kg: 3.8 },
    ],
  },
  {
    en: 'sports',
    zh: '运动户外',
    kinds: [
      { en: 'Yoga Mat', zh: '瑜伽垫', dims: [COLOR, SIZE, FINISH], price: [15, 130], kg: 1.1 },
      { en: 'Running Shoes', zh: '跑鞋', dims: [COLOR, SHOE, FINISH], price: [49, 260], kg: 0.7 },
      { en: 'Dumbbell Set', zh: '哑铃套装', dims: [WEIGHT, COLOR, FINISH], price: [25, 399], kg: 12 },
      { en: 'Hiking Backpack', zh: '登山包', dims: [COLOR, CAPACITY, SIZE], price: [35, 320], kg: 1.3 },
      { en: 'Cycling Helmet', zh: '骑行头盔', dims: [COLOR, SIZE, FINISH], price: [29, 260], kg: 0.4 },
      { en: 'Camping Tent', zh: '露营帐篷', dims: [COLOR, SIZE, FABRIC], price: [59, 699], kg: 3.2 },
    ],
  },
  {
    en: 'beauty',
    zh: '美妆个护',
    kinds: [
      { en: 'Face Cream', zh: '面霜', dims: [SKIN, VOLUME, SCENT], price: [9, 149], kg: 0.15 },
      { en: 'Perfume', zh: '香水', dims: [SCENT, VOLUME, BUNDLE], price: [25, 320], kg: 0.3 },
      { en: 'Electric Toothbrush', zh: '电动牙刷', dims: [COLOR, BUNDLE, POWER], price: [19, 240], kg: 0.3 },
      { en: 'Shampoo', zh: '洗发水', dims: [SCENT, VOLUME, SKIN], price: [5, 45], kg: 0.5 },
      { en: 'Hair Dryer', zh: '吹风机', dims: [COLOR, POWER, BUNDLE], price: [19, 399], kg: 0.7 },
    ],
  },
  {
    en: 'toys',
    zh: '玩具',
    kinds: [
      { en: 'Jigsaw Puzzle', zh: '拼图', dims: [PIECES, AGE, FINISH], price: [8, 49], kg: 0.7 },
      { en: 'Building Blocks', zh: '积木', dims: [PIECES, AGE, COLOR], price: [12, 199], kg: 1.0 },
      { en: 'Remote Control Car', zh: '遥控车', dims: [COLOR, AGE, POWER], price: [19, 220], kg: 1.2 },
      { en: 'Plush Bear', zh: '毛绒熊', dims: [COLOR, SIZE, AGE], price: [9, 79], kg: 0.4 },
      { en: 'Board Game', zh: '桌游', dims: [LANG, AGE, BUNDLE], price: [15, 89], kg: 1.1 },
    ],
  },
  {
    en: 'books',
    zh: '图书',
    kinds: [
      { en: 'Cookbook', zh: '菜谱', dims: [FORMAT, LANG, BUNDLE], price: [9, 59], kg: 0.9 },
      { en: 'Travel Guide', zh: '旅行指南', dims: [FORMAT, LANG, BUNDLE], price: [8, 45], kg: 0.5 },
      { en: 'Science Fiction Novel', zh: '科幻小说', dims: [FORMAT, LANG, BUNDLE], price: [7, 39], kg: 0.45 },
      { en: 'Picture Book', zh: '绘本', dims: [FORMAT, LANG, AGE], price: [6, 35], kg: 0.4 },
      { en: 'Notebook', zh: '笔记本', dims: [COLOR, SIZE, FINISH], price: [4, 29], kg: 0.3 },
    ],
  },
  {
    en: 'garden',
    zh: '园艺',
    kinds: [
      { en: 'Garden Hose', zh: '园艺水管', dims: [LENGTH, COLOR, STEEL], price: [19, 119], kg: 2.5 },
      { en: 'Patio Umbrella', zh: '庭院遮阳伞', dims: [COLOR, SIZE, FABRIC], price: [39, 320], kg: 7 },
      { en: 'Planter Pot', zh: '花盆', dims: [STEEL, COLOR, SIZE], price: [7, 89], kg: 1.5 },
    ],
  },
  {
    en: 'pets',
    zh: '宠物用品',
    kinds: [
      { en: 'Pet Bed', zh: '宠物床', dims: [PET, COLOR, FABRIC], price: [19, 189], kg: 1.5 },
      { en: 'Dog Leash', zh: '狗绳', dims: [PET, COLOR, LENGTH], price: [7, 49], kg: 0.2 },
      { en: 'Cat Tree', zh: '猫爬架', dims: [PET, COLOR, WOOD], price: [39, 299], kg: 9 },
    ],
  },
];

export const BRANDS: readonly Pair[] = [
  ['Nordvik', '诺维克'], ['Lumora', '露莫拉'], ['Kestrel & Co', '隼鸟'], ['Bramblewood', '荆木'], ['Aerolith', '艾洛'],
  ['Quillon', '奎隆'], ['Sunmere', '桑梅尔'], ['Tidewell', '潮井'], ['Orrin', '奥林'], ['Velmont', '维尔蒙'],
  ['Cobaltine', '钴蓝'], ['Harrowgate', '哈洛'], ['Pinecrest Goods', '松冠'], ['Zephyra', '泽菲拉'], ['Marlowe Works', '马洛'],
  ['Emberly', '余烬'], ['Frostline', '霜线'], ['Glimmer Bay', '微光湾'], ['Ironfern', '铁蕨'], ['Juniper Lane', '杜松巷'],
  ['Kobalt Peak', '钴峰'], ['Larkspur', '飞燕草'], ['Mistral Home', '米斯特拉'], ['Nimbus Nine', '云九'], ['Oakhaven', '橡港'],
  ['Palisade', '帕利塞德'], ['Quartzline', '石英线'], ['Riverstone', '河石'], ['Solenne', '索莲'], ['Thistledown', '蓟绒'],
];

export const MODIFIERS: readonly Pair[] = [
  ['Classic', '经典'], ['Ultralight', '超轻'], ['Pro', '专业版'], ['Compact', '便携'], ['Deluxe', '豪华'], ['Eco', '环保'],
  ['Smart', '智能'], ['Premium', '高端'], ['Everyday', '日常'], ['Travel', '旅行'], ['Heritage', '复古'], ['Urban', '都市'],
  ['Studio', '工作室'], ['Outdoor', '户外'], ['Essential', '基础'], ['Signature', '招牌'], ['Nova', '新星'], ['Summit', '巅峰'],
];

export const FEATURES: readonly Pair[] = [
  ['built to last for years of daily use', '经久耐用，适合日常使用'], ['easy to clean', '易于清洁'],
  ['lightweight and easy to carry', '轻巧便携'], ['backed by a two-year warranty', '享受两年质保'],
  ['designed with recycled materials', '采用可回收材料设计'], ['a favourite gift choice', '送礼佳选'],
  ['quiet and energy efficient', '静音节能'], ['comfortable for all-day use', '全天使用依然舒适'],
  ['water resistant', '防水'], ['fits small spaces', '节省空间'],
];

export const FIRST_NAMES: readonly string[] = [
  'Ava', 'Liam', 'Mia', 'Noah', 'Zoe', 'Ethan', 'Lena', 'Omar', 'Priya', 'Mateo', 'Hana', 'Felix', 'Ivy', 'Jonah', 'Kira',
  'Leo', 'Maya', 'Nico', 'Olive', 'Pablo', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wes', 'Ximena', 'Yara', 'Zane',
  'Aiden', 'Bella', 'Caleb', 'Daria', 'Elio', 'Fiona', 'Gabe', 'Hugo', 'Isla', 'Jude', 'Kai', 'Lucia', 'Milo', 'Nadia',
  'Oscar', 'Piper', 'Reza', 'Sofia', 'Theo', 'Uma', 'Victor', 'Wren', 'Yusuf', 'Anya', 'Bruno', 'Chloe', 'Dev', 'Elena',
  'Wei', 'Mei', 'Jun', 'Lan', 'Hao', 'Xin',
];

export const LAST_NAMES: readonly string[] = [
  'Almeida', 'Baker', 'Castillo', 'Dawson', 'Eriksen', 'Fischer', 'Gupta', 'Hartley', 'Ibarra', 'Jensen', 'Kowalski', 'Lindqvist',
  'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Quintero', 'Rossi', 'Sandoval', 'Tanaka', 'Ueda', 'Varga', 'Whitfield', 'Xu',
  'Yilmaz', 'Zhang', 'Abbott', 'Brennan', 'Chen', 'Delgado', 'Ellison', 'Farouk', 'Grant', 'Haddad', 'Iyer', 'Jovanovic',
  'Kim', 'Lopez', 'Mendes', 'Novak', "O'Neill", 'Park', 'Reyes', 'Suzuki', 'Tran', 'Vance', 'Wang', 'Li', 'Liu', 'Zhao',
];

export const STREETS: readonly string[] = [
  'Maple', 'Cedar', 'Elm', 'Willow', 'Lakeview', 'Hillcrest', 'Sunset', 'River', 'Highland', 'Meadow', 'Forest', 'Park',
  'Chestnut', 'Harbor', 'Spring', 'Orchard', 'Ridge', 'Birch', 'Magnolia', 'Juniper',
];
export const STREET_SUFFIXES: readonly string[] = ['Street', 'Avenue', 'Road', 'Lane', 'Drive', 'Court', 'Boulevard', 'Way'];

/** [city, state, zip prefix] */
export const CITIES: readonly (readonly [string, string, string])[] = [
  ['New York', 'NY', '100'], ['Brooklyn', 'NY', '112'], ['Boston', 'MA', '021'], ['Philadelphia', 'PA', '191'],
  ['Pittsburgh', 'PA', '152'], ['Baltimore', 'MD', '212'], ['Washington', 'DC', '200'], ['Richmond', 'VA', '232'],
  ['Charlotte', 'NC', '282'], ['Atlanta', 'GA', '303'], ['Miami', 'FL', '331'], ['Orlando', 'FL', '328'],
  ['Nashville', 'TN', '372'], ['Columbus', 'OH', '432'], ['Detroit', 'MI', '482'], ['Chicago', 'IL', '606'],
  ['Minneapolis', 'MN', '554'], ['Milwaukee', 'WI', '532'], ['St. Louis', 'MO', '631'], ['Kansas City', 'MO', '641'],
  ['Dallas', 'TX', '752'], ['Houston', 'TX', '770'], ['Austin', 'TX', '787'], ['San Antonio', 'TX', '782'],
  ['Denver', 'CO', '802'], ['Phoenix', 'AZ', '850'], ['Las Vegas', 'NV', '891'], ['Salt Lake City', 'UT', '841'],
  ['Los Angeles', 'CA', '900'], ['San Diego', 'CA', '921'], ['San Francisco', 'CA', '941'], ['San Jose', 'CA', '951'],
  ['Portland', 'OR', '972'], ['Seattle', 'WA', '981'], ['Honolulu', 'HI', '968'], ['Anchorage', 'AK', '995'],
];

export const CARD_BRANDS: readonly string[] = ['visa', 'mastercard', 'amex', 'discover'];
