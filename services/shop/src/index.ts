export { startShop, type StartShopOptions, type RunningShop } from './server.ts';
