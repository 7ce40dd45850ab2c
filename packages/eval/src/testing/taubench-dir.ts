import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared/taubench beside the repository (read at run time, never copied in). */
export const TAUBENCH_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../../shared/taubench',
);
export const TASKS_TRAIN = resolve(TAUBENCH_DIR, 'tasks_train.json');
export const HAS_TAUBENCH = existsSync(TASKS_TRAIN);
