export { startShop, type StartShopOptions, type RunningShop } from './server.ts';
export { ShopConfigError, SHOP_MODES, type ShopMode } from './shop-access.ts';
