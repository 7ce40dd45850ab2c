import type { Redis } from 'ioredis';
import type { RetentionSettings } from '@steward/core';
import { ConversationStore } from './conversations.ts';
import { DagStore } from './dag.ts';
import { createKeys, type Keys } from './keys.ts';
import { QueryStore } from './queries.ts';
import { createQueues, type Queues } from './queues.ts';
import { Outbox } from './outbox.ts';
import { createRedis } from './redis.ts';

/** The state every pipeline role works on: one connection, its keys, queues and stores. */
export interface StoreContext {
  redis: Redis;
  keys: Keys;
  queues: Queues;
  queries: QueryStore;
  conversations: ConversationStore;
  dags: DagStore;
  outbox: Outbox;
  close(): Promise<void>;
}

export function openStore(redisUrl: string, prefix: string, retention?: RetentionSettings): StoreContext {
  const redis = createRedis(redisUrl);
  const keys = createKeys(prefix);
  const queues = createQueues(redis, prefix);
  return {
    redis,
    keys,
    queues,
    queries: new QueryStore(redis, keys, retention),
    conversations: new ConversationStore(redis, keys, retention?.conversationTtlSec),
    dags: new DagStore(redis, keys),
    outbox: new Outbox(redis, keys, queues),
    async close() {
      await queues.close();
      redis.disconnect();
    },
  };
}
