// The server-sent-events response a streaming route hands its frames to: headers that keep
// proxies from buffering it, a heartbeat, the stream slot's bounded lifetime, and one way to end
// it (client gone, lifetime over, last frame, Redis failed) that frees the slot and the
// subscription exactly once.
import type { FastifyReply, FastifyRequest } from 'fastify';
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

/**
 * Takes the response over from Fastify (hijack) and opens the stream. `greet` writes a first
 * comment once the subscription is up (`watching`): a client that waits for it misses nothing said
 * after it (state changes are not replayed, so a greeting before the SUBSCRIBE lost them).
 */
export function openEventStream(req: FastifyRequest, reply: FastifyReply, slot: StreamSlot, o: { greet?: boolean } = {}): EventStream {
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
  const finish = (): void => {
    if (done) return;
    done = true;
    clearInterval(heartbeat);
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
      if (o.greet) res.write(': connected\n\n');
    },
  };
}
