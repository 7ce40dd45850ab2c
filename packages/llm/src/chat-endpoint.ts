// Where a chat completion is sent and with which headers: OpenAI-compatible servers take
// `{base}/chat/completions` and a bearer token; Azure OpenAI takes the deployment in the path,
// `?api-version=` and an `api-key` header instead of the bearer token.
import type { OutgoingHttpHeaders } from 'node:http';
import { LlmRequestError } from './errors.ts';

export const AZURE_URL = /\.openai\.azure\.com|\/openai\/deployments\//i;
const USER_AGENT = 'steward-llm/0.1 (node)';

export interface ChatEndpoint {
  url: URL;
  headers: OutgoingHttpHeaders;
  streamHeaders: OutgoingHttpHeaders;
}

export function chatEndpoint(opts: { baseURL: string; apiKey: string; model: string; apiVersion?: string; defaultHeaders?: Record<string, string> }): ChatEndpoint {
  const base = opts.baseURL.replace(/\/+$/, '');
  const azure = opts.apiVersion !== undefined || AZURE_URL.test(opts.baseURL);
  let url: URL;
  const auth: OutgoingHttpHeaders = {};
  if (azure) {
    if (!opts.apiVersion) throw new LlmRequestError(0, `an Azure OpenAI endpoint (${opts.baseURL}) needs an api-version: set LLM_API_VERSION`);
    // The deployment is named by the base URL, or else by the model (as the Azure SDKs do).
    const deployment = /\/deployments\/[^/]+/i.test(base) ? '' : `/deployments/${encodeURIComponent(opts.model)}`;
    url = new URL(`${base}${deployment}/chat/completions`);
    url.searchParams.set('api-version', opts.apiVersion);
    auth['api-key'] = opts.apiKey;
  } else {
    url = new URL(`${base}/chat/completions`);
    auth.authorization = `Bearer ${opts.apiKey}`;
  }
  const common = { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...auth };
  return {
    url,
    headers: { ...common, accept: 'application/json', ...opts.defaultHeaders },
    streamHeaders: { ...common, accept: 'text/event-stream', ...opts.defaultHeaders },
  };
}
