import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

/** ../shared/taubench beside the repository (read at run time, never copied in). */
export const TAUBENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/taubench');
export const HAS_TAUBENCH = existsSync(resolve(TAUBENCH_DIR, 'orders.json'));
if (!HAS_TAUBENCH) process.stderr.write(`[steward tests] ${TAUBENCH_DIR} is absent: tests on the τ-bench data are skipped\n`);
