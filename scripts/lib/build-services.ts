// Compiles each service's entry point into one JavaScript file, `dist/<service>/main.mjs`, so a
// deployed process never loads Node's TypeScript stripper: it is a WebAssembly module that costs
// ~23 MB per isolate, twice in a worker (its lock-keeper thread is a second isolate), and the
// ~700–980 separate module records of a source run cost more (docs/BENCHMARKS.md, "Compiled
// JavaScript"). Tests and `./steward demo` keep running the sources.
//
// Two things in the sources locate files relative to their own module, which a bundle moves:
// - `new URL('./x.ts', import.meta.url)` names a module started on its own (the lock keeper's
//   worker thread). It is compiled as a second entry beside the bundle (`x.mjs`), and the
//   reference is rewritten to it.
// - any other `import.meta.url` (assets such as `../../public/chat.html`, `createRequire` for
//   js-tiktoken's rank files and the jieba addon, the archive's migrations) is rewritten to the
//   URL of the original source file, found relative to the bundle: the image ships the
//   repository tree, so those files are where the sources expect them.
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions as EsbuildOptions, type Metafile, type Plugin } from 'esbuild';
import { z } from 'zod';

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

/**
 * Packages left as imports of node_modules instead of being bundled: they find files of their
 * own at run time (bull-board's UI, the OpenTelemetry gRPC exporter's protobuf definitions) or
 * load an optional native addon (pg-native, msgpackr-extract).
 */
const EXTERNAL = [
  '@bull-board/api',
  '@bull-board/fastify',
  '@bull-board/ui',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  '@opentelemetry/exporter-trace-otlp-grpc',
  'protobufjs',
  'pg-native',
  'msgpackr-extract',
  '@node-rs/jieba',
];

/** Where a compiled service's entry point is (whether or not it has been built). */
export function compiledMain(service: string, dist = DIST): string {
  return join(dist, service, 'main.mjs');
}

/** The entry point to run for a service: the compiled one when `compiled`, else its sources. */
export function mainOf(service: string, compiled: boolean, dist = DIST): string {
  return compiled ? compiledMain(service, dist) : join(ROOT, 'services', service, 'src', 'main.ts');
}

const BuildRecord = z.object({ service: z.string(), files: z.array(z.string()), builtAtMs: z.number(), inputs: z.array(z.string()) });
type BuildRecord = z.infer<typeof BuildRecord>;

/**
 * True when `service` has a compiled entry in `dist` that is newer than every workspace file it
 * was built from (and the lockfile): a benchmark then runs the code of the tree, not an old build.
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

const BANNER = [
  "import { createRequire as __stewardRequire } from 'node:module';",
  "import { fileURLToPath as __stewardFileURLToPath } from 'node:url';",
  "import { dirname as __stewardDirname } from 'node:path';",
  'const require = __stewardRequire(import.meta.url);',
].join(' ');

/** Stands for the bundle's own import.meta.url while the source's ones are rewritten. */
const BUNDLE_URL = '__stewardBundleUrl__';
const WORKER_URL = /new URL\(\s*(['"])(\.{1,2}\/[^'"$]+)\.ts\1\s*,\s*import\.meta\.url\s*\)/g;

/** Rewrites the sources' `import.meta` (see the header) and records the worker entries found. */
function relocate(outdir: string, workers: Map<string, string>): Plugin {
  const rel = (file: string) => {
    const r = relative(outdir, file).split('\\').join('/');
    return r.startsWith('.') ? r : `./${r}`;
  };
  return {
    name: 'steward-relocate',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes('/node_modules/')) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta')) return { contents: text, loader: 'ts' };
        const contents = text
          .replace(WORKER_URL, (_m, _q: string, spec: string) => {
            const source = resolve(dirname(args.path), `${spec}.ts`);
            const name = basename(spec);
            const seen = workers.get(name);
            if (seen && seen !== source) throw new Error(`two worker entries named ${name}: ${seen}, ${source}`);
            workers.set(name, source);
            return `new URL(${JSON.stringify(`./${name}.mjs`)}, ${BUNDLE_URL})`;
          })
          .replaceAll('import.meta.url', `new URL(${JSON.stringify(rel(args.path))}, import.meta.url).href`)
          .replaceAll(BUNDLE_URL, 'import.meta.url')
          .replaceAll('import.meta.filename', `__stewardFileURLToPath(new URL(${JSON.stringify(rel(args.path))}, import.meta.url))`)
          .replaceAll('import.meta.dirname', `__stewardDirname(__stewardFileURLToPath(new URL(${JSON.stringify(rel(args.path))}, import.meta.url)))`);
        return { contents, loader: 'ts' };
      });
    },
  };
}

