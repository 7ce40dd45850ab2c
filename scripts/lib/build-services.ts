// Compiles each service's entry point into one JavaScript file, `dist/<service>/main.mjs`, so a
// deployed process never loads Node's TypeScript stripper: it is a WebAssembly module that costs
// ~23 MB per isolate, twice in a worker (its lock-keeper thread is a second isolate), and the
// ~700–980 separate module records of a source run cost more (docs/BENCHMARKS.md, "Compiled
// JavaScript"). Tests and `./steward demo` keep running the sources.
//
// The esbuild plugins that make the bundle find what the sources find are in bundle-plugins.ts.
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions as EsbuildOptions, type Metafile } from 'esbuild';
import { z } from 'zod';
import { BANNER, externals, relocate } from './bundle-plugins.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(ROOT, 'dist');

/** Every service with an entry point, `services/<name>/src/main.ts`. */
export const SERVICES = [
  'ingress',
  'reasoning-worker',
  'controller',
  'tool-worker',
  'deliveries',
  'tracer',
  'archiver',
  'shop',
  'sim-llm',
] as const;
export type Service = (typeof SERVICES)[number];

/** Where a compiled service's entry point is (whether or not it has been built). */
export function compiledMain(service: string, dist = DIST): string {
  return join(dist, service, 'main.mjs');
}

/** The entry point to run for a service: the compiled one when `compiled`, else its sources. */
export function mainOf(service: string, compiled: boolean, dist = DIST): string {
  return compiled ? compiledMain(service, dist) : join(ROOT, 'services', service, 'src', 'main.ts');
}

const BuildRecord = z.object({
  service: z.string(),
  files: z.array(z.string()),
  builtAtMs: z.number(),
  inputs: z.array(z.string()),
});
type BuildRecord = z.infer<typeof BuildRecord>;

/**
 * True when `service` has a compiled entry in `dist` that is newer than every workspace file it
 * was built from (and the lockfile and the build's code): a benchmark then runs the code of the tree, not an old build.
 */
export function isCurrent(service: string, dist = DIST): boolean {
  const record = join(dist, service, 'build.json');
  if (!existsSync(compiledMain(service, dist)) || !existsSync(record)) return false;
  const parsed = BuildRecord.safeParse(JSON.parse(readFileSync(record, 'utf8')));
  if (!parsed.success) return false;
  const { builtAtMs, inputs } = parsed.data;
  return inputs.every((f) => existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).mtimeMs <= builtAtMs);
}

/** Builds the services whose build is missing or older than their sources; returns those built. */
export async function ensureBuilt(services: readonly string[], o: BuildOptions = {}): Promise<string[]> {
  const stale = services.filter((s) => !isCurrent(s, o.dist));
  if (stale.length > 0) await buildServices(stale, o);
  return stale;
}

export interface BuildResult {
  service: string;
  files: string[];
  ms: number;
}

export interface BuildOptions {
  dist?: string;
  /**
   * `bundle` (default): node_modules packages go into the bundle, but for EXTERNAL. `external`:
   * every package stays a module of its own, loaded from node_modules as from the sources (only
   * the workspace's code is compiled): the per-module alternative, kept to measure against.
   */
  nodeModules?: 'bundle' | 'external';
  /**
   * Minify whitespace and syntax (default true; identifiers are kept, so a stack trace still
   * names its functions): 5–11 MB less resident per worker at idle than the readable bundle.
   */
  minify?: boolean;
}

/**
 * Builds the given services into `dist/<service>/`: `main.mjs`, the worker entries it names
 * (`lock-keeper-thread.mjs`), their source maps, and `build.json` (what was built from which
 * workspace files, when: see isCurrent).
 */
export async function buildServices(
  services: readonly string[] = SERVICES,
  o: BuildOptions = {},
): Promise<BuildResult[]> {
  const dist = o.dist ?? DIST;
  const out: BuildResult[] = [];
  for (const service of services) {
    const t0 = performance.now();
    const outdir = join(dist, service);
    rmSync(outdir, { recursive: true, force: true });
    const workers = new Map<string, string>();
    const common: EsbuildOptions = {
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      outdir,
      outExtension: { '.js': '.mjs' },
      // Maps beside the bundle, read only by `node --enable-source-maps` (stack traces then point
      // into the sources, which the image ships, so the maps need not carry them). Not on by
      // default: Node parses a 2 MB map at start and it cost 49–68 MB resident per process
      // (docs/BENCHMARKS.md, "Compiled JavaScript"). Without the map a trace's frame still names
      // its function (identifiers are not minified).
      sourcemap: 'linked',
      sourcesContent: false,
      banner: { js: BANNER },
      ...(o.minify !== false ? { minifyWhitespace: true, minifySyntax: true } : {}),
      logLevel: 'warning',
      metafile: true,
      absWorkingDir: ROOT,
      plugins: [relocate(outdir, workers), externals(outdir, o.nodeModules === 'external')],
    };
    // The clock is read before the sources are: a file saved during the build makes it stale.
    const builtAtMs = Date.now();
    // The build's own code counts as an input: a change to it makes every build stale.
    const inputs = new Set<string>([
      'pnpm-lock.yaml',
      'scripts/lib/build-services.ts',
      'scripts/lib/bundle-plugins.ts',
    ]);
    const note = (m: Metafile | undefined) =>
      Object.keys(m?.inputs ?? {}).forEach((f) => f.includes('node_modules/') || inputs.add(f));
    note(
      (await build({ ...common, entryPoints: { main: join(ROOT, 'services', service, 'src', 'main.ts') } }))
        .metafile,
    );
    // Worker entries may name workers of their own: build until none is new.
    const built = new Set<string>();
    for (
      let pending = [...workers].filter(([n]) => !built.has(n));
      pending.length > 0;
      pending = [...workers].filter(([n]) => !built.has(n))
    ) {
      note((await build({ ...common, entryPoints: Object.fromEntries(pending) })).metafile);
      for (const [n] of pending) built.add(n);
    }
    const files = ['main.mjs', ...[...built].map((n) => `${n}.mjs`)];
    const record: BuildRecord = { service, files, builtAtMs, inputs: [...inputs].sort() };
    writeFileSync(join(outdir, 'build.json'), `${JSON.stringify(record, null, 2)}\n`);
    out.push({ service, files, ms: Math.round(performance.now() - t0) });
  }
  return out;
}
