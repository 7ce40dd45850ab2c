// What parts of the suite need from the machine, how to tell whether it is there, and how to
// install it. Tests skip with `describe.skipIf(missing('chromium'))`; the skip summary reporter
// lists every skipped test and the command that brings back what is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { HAS_TAUBENCH, TAUBENCH_DIR } from './taubench-dir.ts';
import { POSTGRES_INSTALL, postgresBinDir } from './postgres-server.ts';

export interface Requirement {
  /** What the tests need, as a person would name it. */
  what: string;
  present: () => boolean;
  /** How to get it on a Debian machine (CI's .ci/run does exactly this). */
  install: string;
}

const onPath = (bin: string): boolean => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0;

export const REQUIREMENTS = {
  chromium: {
    what: 'Debian chromium at /usr/bin/chromium (web chat browser tests)',
    present: () => existsSync('/usr/bin/chromium'),
    install: 'apt-get install -y chromium fonts-wqy-zenhei',
  },
  promtool: {
    what: 'promtool (checks the Prometheus rules and KEDA queries)',
    present: () => onPath('promtool'),
    install: 'apt-get install -y prometheus',
  },
  python3: {
    what: 'python3 (the differential test of the τ-bench tool semantics)',
    present: () => onPath('python3'),
    install: 'apt-get install -y python3',
  },
  postgresql: {
    what: 'PostgreSQL (the archive tests): TEST_DATABASE_URL, a server on 127.0.0.1:5432 (trust, database `test`) or its binaries for a private one',
    // The global setup records where the run's PostgreSQL came from; binaries are enough to start one.
    present: () => process.env.STEWARD_TEST_PG_SOURCE !== undefined || postgresBinDir() !== undefined,
    install: POSTGRES_INSTALL,
  },
  taubench: {
    what: `the τ-bench retail data at ${TAUBENCH_DIR} (τ-bench-specific checks; the end-to-end tests run on the generated catalog without it)`,
    present: () => HAS_TAUBENCH,
    install: 'place the τ-bench retail data (users.json, orders.json, products.json) in ../shared/taubench or set TAUBENCH_DIR',
  },
} satisfies Record<string, Requirement>;

export type RequirementName = keyof typeof REQUIREMENTS;

/** True when the machine lacks it: for `describe.skipIf(missing('chromium'))`. */
export function missing(name: RequirementName): boolean {
  return !REQUIREMENTS[name].present();
}