/**
 * An external package is imported by its path inside node_modules/.pnpm, relative to the
 * bundle: pnpm links a package's dependencies only into the node_modules of the packages that
 * declare them, so a bare specifier would not resolve from dist/.
 */
function externals(outdir: string, all: boolean): Plugin {
  // `all`: every package of node_modules (a bare specifier, not `node:` nor the workspace's).
  const filter = all ? /^[^./]/ : new RegExp(`^(${EXTERNAL.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})(/.*)?$`);
  return {
    name: 'steward-externals',
    setup(b) {
      b.onResolve({ filter }, async (args) => {
        if (args.pluginData === 'steward-externals' || /^(node:|@steward\/)/.test(args.path)) return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'steward-externals' });
        // An optional dependency that is not installed (pg-native): left as it is, so the
        // package's own try/catch around the import sees it missing, as it would unbundled.
        if (r.errors.length > 0 || r.external) return { path: args.path, external: true };
        const p = relative(outdir, r.path).split('\\').join('/');
        return { path: p.startsWith('.') ? p : `./${p}`, external: true };
      });
    },
  };
}

export interface BuildResult {
  service: string;
  files: string[];
  ms: number;
}

/**
 * Builds the given services into `dist/<service>/`: `main.mjs`, the worker entries it names
 * (`lock-keeper-thread.mjs`), their source maps, and `build.json` (what was built from which
 * workspace files, when: see isCurrent).
 */
export interface BuildOptions {
  dist?: string;
  /**
   * `bundle` (default): node_modules packages go into the bundle, but for EXTERNAL. `external`:
   * every package stays a module of its own, loaded from node_modules as from the sources (only
   * the workspace's code is compiled): the per-module alternative, kept to measure against.
   */
  nodeModules?: 'bundle' | 'external';
}

export async function buildServices(services: readonly string[] = SERVICES, o: BuildOptions = {}): Promise<BuildResult[]> {
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
      // default: Node parses a 2 MB map at start and it cost 50–65 MB resident per process
      // (docs/BENCHMARKS.md, "Compiled JavaScript"). Unminified, a trace's frame without the map
      // still names the function, and the bundle marks each source file with a comment.
      sourcemap: 'linked',
      sourcesContent: false,
      // CommonJS packages bundled into an ES module still call require() for Node's builtins.
      // (and the helpers the rewritten import.meta.filename / dirname use).
      banner: { js: BANNER },
      logLevel: 'warning',
      metafile: true,
      absWorkingDir: ROOT,
      plugins: [relocate(outdir, workers), externals(outdir, o.nodeModules === 'external')],
    };
    // The clock is read before the sources are: a file saved during the build makes it stale.
    const builtAtMs = Date.now();
    const inputs = new Set<string>(['pnpm-lock.yaml']);
    const note = (m: Metafile | undefined) => Object.keys(m?.inputs ?? {}).forEach((f) => f.includes('node_modules/') || inputs.add(f));
    note((await build({ ...common, entryPoints: { main: join(ROOT, 'services', service, 'src', 'main.ts') } })).metafile);
    // Worker entries may name workers of their own: build until none is new.
    const built = new Set<string>();
    for (let pending = [...workers].filter(([n]) => !built.has(n)); pending.length > 0; pending = [...workers].filter(([n]) => !built.has(n))) {
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
