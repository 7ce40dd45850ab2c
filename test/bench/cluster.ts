// The system started production-like: every service its own child process against a private
// Redis with AOF, as `infra/` deploys it. The load benchmark and the chaos scenarios use it to
// measure real processes and to kill -9 them.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RedisServer, freePort, waitForPort } from '@steward/testing';
import { copyCatalog } from './catalog-db.ts';
import { isCurrent, mainOf } from '../../scripts/lib/build-services.ts';

export type Role = 'ingress' | 'reasoning-worker' | 'controller' | 'tool-worker' | 'tracer' | 'shop' | 'sim-llm';

export interface ClusterOptions {
  /** reasoning-worker and tool-worker processes each (default 2). */
  workers?: number;
  /** sim-llm latency profile: "0" or "300±100ms". */
  llmLatency?: string;
  /** sim-llm faults: "429:0.3,500:0.05,timeout:0.02,malformed:0.05". */
  llmFaults?: string;
  shopFaultRate?: number;
  shopSlowRate?: number;
  shopSlowMs?: number;
  /** Latency of every shop tool call: "20-100" (ms, uniform). */
  shopLatencyMs?: string;
  /** controller processes (default 1; the chaos runs use 2 so a killed one has a twin). */
  controllers?: number;
  /** Extra environment for every service (e.g. LLM_TIMEOUT_MS, QUERY_DEADLINE_MS). */
  env?: Record<string, string>;
  /** Where the services' logs go (a temp dir when unset; kept for post-mortems). */
  logDir?: string;
  /**
   * Write a V8 CPU profile of every service process into this directory (`--cpu-prof`); a
   * process writes it when it exits gracefully, so only on stop(), not after a kill.
   */
  cpuProfDir?: string;
  /** NODE_OPTIONS for every service process; default DEPLOYED_NODE_OPTIONS (set '' for Node's own defaults). */
  nodeOptions?: string;
  /** Node's arguments before steward's services' entry; default DEPLOYED_NODE_ARGS ([] for none). */
  nodeArgs?: readonly string[];
  /**
   * Run each service from its compiled build (dist/<role>/main.mjs, as infra/Dockerfile does) or
   * from its TypeScript sources. Default: the build when it is there and newer than the sources
   * (scripts/build.ts; `ensureBuilt` makes it), else the sources.
   */
  from?: 'compiled' | 'source';
  /**
   * The checkout whose services run (default this one), from its sources: the "before" tree of a
   * comparison runs under the same driver and the same report.
   */
  servicesRoot?: string;
}

export interface ServiceProc {
  role: Role;
  index: number;
  child: ChildProcess;
  readonly pid: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLUSTER_ROLES: readonly Role[] = ['ingress', 'reasoning-worker', 'controller', 'tool-worker', 'tracer', 'shop', 'sim-llm'];
const sourceMainIn = (root: string, role: Role): string => join(root, 'services', role, 'src', 'main.ts');
const PREFIX = '{bench}';
const START_TIMEOUT_MS = 240_000;
/** The V8 flags infra/Dockerfile gives every service (NODE_OPTIONS), so the processes here run as deployed. */
export const DEPLOYED_NODE_OPTIONS = '--max-semi-space-size=8 --max-old-space-size=128';
/** The V8 flags NODE_OPTIONS does not accept, which infra/Dockerfile's CMD gives node (STEWARD_NODE_ARGS). */
export const DEPLOYED_NODE_ARGS: readonly string[] = ['--no-parallel-scavenge'];
/** The shop's and the model double's NODE_OPTIONS (docker-compose.yml's shop): no old-space cap. */
const SERVICE_DOUBLE_NODE_OPTIONS = '--max-semi-space-size=16';

export class Cluster {
  readonly redis: RedisServer;
  readonly apiKey = 'bench-key-not-secret';
  readonly prefix = PREFIX;
  readonly shopDb: string;
  readonly logDir: string;
  readonly procs: ServiceProc[] = [];
  /** Whether the services run from their compiled build or from their sources. */
  readonly from: 'compiled' | 'source';
  ingressUrl = '';
  shopUrl = '';
  llmUrl = '';
  private readonly opts: ClusterOptions;
  private readonly ports = new Map<string, number>();
  private readonly tmp: string;
  /** Every child ever spawned, so stop() ends even one that failed to start. */
  private readonly spawned: ChildProcess[] = [];

