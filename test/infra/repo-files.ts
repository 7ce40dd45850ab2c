// Helpers for the offline checks of the deployment files: paths from the repository root, YAML
// parsing (merge keys on: docker-compose uses anchors) and narrowing of parsed values.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { parseAllDocuments, parse } from 'yaml';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every process of steward; each runs from the one image as services/<name>/src/main.ts. */
export const STEWARD_SERVICES = [
  'ingress',
  'reasoning-worker',
  'controller',
  'tool-worker',
  'deliveries',
  'tracer',
  'shop',
  'sim-llm',
] as const;
/** Queue consumers: no published port, scaled by replica count. */
export const WORKERS = ['reasoning-worker', 'controller', 'tool-worker', 'deliveries', 'tracer'] as const;

export type Obj = Record<string, unknown>;

export function rootPath(...parts: string[]): string {
  return join(ROOT, ...parts);
}

export function readText(relPath: string): string {
  return readFileSync(rootPath(relPath), 'utf8');
}

export function pathExists(relPath: string): boolean {
  return existsSync(rootPath(relPath));
}

export function isDir(relPath: string): boolean {
  return pathExists(relPath) && statSync(rootPath(relPath)).isDirectory();
}

/** One YAML document; throws with the file name on a syntax error. */
export function readYaml(relPath: string): unknown {
  return parse(readText(relPath), { merge: true, prettyErrors: true });
}

/** Every document of a multi-document YAML file (empty documents dropped). */
export function readYamlDocs(relPath: string): unknown[] {
  const docs = parseAllDocuments(readText(relPath), { merge: true, prettyErrors: true });
  if (!Array.isArray(docs)) throw new Error(`${relPath}: not a YAML stream`);
  return docs
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`${relPath}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS({ maxAliasCount: 100 }) as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

export function parseYamlDocs(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((d) => d !== null && d !== undefined);
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Narrow to an object, failing the test with a path that says where. */
export function obj(v: unknown, where: string): Obj {
  if (!isObj(v)) throw new Error(`${where}: expected a mapping, got ${JSON.stringify(v)}`);
  return v;
}

export function arr(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${where}: expected a list, got ${JSON.stringify(v)}`);
  return v;
}

export function str(v: unknown, where: string): string {
  if (typeof v !== 'string') throw new Error(`${where}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

/** Files (relative to the root) under a folder, recursively, with one of the extensions. */
export function listFiles(relDir: string, exts: string[]): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(rootPath(relDir), { withFileTypes: true })) {
    const rel = join(relDir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(rel, exts));
    else if (exts.some((e) => entry.name.endsWith(e))) out.push(rel);
  }
  return out.sort();
}

/** kubectl ships kustomize; when it is installed, the overlays are also built for real. */
export function kubectlAvailable(): boolean {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  return r.status === 0;
}

export function kustomizeBuild(relDir: string): unknown[] {
  const r = spawnSync('kubectl', ['kustomize', rootPath(relDir)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${relDir} failed: ${r.stderr}`);
  return parseYamlDocs(r.stdout);
}

/** steward_* and gen_ai_* metric names in a PromQL text, histogram suffixes removed. */
export function metricNames(promql: string): Set<string> {
  const names = new Set<string>();
  // Label names (gen_ai_token_type) sit in grouping clauses and selectors: drop those first.
  const withoutLabels = promql
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\{[^}]*\}/g, ' ');
  for (const m of withoutLabels.matchAll(/\b(?:steward|gen_ai)_[a-z0-9_]+/g)) {
    names.add(m[0].replace(/_(bucket|sum|count)$/, ''));
  }
  return names;
}
