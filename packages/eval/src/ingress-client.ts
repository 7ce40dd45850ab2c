// The evaluation talks to steward the way a platform does: the public ingress HTTP API.
import { z } from 'zod';

export const EvalQueryView = z.object({
  queryId: z.string(),
  status: z.string(),
  outcome: z.string().nullable(),
  reason: z.string().nullable().optional(),
  answer: z.string().nullable(),
  turns: z.number(),
  toolCalls: z.number(),
  tokens: z.object({ input: z.number(), output: z.number() }),
  costUsd: z.number(),
});
export type EvalQueryView = z.infer<typeof EvalQueryView>;

const TraceSteps = z.object({
  steps: z.array(
    z
      .object({ kind: z.string(), tokens: z.object({ input: z.number(), output: z.number() }).optional() })
      .loose(),
  ),
});

export class EvalIngressClient {
  private readonly baseUrl: string;
  private readonly key: string;
  constructor(baseUrl: string, key: string) {
    this.baseUrl = baseUrl;
    this.key = key;
  }

  private async getJson(path: string): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}${path}`, { headers: { authorization: `Bearer ${this.key}` } });
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status} (retryable if 5xx)`);
    return res.json();
  }

  /** Posts one customer message and waits for the query to end. */
  async ask(conversationId: string, text: string, timeoutMs: number): Promise<EvalQueryView> {
    const res = await fetch(`${this.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
      body: JSON.stringify({ conversationId, text }),
    });
    const json = (await res.json()) as { queryId?: string };
    if (res.status !== 202 || !json.queryId)
      throw new Error(`POST /v1/messages answered ${res.status}: ${JSON.stringify(json).slice(0, 200)}`);
    const until = Date.now() + timeoutMs;
    for (;;) {
      const view = EvalQueryView.parse(await this.getJson(`/v1/queries/${json.queryId}`));
      if (view.status === 'completed' || view.status === 'failed') return view;
      if (Date.now() > until)
        throw new Error(`query ${json.queryId} did not end within ${timeoutMs} ms (state ${view.status})`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  /** Prompt tokens of each LLM call of a query, from its debug trace. */
  async llmCallTokens(queryId: string): Promise<number[]> {
    const t = TraceSteps.parse(await this.getJson(`/v1/traces/${queryId}`));
    return t.steps.filter((s) => s.kind === 'llm' && s.tokens).map((s) => s.tokens!.input);
  }
}
