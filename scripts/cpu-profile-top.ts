// Top self-time functions and files of each V8 CPU profile that `node scripts/bench.ts --cpu-prof
// DIR` wrote (one sub-directory per service process), so the breakdown per role in
// docs/BENCHMARKS.md can be re-made from a run.
//
//   node scripts/cpu-profile-top.ts DIR [--top 12]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { PROFILE_WINDOW_FILE } from '../test/bench/profile-window.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values: a, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '12' } } });
const dir = positionals[0];
if (!dir) throw new Error('usage: node scripts/cpu-profile-top.ts DIR [--top 12]');
const top = Number(a.top);
const ROOT = new URL('../', import.meta.url).pathname;
// The bench's measured window (monotonic µs, the profiles' clock); without it the whole lifetime counts.
const windowFile = join(dir, PROFILE_WINDOW_FILE);
const win = existsSync(windowFile) ? (JSON.parse(readFileSync(windowFile, 'utf8')) as { startUs: number; endUs: number }) : undefined;

/** A short place for a script URL: the package for dependencies, the repo path for our code. */
function placeOf(url: string): string {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

function summarise(file: string): { totalMs: number; fns: [string, number][]; places: [string, number][] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const place = new Map<string, number>();
  let total = 0;
  let at = p.startTime;
  p.samples.forEach((id, i) => {
    const us = p.timeDeltas[i] ?? 0;
    at += us;
    if (win && (at < win.startUs || at > win.endUs)) return;
    const n = byId.get(id);
    if (!n) return;
    const { functionName, url, lineNumber } = n.callFrame;
    // Idle time is not CPU; (program) and (garbage collector) are.
    if (functionName === '(idle)') return;
    total += us;
    const where = placeOf(url);
    const key = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    place.set(where, (place.get(where) ?? 0) + us);
  });
  const sorted = (m: Map<string, number>) => [...m].sort((x, y) => y[1] - x[1]).slice(0, top);
  return { totalMs: total / 1000, fns: sorted(fn), places: sorted(place) };
}

for (const sub of readdirSync(dir).sort()) {
  const d = join(dir, sub);
  if (!statSync(d).isDirectory()) continue;
  for (const f of readdirSync(d).filter((x) => x.endsWith('.cpuprofile'))) {
    const s = summarise(join(d, f));
    const pct = (us: number) => `${((us / 1000 / s.totalMs) * 100).toFixed(1)}%`;
    process.stdout.write(`\n## ${sub} (${f}): ${(s.totalMs / 1000).toFixed(1)} s sampled, not idle${win ? ', measured window only' : ''}\n`);
    process.stdout.write(`by file/package: ${s.places.map(([k, us]) => `${k} ${pct(us)}`).join(' · ')}\n`);
    for (const [k, us] of s.fns) process.stdout.write(`  ${pct(us).padStart(6)}  ${k}\n`);
  }
}
