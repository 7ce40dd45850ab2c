// Drives conversations through the ingress HTTP API, all at once: each conversation posts its
// next message when the previous one is answered, as a customer in a chat would. A POST that
// fails (ingress or Redis down) is retried with the same messageId, so the ingress de-duplicates
// it; a message counts as accepted only once it got its 202. A rate-limit refusal (429) is
// retried when its Retry-After says, as a real client does, not every 250 ms: the bench's own
// retries were a third of the ingress's requests at saturation (issue 17).
import type { Script } from './conversations.ts';
import type { CompletionWatcher } from './completions.ts';
import type { ProgressBar } from '@steward/commerce';

export interface MessageRecord {
  conversationId: string;
  scenario: string;
  language: string;
  messageId: string;
  postStartMs: number;
  /** ms from sending the POST until the 202 (the last, successful attempt). */
  ackMs?: number;
  attempts: number;
  accepted: boolean;
  queryId?: string;
  /** Every queryId the ingress gave this message (more than one = the message answered twice). */
  queryIds: string[];
  /** ms from the first POST until the answer was read from the event stream. */
  latencyMs?: number;
  answered: boolean;
  /** POST errors (not 202) seen, for the report. */
  postErrors: string[];
  /** 429 answers to this message (each one retried after its Retry-After, while time was left). */
  rateLimited: number;
  /** ms spent waiting as Retry-After said, over all of this message's refusals. */
  retryAfterWaitMs: number;
}

/** Retry-After is honoured up to this (ms), so one odd header cannot stall a conversation for the run. */
export const RETRY_AFTER_CAP_MS = 10_000;
/** The wait before retrying anything else (a network error, a 5xx) or a 429 without a usable Retry-After. */
export const RETRY_DEFAULT_MS = 250;

/**
 * How long to wait before the next attempt, from a Retry-After header (delta-seconds or an
 * HTTP date, RFC 9110 §10.2.3), capped; undefined when there is none or it does not parse.
 */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const v = header.trim();
  const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v) - nowMs;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, ms));
}

export interface DriveOptions {
  baseUrl: string;
  apiKey: string;
  scripts: Script[];
  watcher: CompletionWatcher;
  /** How long a conversation waits for one answer before giving up on it (counted lost). */
  answerTimeoutMs?: number;
  /** How long a POST is retried while the ingress or Redis is down. */
  postRetryMs?: number;
  progress?: ProgressBar;
  /** Stop posting new messages after this wall time (ms since start); conversations end early. */
  durationMs?: number;
  /**
   * Think time of a customer before each message (ms), as a function returning one draw. Unset:
   * the next message goes the moment the answer arrives (saturation). Set: the first message also
   * waits one draw, so arrivals spread as real customers' do.
   */
  thinkMs?: () => number;
}

export interface DriveResult {
  records: MessageRecord[];
  startMs: number;
  endMs: number;
}

export async function drive(o: DriveOptions): Promise<DriveResult> {
  const records: MessageRecord[] = [];
  const total = o.scripts.reduce((a, s) => a + s.messages.length, 0);
  let done = 0;
  const startMs = Date.now();
  const answerTimeout = o.answerTimeoutMs ?? 60_000;
  const postRetry = o.postRetryMs ?? 30_000;

  const post = async (s: Script, text: string, rec: MessageRecord): Promise<void> => {
    const until = Date.now() + postRetry;
    for (;;) {
      rec.attempts++;
      const t0 = Date.now();
      let wait: number | undefined;
      try {
        const res = await fetch(`${o.baseUrl}/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${o.apiKey}` },
          body: JSON.stringify({ conversationId: s.conversationId, customerId: s.customerId, text, messageId: rec.messageId }),
          signal: AbortSignal.timeout(10_000),
        });
        const json = (await res.json().catch(() => ({}))) as { queryId?: string; error?: { code?: string } };
        if (res.status === 202 && json.queryId) {
          rec.ackMs = Date.now() - t0;
          rec.accepted = true;
          rec.queryId = json.queryId;
          if (!rec.queryIds.includes(json.queryId)) rec.queryIds.push(json.queryId);
          return;
        }
        rec.postErrors.push(`${res.status}:${json.error?.code ?? ''}`);
        if (res.status < 500 && res.status !== 429) return;
        // A 503 (Redis down) keeps the 250 ms retry: the chaos scenarios time recovery from
        // outages with it, and its Retry-After (5 s) is a guess, where a 429's is the bucket's wait.
        if (res.status === 429) {
          rec.rateLimited++;
          wait = retryAfterMs(res.headers.get('retry-after'));
        }
      } catch (e) {
        rec.postErrors.push((e as Error).name);
      }
      const left = until - Date.now();
      if (left < 0) return;
      // Never past the retry window: the last attempt goes at its end rather than not at all.
      const ms = Math.min(wait ?? RETRY_DEFAULT_MS, left);
      if (wait !== undefined) rec.retryAfterWaitMs += ms;
      await new Promise((r) => setTimeout(r, ms));
    }
  };

  const converse = async (s: Script): Promise<void> => {
    for (const [k, text] of s.messages.entries()) {
      if (o.thinkMs) await new Promise((r) => setTimeout(r, o.thinkMs!()));
      if (o.durationMs !== undefined && Date.now() - startMs > o.durationMs) return;
      const rec: MessageRecord = {
        conversationId: s.conversationId,
        scenario: s.scenario,
        language: s.language,
        messageId: `${s.conversationId}:m${k}`,
        postStartMs: Date.now(),
        attempts: 0,
        accepted: false,
        queryIds: [],
        answered: false,
        postErrors: [],
        rateLimited: 0,
        retryAfterWaitMs: 0,
      };
      records.push(rec);
      await post(s, text, rec);
      if (!rec.accepted || !rec.queryId) return;
      const c = await o.watcher.wait(rec.queryId, answerTimeout);
      done++;
      o.progress?.update(done, `${done}/${total} answers`);
      if (!c) return;
      rec.answered = true;
      rec.latencyMs = c.seenMs - rec.postStartMs;
    }
  };

  await Promise.all(o.scripts.map((s) => converse(s)));
  return { records, startMs, endMs: Date.now() };
}
