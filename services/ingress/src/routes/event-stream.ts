// The server-sent-events response a streaming route hands its frames to: headers that keep
// proxies from buffering it, a heartbeat, the stream slot's bounded lifetime, the conversation's
// "watched" mark kept fresh while it is open, and one way to end it (client gone, lifetime over,
// last frame, Redis failed) that frees the slot and the subscription exactly once.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WATCH_REFRESH_MS } from '@steward/store';
import type { StreamSlot } from '../live-events.ts';

const HEARTBEAT_MS = 15_000;

export interface EventStream {
  /** Writes one frame, unless the stream has ended. */
  write(frame: string): void;
  /** Ends the stream (once): heartbeat and lifetime stopped, slot freed, subscription ended. */
  finish(): void;
  /** True once the stream has ended. */
  readonly done: boolean;
  /**
   * The subscription feeding the stream, ended with it; ended at once when the stream is already
   * over (the client left while the subscription was being set up).
   */
  watching(unwatch: () => Promise<void>): Promise<void>;
}

export interface EventStreamOptions {
  /**
   * Write a first comment once the subscription is up (`watching`): a client that waits for it
   * misses nothing said after it (state changes are not replayed, so a greeting before the
   * SUBSCRIBE lost them), and its conversation is marked watched by then.
   */
  greet?: boolean;
  /**
   * Marks the stream's conversation watched (store's markWatched), so the reasoning-worker streams
   * its model calls (ADR 0032): once when the stream opens, then every WATCH_REFRESH_MS while it
   * is open — one write per stream and period, none per event. Only for a principal the route
   * let read the conversation.
   */
  markWatched?: () => Promise<unknown>;
}

/** Takes the response over from Fastify (hijack) and opens the stream. */
export function openEventStream(req: FastifyRequest, reply: FastifyReply, slot: StreamSlot, o: EventStreamOptions = {}): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let done = false;
  let unwatch: (() => Promise<void>) | undefined;
  // Best effort: without the mark the client still gets every event and the committed answer,
  // only not the tokens of the model calls that start meanwhile. Never fails the stream.
  const mark = o.markWatched;
  const markNow = (): Promise<void> =>
    mark
      ? mark().then(
          () => undefined,
          (e: unknown) => req.log.warn({ err: (e as Error).message }, 'could not mark the conversation watched: its answers are not streamed until the next refresh'),
        )
      : Promise.resolve();
  const marked = markNow();
  const refresh = mark ? setInterval(() => void markNow(), WATCH_REFRESH_MS) : undefined;
  const finish = (): void => {
    if (done) return;
    done = true;
    clearInterval(heartbeat);
    clearInterval(refresh);
    clearTimeout(lifetime);
    slot.release();
    void unwatch?.();
    res.end();
  };
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  // A bounded lifetime: a forgotten or hostile stream does not hold its slot forever; the client
  // reconnects (with Last-Event-ID) if it still cares.
  const lifetime = setTimeout(finish, slot.lifetimeMs);
  req.raw.on('close', finish);
  return {
    write: (frame) => {
      if (!done) res.write(frame);
    },
    finish,
    get done() {
      return done;
    },
    watching: async (u) => {
      if (done) return u();
      unwatch = u;
      // The mark went out with the SUBSCRIBE (in parallel): a client that waits for the greeting
      // knows the model calls that start from then on are streamed.
      await marked;
      if (o.greet && !done) res.write(': connected\n\n');
    },
  };
}
