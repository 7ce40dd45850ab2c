// Word lists of the simulated policy model: Mandarin ↔ English terms for the reference
// catalog, order statuses and variant options. Hand-written for this test double; they let a
// Mandarin request reach an English catalog and let answers name things in the customer's language.

/** Product types of the reference catalog, English name → Mandarin name. */
export const PRODUCT_ZH: Readonly<Record<string, string>> = {
  'Electric Kettle': '电热水壶',
  'Mechanical Keyboard': '机械键盘',
  'Vacuum Cleaner': '吸尘器',
  Smartphone: '智能手机',
  'Jigsaw Puzzle': '拼图',
  Skateboard: '滑板',
  'Wall Clock': '挂钟',
  Backpack: '背包',
  'LED Light Bulb': 'LED灯泡',
  'Pet Bed': '宠物床',
  Notebook: '笔记本',
  'Indoor Security Camera': '室内监控摄像头',
  'Action Camera': '运动相机',
  'E-Reader': '电子阅读器',
  'Air Purifier': '空气净化器',
  'T-Shirt': 'T恤',
  Laptop: '笔记本电脑',
  'Running Shoes': '跑鞋',
  'Coffee Maker': '咖啡机',
  'Water Bottle': '水瓶',
  'Desk Lamp': '台灯',
  Sunglasses: '太阳镜',
  Wristwatch: '手表',
  'Electric Toothbrush': '电动牙刷',
  'Yoga Mat': '瑜伽垫',
  'Bluetooth Speaker': '蓝牙音箱',
  'Gaming Mouse': '游戏鼠标',
  'Garden Hose': '花园水管',
  'Hiking Boots': '登山靴',
  Tablet: '平板电脑',
  'Portable Charger': '充电宝',
  'Wireless Earbuds': '无线耳机',
  'Smart Thermostat': '智能温控器',
  'Fleece Jacket': '抓绒夹克',
  'Dumbbell Set': '哑铃套装',
  'Espresso Machine': '意式咖啡机',
  'Cycling Helmet': '骑行头盔',
  'Digital Camera': '数码相机',
  Bookshelf: '书架',
  Bicycle: '自行车',
  Sneakers: '运动鞋',
  'Office Chair': '办公椅',
  'Smart Watch': '智能手表',
  'Tea Kettle': '茶壶',
  'Luggage Set': '行李箱套装',
  'Patio Umbrella': '庭院伞',
  'Makeup Kit': '化妆套装',
  Grill: '烤架',
  Headphones: '头戴式耳机',
  Perfume: '香水',
};

/** Shorter Mandarin words customers use for a product type, → an English search word. */
const ZH_SEARCH_ALIASES: Readonly<Record<string, string>> = {
  耳机: 'headphones',
  蓝牙耳机: 'earbuds',
  键盘: 'keyboard',
  鼠标: 'mouse',
  手机: 'smartphone',
  相机: 'camera',
  摄像头: 'camera',
  鞋: 'shoes',
  水壶: 'kettle',
  水杯: 'water bottle',
  杯子: 'water bottle',
  灯: 'lamp',
  椅子: 'chair',
  咖啡: 'coffee',
  手表: 'watch',
  音箱: 'speaker',
  电脑: 'laptop',
  平板: 'tablet',
  夹克: 'jacket',
  头盔: 'helmet',
  行李箱: 'luggage',
  伞: 'umbrella',
};

/** Longest Mandarin term contained in `text` → its English search word, or undefined. */
export function englishSearchTerm(text: string): string | undefined {
  const pairs: [string, string][] = [
    ...Object.entries(PRODUCT_ZH).map(([en, zh]): [string, string] => [zh, en.toLowerCase()]),
    ...Object.entries(ZH_SEARCH_ALIASES),
  ];
  pairs.sort((a, b) => b[0].length - a[0].length);
  return pairs.find(([zh]) => text.includes(zh))?.[1];
}

/** Name shown to the customer: Mandarin answers add the Mandarin name when we know it. */
export function productLabel(name: string, lang: 'en' | 'zh'): string {
  const zh = PRODUCT_ZH[name];
  return lang === 'zh' && zh ? `${name}（${zh}）` : name;
}

export const STATUS_ZH: Readonly<Record<string, string>> = {
  pending: '待处理',
  processed: '已处理',
  delivered: '已送达',
  cancelled: '已取消',
  'pending (item modified)': '待处理（商品已修改）',
  'return requested': '已申请退货',
  'exchange requested': '已申请换货',
};

/** "已处理 (processed)" in Mandarin, the status itself in English. */
export function statusLabel(status: string, lang: 'en' | 'zh'): string {
  if (lang === 'en') return status;
  const zh = STATUS_ZH[status];
  return zh ? `${zh} (${status})` : status;
}

/** Mandarin words for variant option values (colours, materials, sizes) → English values. */
export const OPTION_ZH: Readonly<Record<string, string>> = {
  红色: 'red',
  蓝色: 'blue',
  黑色: 'black',
  白色: 'white',
  绿色: 'green',
  银色: 'silver',
  灰色: 'gray',
  黄色: 'yellow',
  粉色: 'pink',
  紫色: 'purple',
  金色: 'gold',
  棕色: 'brown',
  橙色: 'orange',
  玻璃: 'glass',
  塑料: 'plastic',
  不锈钢: 'stainless steel',
  金属: 'metal',
  皮革: 'leather',
  木质: 'wood',
  无线: 'wireless',
  有线: 'wired',
  大号: 'large',
  中号: 'medium',
  小号: 'small',
};

/** The customer's text with Mandarin option words followed by their English value. */
export function withEnglishOptionWords(text: string): string {
  let out = text.toLowerCase();
  for (const [zh, en] of Object.entries(OPTION_ZH)) if (text.includes(zh)) out += ` ${en}`;
  return out;
}