  private constructor(redis: RedisServer, opts: ClusterOptions) {
    this.redis = redis;
    this.opts = { ...opts };
    this.from = opts.from ?? 'source';
    this.tmp = mkdtempSync(join(tmpdir(), 'steward-bench-'));
    this.shopDb = join(this.tmp, 'shop.db');
    // Outside the temp dir: the logs outlive the run for post-mortems.
    this.logDir = opts.logDir ?? `${this.tmp}-logs`;
  }

  static async start(opts: ClusterOptions = {}): Promise<Cluster> {
    const from = opts.from ?? (CLUSTER_ROLES.every((r) => isCurrent(r)) ? 'compiled' : 'source');
    const missing = from === 'compiled' ? CLUSTER_ROLES.filter((r) => !existsSync(mainOf(r, true))) : [];
    if (missing.length > 0) throw new Error(`no compiled build of ${missing.join(', ')}: run \`pnpm build\` (or start from the sources)`);
    const redis = await RedisServer.start({ appendonly: true });
    const c = new Cluster(redis, { ...opts, from });
    try {
      await c.startAll();
    } catch (e) {
      await c.stop();
      throw e;
    }
    return c;
  }

  get redisUrl(): string {
    return this.redis.url;
  }

  /** pids of every service process. */
  pids(): number[] {
    return this.procs.map((p) => p.pid);
  }

  /** pid of redis-server, from INFO (RedisServer keeps its child private). */
  async redisPid(): Promise<number> {
    return Number(/process_id:(\d+)/.exec(await this.redisInfo('server'))?.[1] ?? -1);
  }

  async redisInfo(section: string): Promise<string> {
    const { Redis } = await import('ioredis');
    const r = new Redis(this.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await r.connect();
      return await r.info(section);
    } finally {
      r.disconnect();
    }
  }

  private async startAll(): Promise<void> {
    const workers = this.opts.workers ?? 2;
    copyCatalog(this.shopDb);
    // The shop generates its catalog and builds its search index first: it takes the longest.
    const shop = this.launch('shop', 0);
    const sim = this.launch('sim-llm', 0);
    await Promise.all([shop, sim]);
    this.shopUrl = `http://127.0.0.1:${this.ports.get('shop:0')}`;
    this.llmUrl = `http://127.0.0.1:${this.ports.get('sim-llm:0')}/v1`;
    const rest: Promise<ServiceProc>[] = [this.launch('tracer', 0), this.launch('ingress', 0)];
    for (let i = 0; i < (this.opts.controllers ?? 1); i++) rest.push(this.launch('controller', i));
    for (let i = 0; i < workers; i++) rest.push(this.launch('reasoning-worker', i), this.launch('tool-worker', i));
    await Promise.all(rest);
    this.ingressUrl = `http://127.0.0.1:${this.ports.get('ingress:0')}`;
  }

  private async envFor(role: Role, index: number): Promise<{ env: Record<string, string>; port: number }> {
    const key = `${role}:${index}`;
    // A restarted process gets the same ports (the shop and ingress URLs stay valid).
    const port = this.ports.get(key) ?? (await freePort());
    this.ports.set(key, port);
    const o = this.opts;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      REDIS_URL: this.redis.url,
      REDIS_PREFIX: PREFIX,
      LOG_LEVEL: 'warn',
      REDACT_PII: 'true',
      ...(o.env ?? {}),
    };
    // The shop and the model double are not steward's workers: as in docker-compose.yml, the shop
    // runs without the old-space cap (it holds and exports its whole catalog; it ran out of heap
    // under the cap once while the driver read /v1/export).
    const deployed = role === 'shop' || role === 'sim-llm' ? SERVICE_DOUBLE_NODE_OPTIONS : DEPLOYED_NODE_OPTIONS;
    const nodeOptions = [o.nodeOptions ?? deployed, o.cpuProfDir ? `--cpu-prof --cpu-prof-dir=${join(o.cpuProfDir, `${role}-${index}`)}` : ''].join(' ').trim();
    if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
    switch (role) {
      case 'shop':
        Object.assign(env, {
          PORT: String(port),
          HOST: '127.0.0.1',
          // Benchmarks and chaos runs reset and export the shop between runs.
          SHOP_MODE: 'test',
          SHOP_DB: this.shopDb,
          SHOP_FAULT_RATE: String(o.shopFaultRate ?? 0),
          SHOP_SLOW_RATE: String(o.shopSlowRate ?? 0),
          SHOP_SLOW_MS: String(o.shopSlowMs ?? 2_000),
          ...(o.shopLatencyMs ? { SHOP_LATENCY_MS: o.shopLatencyMs } : {}),
        });
        break;
      case 'sim-llm':
        Object.assign(env, { PORT: String(port), SIM_LLM_LATENCY: o.llmLatency ?? '0', SIM_LLM_FAULTS: o.llmFaults ?? '' });
        break;
      case 'ingress':
        // One key drives every conversation of a benchmark: its principal bucket (always on in
        // production) would meter the load generator itself, so it is off here; the per-customer
        // and per-channel buckets stay as deployed.
        Object.assign(env, { PORT: String(port), INGRESS_API_KEYS: this.apiKey, RATE_PRINCIPAL_PER_SEC: '0' });
        break;
      case 'tracer':
        Object.assign(env, { TRACER_PORT: String(port) });
        break;
      case 'reasoning-worker':
        Object.assign(env, { HEALTH_PORT: String(port), OPENAI_BASE_URL: this.llmUrl });
        break;
      case 'tool-worker':
        Object.assign(env, { HEALTH_PORT: String(port), SHOP_URL: this.shopUrl });
        break;
      case 'controller':
        Object.assign(env, { HEALTH_PORT: String(port) });
        break;
    }
    return { env, port };
  }

