// Offline checks of the Grafana dashboard and its provisioning: the JSON parses, every panel has
// PromQL, metric names live once (hidden constant variables) and cover the metrics steward
// exports, and the datasource uid is the provisioned one.
import { describe, it, expect } from 'vitest';
import { arr, isObj, metricNames, obj, readText, readYaml, str, type Obj } from './repo-files.ts';

const dashboard = obj(JSON.parse(readText('infra/grafana/dashboards/steward.json')), 'dashboard');
const panels = arr(dashboard.panels, 'panels').map((p) => obj(p, 'panel'));
const variables = arr(obj(dashboard.templating, 'templating').list, 'templating.list').map((v) =>
  obj(v, 'variable'),
);
const constants = new Map(
  variables.filter((v) => v.type === 'constant').map((v) => [str(v.name, 'name'), str(v.query, 'query')]),
);
const queryPanels = panels.filter((p) => p.type !== 'row');
const exprsOf = (p: Obj) =>
  arr(p.targets, `${String(p.title)}.targets`).map((t) => str(obj(t, 'target').expr, 'expr'));

/** Grafana's own variables; everything else used in a query must be defined by the dashboard. */
const BUILTINS = new Set(['__rate_interval', '__range', '__interval', '__all']);

function usedVariables(expr: string): string[] {
  return [...expr.matchAll(/\$\{(\w+)\}|\$(\w+)/g)].map((m) => m[1] ?? m[2] ?? '');
}
function substitute(expr: string): string {
  return expr.replace(/\$\{(\w+)\}/g, (whole, name: string) => constants.get(name) ?? whole);
}
function balanced(text: string): boolean {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  let inString = false;
  for (const ch of text) {
    if (ch === '"') inString = !inString;
    if (inString) continue;
    if ('([{'.includes(ch)) stack.push(ch);
    else if (ch in pairs && stack.pop() !== pairs[ch]) return false;
  }
  return stack.length === 0 && !inString;
}

/** The metrics the views are built on (brief of the dashboard). */
const EXPECTED_METRICS = [
  'steward_queue_jobs',
  'steward_queries_total',
  'steward_query_duration_seconds',
  'steward_query_turns',
  'gen_ai_client_token_usage',
  'steward_llm_cost_usd_total',
  'gen_ai_client_operation_duration_seconds',
  'steward_llm_retries_total',
  'steward_tool_duration_seconds',
  'steward_tool_cache_hits_total',
  'steward_tool_cache_misses_total',
  'steward_loop_warnings_total',
  'steward_handoffs_total',
  'steward_handoff_sla_breaches_total',
  'steward_handoff_wait_seconds',
  'steward_handoff_handling_seconds',
];

/** Metric names the services actually export: the keys of METRICS in @steward/telemetry. */
function exportedMetrics(): Set<string> {
  const src = readText('packages/telemetry/src/metric-defs.ts');
  return new Set([...src.matchAll(/^\s{2}((?:steward|gen_ai)_[a-z0-9_]+):/gm)].map((m) => m[1] ?? ''));
}

