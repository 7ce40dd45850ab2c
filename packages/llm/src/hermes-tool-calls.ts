// Ollama and vLLM servers started without a tool parser hand back what the model wrote: tool
// calls as text in the hermes / Qwen format, `<tool_call>{"name": …, "arguments": {…}}</tool_call>`,
// in `content`. Those blocks are taken out of the text and returned as calls.

export interface TextToolCall {
  name: string;
  /** The JSON text of the arguments, or the raw block when it could not be read. */
  arguments: string;
  /** Set when the block was not a JSON object with a name. */
  error?: string;
}

const BLOCK = /<tool_call>([\s\S]*?)(?:<\/tool_call>|$)/g;

export function extractTextToolCalls(content: string): { calls: TextToolCall[]; rest: string } | null {
  if (!content.includes('<tool_call>')) return null;
  const calls: TextToolCall[] = [];
  for (const m of content.matchAll(BLOCK)) calls.push(readBlock(m[1] ?? '', m[0].endsWith('</tool_call>')));
  const rest = content.replace(BLOCK, '').trim();
  return { calls, rest };
}

function readBlock(raw: string, closed: boolean): TextToolCall {
  const body = raw.trim();
  const name = /"name"\s*:\s*"([^"]+)"/.exec(body)?.[1] ?? '';
  if (!closed) return { name, arguments: body, error: 'the <tool_call> block is not closed' };
  try {
    const v = JSON.parse(body) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { name, arguments: body, error: 'the <tool_call> block is not a JSON object' };
    const o = v as Record<string, unknown>;
    if (typeof o.name !== 'string' || o.name === '') return { name, arguments: body, error: 'the <tool_call> block has no "name"' };
    const args = o.arguments ?? o.parameters ?? {};
    return { name: o.name, arguments: typeof args === 'string' ? args : JSON.stringify(args) };
  } catch (e) {
    return { name, arguments: body, error: `the <tool_call> block is not valid JSON (${(e as Error).message})` };
  }
}
