// Queue wait and processing time of finished jobs, into the fleet-wide histograms through an
// ObservationBuffer (summed in the process, written once per flush window; see
// observation-buffer.ts for what a dead process or a failed write loses).
import { OBSERVATION_FLUSH_MS, ObservationBuffer } from './observation-buffer.ts';

/** How long a job's timing may stay in the process before it reaches Redis. */
export const JOB_TIMING_FLUSH_MS = OBSERVATION_FLUSH_MS;

export class JobTimingBuffer extends ObservationBuffer {
  add(queue: string, waitMs: number, processingMs: number): void {
    this.observe([
      { name: 'steward_job_wait_seconds', labels: { queue }, value: Math.max(0, waitMs) / 1000 },
      { name: 'steward_job_processing_seconds', labels: { queue }, value: Math.max(0, processingMs) / 1000 },
    ]);
  }
}
