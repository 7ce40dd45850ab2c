/**
 * A hash as a script returns it (HGETALL inside Lua gives the flat field, value, … list that
 * ioredis only turns into an object for a plain HGETALL), as that object.
 */
export function hashOfReply(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}
