// Where the τ-bench reference data is: TAUBENCH_DIR if set (also the way to run the suite as a
// user's clone would, with TAUBENCH_DIR=/nonexistent), else ../shared/taubench beside the
// repository. The data is read from there at run time and never copied into the repository.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');

export const TAUBENCH_DIR = process.env.TAUBENCH_DIR ?? resolve(REPO_ROOT, '../shared/taubench');
export const HAS_TAUBENCH = existsSync(resolve(TAUBENCH_DIR, 'orders.json'));
