// Test fixtures of the kernel's unit tests: a small tool catalog and query snapshots. Shipped
// beside the transitions (not a test file) so every *.test.ts of the kernel shares one catalog.
import { z } from 'zod';
import { ToolRegistry, type ToolSpec } from '@steward/tools';
import type { KernelLimits, KernelRules, QuerySnapshot } from './transition.ts';

const read = (name: string, parameters: z.ZodObject): ToolSpec => ({ name, description: name, parameters, readOnly: true, run: 'shop' });

export const CATALOG = new ToolRegistry([
  read('get_order_details', z.object({ order_id: z.string() })),
  read('get_user_details', z.object({ user_id: z.string() })),
  {
    name: 'cancel_pending_order',
    description: 'cancel',
    parameters: z.object({ order_id: z.string(), reason: z.string() }),
    readOnly: false,
    requiresConfirmation: true,
    run: 'shop',
  },
  { name: 'transfer_to_human_agents', description: 'handoff', parameters: z.object({ summary: z.string() }), readOnly: true, effect: 'handoff', run: 'shop' },
]);

export const LIMITS: KernelLimits = {
  maxTurns: 8,
  deadlineMs: 60_000,
  maxToolCallsPerQuery: 24,
  maxToolCallsPerTurn: 8,
  tokenBudget: 0,
  costBudgetUsd: 0,
  historyVerbatimMessages: 6,
};

export function rules(over: Partial<KernelLimits> = {}, requireConfirmation = true): KernelRules {
  return { limits: { ...LIMITS, ...over }, requireConfirmation, tools: CATALOG };
}

export const T0 = 1_000_000;

export function query(over: Partial<QuerySnapshot> = {}): QuerySnapshot {
  return {
    queryId: 'q_2',
    conversationId: 'c_1',
    customerId: 'u1',
    channel: 'api',
    text: 'yes',
    language: 'en',
    status: 'running',
    state: 'reasoning',
    turn: 0,
    toolCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    traceId: 'a'.repeat(32),
    createdMs: T0,
    startedMs: T0,
    deadlineAtMs: T0 + LIMITS.deadlineMs,
    ...over,
  };
}
