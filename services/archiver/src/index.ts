export { startArchiver, type Archiver, type ArchiverOptions, type ArchiverStats } from './archiver.ts';
export { archiverRole } from './role.ts';
export { requireArchive, type ArchiveSettings } from './config.ts';
export { renderArchiverMetrics } from './metrics.ts';
export { RETENTION_QUEUE, RetentionJob, runRetentionNow, startRetention, type RetentionRunner } from './retention-job.ts';
