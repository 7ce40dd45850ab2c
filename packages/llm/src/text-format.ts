// The ReAct text format for models without native tool calling, and how to explain it to them.
import { z } from 'zod';

/** Any tool-like thing: a ToolSpec of @steward/tools (zod parameters) or a JSON-schema one. */
export interface TextTool {
  name: string;
  description: string;
  parameters: z.ZodType | Record<string, unknown>;
}

export const TEXT_FORMAT_INSTRUCTIONS = [
  'To use a tool, reply in exactly this format:',
  'Thought: <your reasoning about what to do next>',
  'Action: <tool_name> | {"argument": "value"}',
  'You may write several Action lines to call tools in parallel. Then stop and wait: the results come back as Observation.',
  'When you can answer the customer, reply:',
  'Thought: <your reasoning>',
  'Final Answer: <your reply to the customer>',
].join('\n');

function jsonSchemaOf(p: TextTool['parameters']): Record<string, unknown> {
  // instanceof fails across two copies of zod; the `_zod` marker does not.
  if (p instanceof z.ZodType || '_zod' in p) return z.toJSONSchema(p as z.ZodType, { unrepresentable: 'any' });
  return p;
}

/** One line per argument: `name (type, required): description`. */
function renderArgs(schema: Record<string, unknown>): string[] {
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => {
    const type = typeof s.type === 'string' ? s.type : Array.isArray(s.enum) ? `one of ${s.enum.map((x) => JSON.stringify(x)).join(', ')}` : 'any';
    const itemType = s.type === 'array' && s.items && typeof s.items === 'object' ? (s.items as Record<string, unknown>).type : undefined;
    const items = s.type === 'array' ? ` of ${typeof itemType === 'string' ? itemType : 'any'}` : '';
    const desc = typeof s.description === 'string' ? `: ${s.description}` : '';
    return `    - ${name} (${type}${items}${required.has(name) ? ', required' : ''})${desc}`;
  });
}

/**
 * The tool list for the system prompt of a text-format model. Append TEXT_FORMAT_INSTRUCTIONS
 * after it (kept apart so a prompt that already explains the format does not repeat it).
 */
export function renderToolsAsText(tools: readonly TextTool[]): string {
  const lines = ['You can use these tools:'];
  for (const t of tools) {
    lines.push(`- ${t.name}: ${t.description.trim()}`);
    const args = renderArgs(jsonSchemaOf(t.parameters));
    lines.push(...(args.length ? ['  arguments:', ...args] : ['  arguments: none ({})']));
  }
  return lines.join('\n');
}

/** Appended to a parse error so the model can fix its next reply. */
export function formatReminder(): string {
  return `Reply again using the required format.\n${TEXT_FORMAT_INSTRUCTIONS}`;
}
