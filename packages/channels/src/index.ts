// Messaging channels for the ingress: platform adapters (plugins), signature checks, outbound
// delivery (a worker role), admission control (the ingress `admit` hook), hardened input and
// the web chat. See README.md for wiring and platform set-up.
export { channelRoutes, type ChannelRoutesOptions } from './adapters/channel-routes.ts';
export { hardenInput, type HardenOptions } from './input/harden-input.ts';
export { webChat, type WebChatOptions } from './web-chat/web-chat.ts';
export { staticPage, PAGE_CSP } from './web-chat/static-page.ts';
export { createAdmission, customerOf, type Admit, type Admission, type AdmissionOptions, type BucketSpec, type BacklogSource } from './admission/create-admission.ts';
export { startAdmission } from './admission/start-admission.ts';
export { startDeliveryWorker, deliveryRole, type DeliveryWorkerOptions, type RunningDeliveryWorker } from './delivery/start-delivery-worker.ts';
export { deliveryStats, listDeadDeliveries, renderDeliveryMetrics, type DeadDelivery, type DeliveryStats } from './delivery/delivery-records.ts';
export { DeliveryError } from './delivery/delivery-error.ts';
export { channelsConfigFromEnv, parsePairs, ChannelsEnv, type ChannelsConfig } from './config.ts';
export { CHANNEL_LIMITS, DEFAULT_API_BASES } from './constants.ts';
export { channelKeys, type ChannelKeys } from './keys.ts';
export { signSlack, verifySlack } from './verify/slack.ts';
export { signMeta, verifyMeta, verifyMetaHandshake } from './verify/meta.ts';
export { verifyTelegram } from './verify/telegram.ts';
export { signWebhook, verifyWebhook } from './verify/webhook.ts';
export type { Verdict, VerifyCode } from './verify/verdict.ts';
export { checkJsonShape } from './input/json-shape.ts';
export { channelPluginsFromEnv, admissionOptionsFromEnv, ChannelsIngressEnv } from './from-env.ts';
