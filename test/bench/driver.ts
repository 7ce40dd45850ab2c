// Drives conversations through the ingress HTTP API, all at once: each conversation posts its
// next message when the previous one is answered, as a customer in a chat would. A POST that
// fails (ingress or Redis down) is retried with the same messageId, so the ingress de-duplicates
// it; a message counts as accepted only once it got its 202.
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
      } catch (e) {
        rec.postErrors.push((e as Error).name);
      }
      if (Date.now() > until) return;
      await new Promise((r) => setTimeout(r, 250));
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
