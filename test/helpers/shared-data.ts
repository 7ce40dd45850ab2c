import { HAS_TAUBENCH, TAUBENCH_DIR } from '@steward/testing';

/** ../shared/taubench beside the repository (read at run time, never copied in). */
export { HAS_TAUBENCH, TAUBENCH_DIR };
if (!HAS_TAUBENCH) process.stderr.write(`[steward tests] ${TAUBENCH_DIR} is absent: the τ-bench-specific checks are skipped, the end-to-end tests run on the generated catalog\n`);
