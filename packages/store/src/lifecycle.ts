import type { Log } from './worker.ts';

/**
 * Graceful shutdown on SIGTERM/SIGINT: stop taking work, let active jobs finish within the
 * grace period, close connections, exit. A second signal or the grace timeout forces the exit.
 */
export function onShutdown(close: () => Promise<void>, log: Log, graceMs = Number(process.env.SHUTDOWN_GRACE_MS ?? 25_000)): void {
  let closing = false;
  const handler = (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.warn({ graceMs }, 'grace period over, exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    close().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: String(e) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}
