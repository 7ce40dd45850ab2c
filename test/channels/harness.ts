// A real ingress (startIngress + the channels plugins) on a private Redis prefix, and what the
// channel tests ask of it: which queries exist and what was enqueued.
import { freePort } from '@steward/testing';
import { createQueues, createRedis } from '@steward/store';
import { startIngress, type IngressOptions, type RunningIngress } from '@steward/ingress';

// The root package does not list @steward/channels yet, so test/ reaches it by path.
export * as channels from '@steward/channels';

export const silentLog = { info() {}, warn() {}, error() {} };

export interface TestIngress {
  ingress: RunningIngress;
  url: string;
  redis: ReturnType<typeof createRedis>;
  /** Query records (`{prefix}:q:{id}` hashes) that exist. */
  queryIds(): Promise<string[]>;
  /** Every job of every steward queue on this prefix, whatever its state. */
  jobTotal(): Promise<number>;
  close(): Promise<void>;
}

export async function startTestIngress(
  redisUrl: string,
  prefix: string,
  o: { apiKeys?: string; plugins?: IngressOptions['plugins']; admit?: IngressOptions['admit']; bodyLimit?: number },
): Promise<TestIngress> {
  const ingress = await startIngress({
    redisUrl,
    prefix,
    port: await freePort(),
    host: '127.0.0.1',
    apiKeys: o.apiKeys ?? 'test-key',
    log: silentLog,
    debugTrace: (events) => ({ events }),
    metrics: async () => '',
    ...(o.plugins ? { plugins: o.plugins } : {}),
    ...(o.admit ? { admit: o.admit } : {}),
    ...(o.bodyLimit ? { bodyLimit: o.bodyLimit } : {}),
  });
  const redis = createRedis(redisUrl);
  const qs = createQueues(redis, prefix);
  const queues = [qs.reasoning, qs.control, qs.tools, qs.deliveries, qs.handoff];
  return {
    ingress,
    url: ingress.url,
    redis,
    async queryIds() {
      const out: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:q:*`, 'COUNT', 1000);
        cursor = next;
        for (const k of keys) {
          const id = k.slice(`${prefix}:q:`.length);
          if (!id.includes(':')) out.push(id);
        }
      } while (cursor !== '0');
      return out;
    },
    async jobTotal() {
      let n = 0;
      for (const q of queues) {
        const c = await q.getJobCounts();
        n += Object.values(c).reduce((a, b) => a + b, 0);
      }
      return n;
    },
    async close() {
      await qs.close();
      await ingress.close();
      redis.disconnect();
    },
  };
}

export interface Reply {
  status: number;
  json: { error?: { code: string; message: string }; [k: string]: unknown };
  headers: Headers;
}

export async function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<Reply> {
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  let json: Reply['json'] = {};
  try {
    json = JSON.parse(text) as Reply['json'];
  } catch {
    json = { text };
  }
  return { status: res.status, json, headers: res.headers };
}
