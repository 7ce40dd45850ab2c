import type { CallResult, DagStart, JobLock, QueryRecord } from '@steward/store';
import type { TurnResults } from './turn-results.ts';

/** How a call is being run: by its own job, or in place inside the job of the call that released or claimed it. */
export interface Run {
  /** Index of the call whose job runs this chain: it claims the dependents released on the way. */
  owner: number;
  /** That job's BullMQ lock: a recording after the job was taken over from this worker is refused (DAG_SUPERSEDED). */
  lock: JobLock | undefined;
  /** The last attempt: a transient failure becomes an error result instead of a retry. */
  lastAttempt: boolean;
  /** The tool's fleet-wide cap is reached: come back in a moment. */
  later(): Promise<void>;
  /** A transient failure with attempts left. */
  retry(e: unknown): Promise<void>;
  /** Run in place: what it would read first, as the script that released or claimed it returned it (and the query). */
  loaded?: { q: QueryRecord; customerId: string | null; deps: (CallResult | undefined)[] };
  /** Its own job: what the job's start script read (startCall, with the job's prelude) and the prelude's query. */
  read?: { start: DagStart; q: QueryRecord | null };
  /** The turn's results this job knows, when its start read the turn (the job that ends the turn takes its observe step in the record's script). */
  turn?: TurnResults;
}
