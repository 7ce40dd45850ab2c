// The esbuild plugins of scripts/build.ts (lib/build-services.ts). A bundle lives in
// dist/<service>/, not beside its sources, and two things in the sources locate files relative
// to their own module:
// - `new URL('./x.ts', import.meta.url)` names a module started on its own (the lock keeper's
//   worker thread). It is compiled as a second entry beside the bundle (`x.mjs`), and the
//   reference is rewritten to it.
// - any other `import.meta.url` (assets such as `../../public/chat.html`, `createRequire` for
//   js-tiktoken's rank files and the jieba addon, the archive's migrations) is rewritten to the
//   URL of the original source file, found relative to the bundle: the image ships the
//   repository tree, so those files are where the sources expect them.
import { readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import type { Plugin } from 'esbuild';

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

/**
 * CommonJS packages bundled into an ES module still call require() for Node's builtins; the
 * rewritten import.meta.filename / dirname use the other two.
 */
export const BANNER = [
  "import { createRequire as __stewardRequire } from 'node:module';",
  "import { fileURLToPath as __stewardFileURLToPath } from 'node:url';",
  "import { dirname as __stewardDirname } from 'node:path';",
  'const require = __stewardRequire(import.meta.url);',
].join(' ');

/** Stands for the bundle's own import.meta.url while the source's ones are rewritten. */
const BUNDLE_URL = '__stewardBundleUrl__';
const WORKER_URL = /new URL\(\s*(['"])(\.{1,2}\/[^'"$]+)\.ts\1\s*,\s*import\.meta\.url\s*\)/g;

/** Rewrites the sources' `import.meta` (see the header) and records the worker entries found. */
export function relocate(outdir: string, workers: Map<string, string>): Plugin {
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
            if (seen && seen !== source)
              throw new Error(`two worker entries named ${name}: ${seen}, ${source}`);
            workers.set(name, source);
            return `new URL(${JSON.stringify(`./${name}.mjs`)}, ${BUNDLE_URL})`;
          })
          .replaceAll('import.meta.url', `new URL(${JSON.stringify(rel(args.path))}, import.meta.url).href`)
          .replaceAll(BUNDLE_URL, 'import.meta.url')
          .replaceAll(
            'import.meta.filename',
            `__stewardFileURLToPath(new URL(${JSON.stringify(rel(args.path))}, import.meta.url))`,
          )
          .replaceAll(
            'import.meta.dirname',
            `__stewardDirname(__stewardFileURLToPath(new URL(${JSON.stringify(rel(args.path))}, import.meta.url)))`,
          );
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
export function externals(outdir: string, all: boolean): Plugin {
  // `all`: every package of node_modules (a bare specifier, not `node:` nor the workspace's).
  const filter = all
    ? /^[^./]/
    : new RegExp(`^(${EXTERNAL.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')})(/.*)?$`);
  return {
    name: 'steward-externals',
    setup(b) {
      b.onResolve({ filter }, async (args) => {
        if (args.pluginData === 'steward-externals' || /^(node:|@steward\/)/.test(args.path))
          return undefined;
        const r = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          pluginData: 'steward-externals',
        });
        // An optional dependency that is not installed (pg-native): left as it is, so the
        // package's own try/catch around the import sees it missing, as it would unbundled.
        if (r.errors.length > 0 || r.external) return { path: args.path, external: true };
        const p = relative(outdir, r.path).split('\\').join('/');
        return { path: p.startsWith('.') ? p : `./${p}`, external: true };
      });
    },
  };
}
