import { Queue } from 'bullmq';
import { QUEUES } from '@steward/core';
import { createKeys, createRedis } from '@steward/store';
import { createAdmission, type Admit, type AdmissionOptions } from './create-admission.ts';

/**
 * `createAdmission` with its own Redis connection and reasoning-queue handle, for wiring
 * before the ingress exists: `admit: (await startAdmission({redisUrl, prefix, …})).admit`.
 */
export async function startAdmission(
  o: { redisUrl: string; prefix: string } & Omit<AdmissionOptions, 'queues'>,
): Promise<{ admit: Admit; close(): Promise<void> }> {
  const redis = createRedis(o.redisUrl);
  const reasoning = new Queue(QUEUES.reasoning, { connection: redis, prefix: o.prefix });
  const admit = createAdmission(redis, createKeys(o.prefix), { ...o, queues: { reasoning } });
  return {
    admit,
    async close() {
      await reasoning.close();
      redis.disconnect();
    },
  };
}
