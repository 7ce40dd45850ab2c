// A private PostgreSQL for tests on a machine without one: initdb into a temp dir, then the
// server on a free port of 127.0.0.1 with its unix socket in that dir (so it never meets the
// machine's /var/run/postgresql), trust auth, database `test`. Durability is off: it is thrown
// away at the end of the run. PostgreSQL refuses to run as root, so as root the binaries run as
// the `postgres` user (runuser) and the dir is given to that user.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.ts';

/** How to get PostgreSQL on a Debian machine (what CI's .ci/run does). */
export const POSTGRES_INSTALL = 'apt-get install -y postgresql (or set TEST_DATABASE_URL=postgres://user@host:5432/db)';

/**
 * The directory holding initdb, pg_ctl and postgres: POSTGRES_BIN_DIR, else Debian's
 * /usr/lib/postgresql/<newest>/bin, else the one on PATH (pg_config --bindir). Undefined: none.
 */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const has = (dir: string) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(dir, b)));
  if (env.POSTGRES_BIN_DIR !== undefined) return has(env.POSTGRES_BIN_DIR) ? env.POSTGRES_BIN_DIR : undefined;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (has(join(debian, v, 'bin'))) return join(debian, v, 'bin');
  }
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir && has(dir) ? dir : undefined;
}

const isRoot = () => process.getuid?.() === 0;

function postgresUid(): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export class PostgresServer {
  readonly port: number;
  readonly dir: string;
  private readonly bin: string;

  private constructor(port: number, dir: string, bin: string) {
    this.port = port;
    this.dir = dir;
    this.bin = bin;
  }

  /** Connection string of the `test` database (superuser `postgres`, trust auth). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/test`;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  static async start(o: { binDir?: string } = {}): Promise<PostgresServer> {
    const bin = o.binDir ?? postgresBinDir();
    if (!bin) throw new Error(`PostgreSQL binaries not found: ${POSTGRES_INSTALL}`);
    const dir = mkdtempSync(join(tmpdir(), 'steward-pg-'));
    const srv = new PostgresServer(await freePort(), dir, bin);
    try {
      if (isRoot()) {
        const owner = postgresUid();
        if (!owner) throw new Error('running as root and there is no `postgres` user to run PostgreSQL as (PostgreSQL refuses root)');
        chownSync(dir, owner.uid, owner.gid);
        chmodSync(dir, 0o700);
      }
      srv.run('initdb', ['-D', srv.data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
      // fsync and friends off: a test database never needs to survive a crash of the machine.
      const options = `-p ${srv.port} -h 127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      srv.run('pg_ctl', ['-D', srv.data, '-l', join(dir, 'postgres.log'), '-o', options, '-w', '-t', '60', 'start']);
      const c = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${srv.port}/postgres` });
      await c.connect();
      try {
        await c.query('CREATE DATABASE test');
      } finally {
        await c.end();
      }
      return srv;
    } catch (e) {
      await srv.stop();
      throw e;
    }
  }

  /** Fast shutdown (open connections are closed), then the dir is removed. */
  async stop(): Promise<void> {
    if (existsSync(join(this.data, 'postmaster.pid'))) this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', '-t', '60', 'stop'], false);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(tool: string, args: string[], check = true): SpawnSyncReturns<string> {
    const exe = join(this.bin, tool);
    // pg_ctl keeps the server's stdout/stderr open: they go to the log file, not to pipes we wait on.
    const r = isRoot()
      ? spawnSync('runuser', ['-u', 'postgres', '--', exe, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dir })
      : spawnSync(exe, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dir });
    if (check && r.status !== 0) throw new Error(`${tool} failed (exit ${r.status}): ${(r.stderr || r.stdout || String(r.error ?? '')).trim().slice(-1000)}`);
    return r;
  }
}
