// The JSON body of a chat-completion request. A worker offers the same few tool arrays turn
// after turn (the reasoning-worker's offers are shared arrays of shared definitions, never
// changed once built), and their JSON is about half of every request: it is serialised once
// per array object and spliced in, so each call serialises only the model, the messages and
// the scalars. The bytes are exactly JSON.stringify of the same object, keys in the same order.

/** The fields of one request body, in the order they are sent. */
export interface RequestBody {
  model: string;
  messages: readonly unknown[];
  tools?: readonly unknown[];
  /** Everything after the tools (tool_choice, max_tokens, temperature, stream…), in order. */
  rest: Record<string, unknown>;
}

const toolsJson = new WeakMap<readonly unknown[], string>();

/** The tool array's JSON, made once per array object (arrays are not changed once offered). */
function jsonOfTools(tools: readonly unknown[]): string {
  let json = toolsJson.get(tools);
  if (json === undefined) toolsJson.set(tools, (json = JSON.stringify(tools)));
  return json;
}

/** `JSON.stringify({model, messages, tools?, ...rest})`, with the tools' JSON reused. */
export function requestBodyJson(b: RequestBody): string {
  const rest = JSON.stringify(b.rest);
  return `{"model":${JSON.stringify(b.model)},"messages":${JSON.stringify(b.messages)}${b.tools ? `,"tools":${jsonOfTools(b.tools)}` : ''}${rest === '{}' ? '' : `,${rest.slice(1, -1)}`}}`;
}
