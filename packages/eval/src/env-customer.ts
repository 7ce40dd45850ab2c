// The simulated customer of `--model env`: a configured model prompted with the task's
// instruction, as τ-bench's user simulator is. It speaks one message at a time and says
// ###STOP### when its goal is met (or cannot be).
import { z } from 'zod';

export interface ChatEndpoint {
  baseUrl: string;
  apiKey: string;
  model: string;
}

const Completion = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable().optional() }) })).min(1),
});

export const STOP = '###STOP###';

function systemPrompt(instruction: string): string {
  return [
    'You are a customer talking to a customer-service agent of an online shop. Your goal and what you know:',
    instruction,
    'Rules: write one short message at a time, as the customer. Do not reveal everything at once: give what the agent asks for.',
    'Never invent information that is not in your goal (ids, addresses, card numbers): say you do not know.',
    `When your goal is done, or cannot be done, reply with exactly ${STOP} and nothing else.`,
  ].join('\n');
}

export interface EnvCustomer {
  /** The customer's next message after the agent said `agent` (null at the start); null = conversation over. */
  next(agent: string | null): Promise<string | null>;
}

export function envCustomer(instruction: string, ep: ChatEndpoint): EnvCustomer {
  // The customer model sees the agent as "user" and itself as "assistant", as τ-bench's does.
  const messages: { role: 'system' | 'user' | 'assistant'; content: string }[] = [
    { role: 'system', content: systemPrompt(instruction) },
  ];
  return {
    async next(agent) {
      messages.push({ role: 'user', content: agent ?? 'Hi! How can I help you today?' });
      const res = await fetch(`${ep.baseUrl.replace(/\/$/, '')}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ep.apiKey}` },
        body: JSON.stringify({ model: ep.model, messages, temperature: 0 }),
      });
      if (!res.ok)
        throw new Error(
          `customer model answered HTTP ${res.status} (retryable if 429 or 5xx): ${(await res.text()).slice(0, 200)}`,
        );
      const text = (Completion.parse(await res.json()).choices[0]!.message.content ?? '').trim();
      messages.push({ role: 'assistant', content: text });
      return text === '' || text.includes(STOP) ? null : text;
    },
  };
}
