export { startShop, type StartShopOptions, type RunningShop } from './server.ts';
export { ShopEnv, shopOptionsFromEnv } from './config.ts';