  private async launch(role: Role, index: number): Promise<ServiceProc> {
    const { env, port } = await this.envFor(role, index);
    const root = this.opts.servicesRoot;
    const entry = root ? sourceMainIn(root, role) : mainOf(role, this.from === 'compiled');
    const args = role === 'shop' || role === 'sim-llm' ? [] : (this.opts.nodeArgs ?? DEPLOYED_NODE_ARGS);
    const child = spawn(process.execPath, [...args, entry], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: root ?? ROOT });
    this.spawned.push(child);
    const log = createWriteStream(join(this.logDirReady(), `${role}-${index}.log`), { flags: 'a' });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const proc: ServiceProc = { role, index, child, pid: child.pid ?? -1 };
    const early = new Promise<never>((_, reject) =>
      child.once('exit', (code, sig) => reject(new Error(`${role}-${index} exited during start (${code ?? sig}); see ${this.logDir}`))),
    );
    early.catch(() => undefined);
    // Generous: on a shared 2-core machine ten Node processes starting together take a while.
    await Promise.race([waitForPort(port, START_TIMEOUT_MS), early]);
    this.procs.push(proc);
    return proc;
  }

  private logDirReady(): string {
    mkdirSync(this.logDir, { recursive: true });
    return this.logDir;
  }

  /** The processes of one role. */
  of(role: Role): ServiceProc[] {
    return this.procs.filter((p) => p.role === role);
  }

  /**
   * Change the fault settings of the shop and the model double and restart those two (same
   * ports, same shop database): the chaos scenarios share one cluster.
   */
  async reconfigure(patch: Pick<ClusterOptions, 'llmLatency' | 'llmFaults' | 'shopFaultRate' | 'shopSlowRate' | 'shopSlowMs'>): Promise<void> {
    Object.assign(this.opts, patch);
    for (const p of [...this.of('shop'), ...this.of('sim-llm')]) {
      await this.term(p);
      this.procs.splice(this.procs.indexOf(p), 1);
      await this.launch(p.role, p.index);
    }
  }

  /** kill -9 one service process (no cleanup, no graceful close). */
  async kill(p: ServiceProc): Promise<void> {
    const i = this.procs.indexOf(p);
    if (i >= 0) this.procs.splice(i, 1);
    if (p.child.exitCode !== null || p.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
    p.child.kill('SIGKILL');
    await exited;
  }

  /** Start a fresh process in the place of a killed one (same role, index and ports). */
  async restart(p: ServiceProc): Promise<ServiceProc> {
    return this.launch(p.role, p.index);
  }

  async stop(): Promise<void> {
    // Workers first so nothing writes while the shop and Redis go away.
    const order: Role[] = ['ingress', 'reasoning-worker', 'tool-worker', 'controller', 'tracer', 'sim-llm', 'shop'];
    for (const role of order) await Promise.all(this.of(role).map((p) => this.term(p)));
    for (const child of this.spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await this.redis.stop();
    rmSync(this.tmp, { recursive: true, force: true });
  }

  private async term(p: ServiceProc): Promise<void> {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
    p.child.kill('SIGTERM');
    // A process writing its CPU profile at exit needs longer than a plain shutdown.
    const t = setTimeout(() => p.child.kill('SIGKILL'), this.opts.cpuProfDir ? 60_000 : 5_000);
    await exited;
    clearTimeout(t);
  }
}
