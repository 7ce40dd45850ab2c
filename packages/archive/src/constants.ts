// Behaviour-changing defaults of the archive, in one place.
export const ARCHIVE_DEFAULTS = {
  schema: 'public',
  /**
   * A day: the debug trace stays on the fast path while a complaint is fresh, then Redis
   * memory goes back to the live pipeline (queries otherwise live 7 days in Redis).
   */
  hotTtlSec: 24 * 3600,
  /** Transcripts kept 400 days (a year of complaints plus slack); steps and raw events 90. */
  retention: 'conversations=400d,steps=90d,events=90d,writes=400d',
  /** Retention runs hourly; a run deletes in batches so it never holds long locks. */
  retentionEveryMs: 3600_000,
  retentionBatchRows: 5_000,
  consumerGroup: 'archiver',
  batchSize: 200,
  claimIdleMs: 30_000,
  pageSize: 50,
  maxPageSize: 500,
} as const;
