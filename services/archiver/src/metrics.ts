// The archiver's own Prometheus text: counters of this replica (Prometheus sums replicas).
import type { ArchiverStats } from './archiver.ts';

export function renderArchiverMetrics(s: ArchiverStats): string {
  const lines = [
    '# HELP steward_archive_events_total Events written to the archive by this replica.',
    '# TYPE steward_archive_events_total counter',
    `steward_archive_events_total{result="archived"} ${s.archived}`,
    `steward_archive_events_total{result="duplicate"} ${s.duplicates}`,
    `steward_archive_events_total{result="invalid"} ${s.invalid}`,
    '# HELP steward_archive_batches_total Batches committed by this replica.',
    '# TYPE steward_archive_batches_total counter',
    `steward_archive_batches_total ${s.batches}`,
    '# HELP steward_archive_retention_rows_removed_total Rows deleted by retention, per table.',
    '# TYPE steward_archive_retention_rows_removed_total counter',
  ];
  for (const [table, n] of Object.entries(s.retentionRemoved)) lines.push(`steward_archive_retention_rows_removed_total{table="${table}"} ${n}`);
  return `${lines.join('\n')}\n`;
}
