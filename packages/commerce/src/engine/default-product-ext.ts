// Extensions for a catalog loaded without any (e.g. the τ-bench files): Chinese names for the
// common product types, a category, and weights. Our own translations and guesses.
import { CATEGORIES } from '../catalog/vocabulary.ts';
import { hashUnit } from './hash.ts';
import type { Product, ProductExt } from './types.ts';

const KNOWN: Record<string, [zh: string, category: string, kg: number]> = {
  'T-Shirt': ['T恤', 'apparel', 0.2],
  Laptop: ['笔记本电脑', 'electronics', 1.8],
  'Running Shoes': ['跑鞋', 'sports', 0.8],
  Smartphone: ['智能手机', 'electronics', 0.3],
  Backpack: ['双肩包', 'bags', 0.9],
  'Coffee Maker': ['咖啡机', 'kitchen', 3.2],
  'Water Bottle': ['水杯', 'sports', 0.4],
  'Desk Lamp': ['台灯', 'home', 1.2],
  Notebook: ['笔记本', 'office', 0.3],
  Sunglasses: ['太阳镜', 'accessories', 0.1],
  Wristwatch: ['手表', 'accessories', 0.15],
  'Electric Toothbrush': ['电动牙刷', 'beauty', 0.3],
  'Yoga Mat': ['瑜伽垫', 'sports', 1.1],
  'Bluetooth Speaker': ['蓝牙音箱', 'electronics', 0.7],
  'Gaming Mouse': ['游戏鼠标', 'electronics', 0.12],
  'Action Camera': ['运动相机', 'electronics', 0.2],
  'Garden Hose': ['园艺水管', 'garden', 2.5],
  'Hiking Boots': ['登山靴', 'sports', 1.3],
  Tablet: ['平板电脑', 'electronics', 0.5],
  'E-Reader': ['电子阅读器', 'electronics', 0.2],
  'Portable Charger': ['充电宝', 'electronics', 0.3],
  'Indoor Security Camera': ['室内监控摄像头', 'electronics', 0.3],
  'Electric Kettle': ['电热水壶', 'kitchen', 1.2],
  'Mechanical Keyboard': ['机械键盘', 'electronics', 1.0],
  'Wireless Earbuds': ['无线耳机', 'electronics', 0.1],
  'Smart Thermostat': ['智能温控器', 'home', 0.4],
  'Fleece Jacket': ['抓绒夹克', 'apparel', 0.6],
  'Wall Clock': ['挂钟', 'home', 0.8],
  'Dumbbell Set': ['哑铃套装', 'sports', 15],
  'Pet Bed': ['宠物床', 'pets', 1.5],
  'Espresso Machine': ['意式咖啡机', 'kitchen', 6],
  'Cycling Helmet': ['骑行头盔', 'sports', 0.4],
  'LED Light Bulb': ['LED灯泡', 'home', 0.1],
  'Digital Camera': ['数码相机', 'electronics', 0.6],
  Bookshelf: ['书架', 'home', 18],
  Bicycle: ['自行车', 'sports', 12],
  Sneakers: ['运动鞋', 'apparel', 0.8],
  'Office Chair': ['办公椅', 'home', 14],
  'Smart Watch': ['智能手表', 'electronics', 0.1],
  'Tea Kettle': ['茶壶', 'kitchen', 1.0],
  'Luggage Set': ['行李箱套装', 'bags', 9],
  'Patio Umbrella': ['庭院遮阳伞', 'garden', 7],
  'Air Purifier': ['空气净化器', 'home', 6],
  'Makeup Kit': ['化妆套装', 'beauty', 0.8],
  Skateboard: ['滑板', 'sports', 3],
  'Jigsaw Puzzle': ['拼图', 'toys', 0.7],
  Grill: ['烤架', 'garden', 20],
  Headphones: ['头戴式耳机', 'electronics', 0.3],
  'Vacuum Cleaner': ['吸尘器', 'home', 5],
  Perfume: ['香水', 'beauty', 0.3],
};

/** English option value → Chinese, from the generator's vocabulary (colors, sizes, materials…). */
const OPTION_ZH = new Map<string, string>();
for (const c of CATEGORIES) for (const k of c.kinds) for (const d of k.dims) for (const [en, zh] of d.values) if (!OPTION_ZH.has(en.toLowerCase())) OPTION_ZH.set(en.toLowerCase(), zh);

function optionsZh(options: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) {
    const zh = OPTION_ZH.get(v.toLowerCase());
    if (zh !== undefined) out[k] = zh;
  }
  return out;
}

export function defaultProductExt(p: Product): ProductExt {
  const known = KNOWN[p.name];
  const baseKg = known?.[2] ?? 1;
  const variants: ProductExt['variants'] = {};
  for (const [id, v] of Object.entries(p.variants)) {
    const kg = Math.round(baseKg * (0.85 + hashUnit(id) * 0.3) * 1000) / 1000;
    variants[id] = { weight_kg: kg, options_zh: optionsZh(v.options) };
  }
  return {
    name_zh: known?.[0] ?? p.name,
    description: `${p.name} (${Object.keys(p.variants).length} variants).`,
    description_zh: `${known?.[0] ?? p.name}（${Object.keys(p.variants).length} 个款式）。`,
    brand: 'Steward Basics',
    category: known?.[1] ?? 'general',
    variants,
  };
}
