// Reads redis.conf directives (last one wins, as in Redis itself).
export function redisDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key !== undefined) out.set(key.toLowerCase(), rest.join(' '));
  }
  return out;
}
