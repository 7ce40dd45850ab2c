import type { z } from 'zod';

/** Context a tool runs in. Identity comes from the conversation, never from the model. */
export interface ToolRunContext {
  /** The conversation's verified customer (a user_id), or null before identification. */
  customerId: string | null;
  /** Present for writes: (query, turn, tool-call id). */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export type LocalToolFn = (args: Record<string, unknown>, ctx: ToolRunContext) => string | Promise<string>;

/**
 * Everything the system knows about one tool: the model sees name, description and the
 * parameter schema; the control plane uses the rest (dependencies, caching, write policy).
 */
export interface ToolSpec<S extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  parameters: S;
  /** Tools whose calls in the same turn must end before a call of this one starts. */
  dependsOn?: readonly string[];
  /** Reads only: safe to retry, cache and run in parallel. */
  readOnly: boolean;
  /** Seconds a result may be served from the shared cache; only for read-only tools. */
  cacheTtlSec?: number;
  /** Writes: never run concurrently with another sequential call of the same conversation. */
  sequential?: boolean;
  /** Policy: runs only after the customer explicitly confirmed this exact action. */
  requiresConfirmation?: boolean;
  timeoutMs?: number;
  /** Most calls of this tool running at once across the whole fleet (optional: unlimited). */
  maxConcurrency?: number;
  /** 'shop' runs in the commerce backend over HTTP; a function runs in the tool-worker. */
  run: 'shop' | LocalToolFn;
  /** Entities a result depends on ("order:#W1", "product:123"), so a write can invalidate cached reads. */
  cacheTags?: (args: Record<string, unknown>) => string[];
  /** Special effects the control plane acts on. */
  effect?: 'handoff' | 'identify';
}