describe('infra/grafana/dashboards/steward.json', () => {
  it('is a dashboard with a stable uid and panels', () => {
    expect(dashboard.uid).toBe('steward-overview');
    expect(typeof dashboard.title).toBe('string');
    expect(queryPanels.length).toBeGreaterThanOrEqual(10);
  });

  it('gives every panel at least one non-empty PromQL expression with balanced brackets', () => {
    for (const p of queryPanels) {
      const exprs = exprsOf(p);
      expect(exprs.length, String(p.title)).toBeGreaterThan(0);
      for (const e of exprs) {
        expect(e.trim().length, String(p.title)).toBeGreaterThan(0);
        expect(balanced(substitute(e)), `${String(p.title)}: ${e}`).toBe(true);
      }
    }
  });

  it('keeps every metric name in one place: hidden constants, used by name in the queries', () => {
    // One variable per metric: two would let a rename update only half of the panels.
    expect(new Set(constants.values()).size).toBe(constants.size);
    for (const v of variables.filter((v) => v.type === 'constant')) expect(v.hide).toBe(2);
    for (const name of EXPECTED_METRICS) expect([...constants.values()], name).toContain(name);
    for (const p of queryPanels) {
      for (const e of exprsOf(p)) {
        // No literal metric name in a query: renaming one must be a single edit.
        expect(metricNames(e).size, `${String(p.title)} spells a metric out: ${e}`).toBe(0);
        const names = metricNames(substitute(e));
        expect(names.size, `${String(p.title)} uses a steward metric`).toBeGreaterThan(0);
        for (const n of names) expect([...constants.values()]).toContain(n);
      }
    }
  });

  it('uses only metrics that @steward/telemetry exports', () => {
    const exported = exportedMetrics();
    expect(exported.size).toBeGreaterThan(10);
    for (const name of constants.values()) expect(exported.has(name), `${name} in metric-defs.ts`).toBe(true);
  });

  it('defines every variable its queries use', () => {
    const defined = new Set(variables.map((v) => str(v.name, 'name')));
    const queries = [
      ...queryPanels.flatMap(exprsOf),
      ...variables.filter((v) => v.type === 'query').map((v) => str(v.definition, 'definition')),
    ];
    for (const q of queries) {
      for (const name of usedVariables(q)) {
        if (!BUILTINS.has(name)) expect(defined.has(name), `$${name} in ${q}`).toBe(true);
      }
    }
  });

  it('covers the views operators need', () => {
    const all = queryPanels.flatMap(exprsOf).map(substitute).join('\n');
    expect(all).toMatch(/steward_queue_jobs\{[^}]*state/);
    for (const q of ['0.5', '0.95', '0.99'])
      expect(all).toContain(
        `histogram_quantile(${q}, sum by (le) (rate(steward_query_duration_seconds_bucket`,
      );
    expect(all).toMatch(/sum by \(le, tool\) \(rate\(steward_tool_duration_seconds_bucket/);
    expect(all).toMatch(/gen_ai_token_type/);
    expect(all).toMatch(/steward_tool_cache_hits_total[\s\S]*steward_tool_cache_misses_total/);
    // Human handoff: how long customers wait for a person, and how long the person takes.
    for (const m of ['steward_handoff_wait_seconds', 'steward_handoff_handling_seconds'])
      for (const q of ['0.5', '0.95']) expect(all).toContain(`histogram_quantile(${q}, sum by (le) (rate(${m}_bucket`);
  });

  it('lays panels out on the 24-column grid with unique ids', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      const g = obj(p.gridPos, 'gridPos');
      expect((g.x as number) + (g.w as number)).toBeLessThanOrEqual(24);
      expect(g.h as number).toBeGreaterThan(0);
    }
  });

  it('reads from the provisioned Prometheus datasource', () => {
    const provisioned = obj(readYaml('infra/grafana/provisioning/datasources/prometheus.yml'), 'datasources');
    const [ds] = arr(provisioned.datasources, 'datasources').map((d) => obj(d, 'ds'));
    expect(ds?.type).toBe('prometheus');
    expect(ds?.url).toBe('http://prometheus:9090');
    const dsVar = variables.find((v) => v.type === 'datasource');
    expect(obj(dsVar?.current, 'current').value).toBe(ds?.uid);
    for (const p of queryPanels) {
      const pds = p.datasource;
      expect(isObj(pds) && pds.uid === '${datasource}', String(p.title)).toBe(true);
    }
    const providers = obj(readYaml('infra/grafana/provisioning/dashboards/steward.yml'), 'providers');
    const [provider] = arr(providers.providers, 'providers').map((p) => obj(p, 'provider'));
    expect(obj(provider?.options, 'options').path).toBe('/var/lib/grafana/dashboards');
  });
});
