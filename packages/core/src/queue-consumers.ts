import type { QueueName } from './queues.ts';

/**
 * The role that consumes each queue. A queue without a running consumer is work nobody does
 * (answers never sent, handoffs never recorded): test/infra checks that every role named here
 * is deployed in docker-compose.yml and infra/k8s and really starts a worker for its queue.
 */
export const QUEUE_CONSUMERS = {
  reasoning: 'reasoning-worker',
  control: 'controller',
  tools: 'tool-worker',
  deliveries: 'deliveries',
  handoff: 'controller',
} as const satisfies Record<QueueName, string>;
