// Limits of the ingress's own request path; the values live in core's one defaults module
// (DEFAULTS.ingress, see there why each is what it is). Each is overridable through IngressOptions / env.
import { DEFAULTS } from '@steward/core';

export const INGRESS_LIMITS = DEFAULTS.ingress;
