// Behaviour-changing defaults of the archive, in one place. The configurable ones (schema, hot
// TTL, retention, batch sizes) are the one configuration's (DEFAULTS.archive in @steward/core).
import { DEFAULTS } from '@steward/core';

export const ARCHIVE_DEFAULTS = {
  ...DEFAULTS.archive,
  /** A retention run deletes in batches so it never holds long locks. */
  retentionBatchRows: 5_000,
  consumerGroup: 'archiver',
  pageSize: 50,
  maxPageSize: 500,
} as const;
