import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort } from './free-port.ts';

export interface RedisServerOptions {
  port?: number;
  /** Append-only file on (for restart tests: data survives SHUTDOWN + start). */
  appendonly?: boolean;
  dir?: string;
  binary?: string;
}

export function redisServerBinary(): string | undefined {
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? bin : undefined;
}

/**
 * A private redis-server child process on a free port in a temp dir. It can be stopped and
 * started again on the same port and dir, which fault tests use to simulate a Redis restart.
 */
export class RedisServer {
  readonly port: number;
  readonly dir: string;
  private child: ChildProcess | undefined;
  private readonly ownsDir: boolean;
  private readonly opts: RedisServerOptions;

  private constructor(port: number, dir: string, ownsDir: boolean, opts: RedisServerOptions) {
    this.port = port;
    this.dir = dir;
    this.ownsDir = ownsDir;
    this.opts = opts;
  }

  static async start(opts: RedisServerOptions = {}): Promise<RedisServer> {
    const port = opts.port ?? (await freePort());
    const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'steward-redis-'));
    const srv = new RedisServer(port, dir, opts.dir === undefined, opts);
    await srv.startProcess();
    return srv;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  async startProcess(): Promise<void> {
    const bin = this.opts.binary ?? redisServerBinary();
    if (!bin) throw new Error('redis-server not found: install it (apt-get install redis-server) or set REDIS_URL');
    const args = [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir,
      '--save', '', '--appendonly', this.opts.appendonly ? 'yes' : 'no',
      '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--protected-mode', 'no',
    ];
    this.child = spawn(bin, args, { stdio: 'ignore' });
    this.child.unref();
    await waitForPort(this.port, 10_000);
  }

  /** kill -9: the abrupt death of Redis. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  /** SHUTDOWN as an operator would (AOF flushed when enabled). */
  async shutdown(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // Hold the event loop open until Redis has really exited (the child is unref'd otherwise).
    child.ref();
    child.kill('SIGTERM');
    await exited;
  }

  async restart(): Promise<void> {
    await this.shutdown();
    await this.startProcess();
  }

  async stop(): Promise<void> {
    await this.shutdown();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
