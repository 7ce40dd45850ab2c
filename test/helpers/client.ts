// A small HTTP client for the ingress API, used by the cross-service tests and benchmarks.

export interface AskBody {
  conversationId?: string;
  text: string;
  customerId?: string;
  channel?: string;
  messageId?: string;
  locale?: string;
}

export interface QueryView {
  queryId: string;
  conversationId: string;
  status: string;
  outcome: string | null;
  reason: string | null;
  answer: string | null;
  language: string;
  turns: number;
  toolCalls: number;
  traceId: string;
}

export class IngressClient {
  readonly baseUrl: string;
  readonly key: string;
  constructor(baseUrl: string, key: string) {
    this.baseUrl = baseUrl;
    this.key = key;
  }

  async post(body: AskBody, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${this.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}`, ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  async get<T = unknown>(path: string): Promise<{ status: number; json: T }> {
    const res = await fetch(`${this.baseUrl}${path}`, { headers: { authorization: `Bearer ${this.key}` } });
    return { status: res.status, json: (await res.json()) as T };
  }

  /** Poll a query until it ends (or the timeout passes). */
  async waitFor(queryId: string, timeoutMs = 30_000): Promise<QueryView> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const { json } = await this.get<QueryView>(`/v1/queries/${queryId}`);
      if (json.status === 'completed' || json.status === 'failed') return json;
      if (Date.now() > until) throw new Error(`query ${queryId} did not end within ${timeoutMs} ms: ${JSON.stringify(json)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Post a message and wait for its answer. */
  async ask(body: AskBody, timeoutMs?: number): Promise<QueryView> {
    const r = await this.post(body);
    if (r.status !== 202) throw new Error(`POST /v1/messages answered ${r.status}: ${JSON.stringify(r.json)}`);
    return this.waitFor(String(r.json.queryId), timeoutMs);
  }
}
