// Checks with Prometheus's own tool when it is installed (Debian package `prometheus`):
// the config and rule files load, the alert rules pass their unit tests
// (infra/prometheus/alerts.test.yml), and every PromQL expression of the dashboard and of the
// KEDA triggers parses. Without promtool the structural checks of prometheus.test.ts remain.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { arr, obj, readText, readYaml, rootPath, str } from './repo-files.ts';
import { K8S, KUSTOMIZATIONS, kindOf, rawObjects } from './k8s-resources.ts';

function promtool(...args: string[]): { ok: boolean; output: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', cwd: rootPath() });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}
const available = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;

/** Grafana's variables replaced by what Grafana would send for "All" and the time range. */
function grafanaToPromql(expr: string, constants: Map<string, string>): string {
  return expr
    .replace(/\$\{(\w+)\}/g, (whole, name: string) => constants.get(name) ?? whole)
    .replace(/\$__rate_interval/g, '1m')
    .replace(/\$__range/g, '1h')
    .replace(/\$(queue|tool)\b/g, '.*');
}

describe.runIf(available)('promtool', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'steward-promtool-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('loads the alert rules', () => {
    const r = promtool('check', 'rules', 'infra/prometheus/alerts.yml');
    expect(r.ok, r.output).toBe(true);
  });

  it('loads prometheus.yml (rule file path as mounted in compose, mapped to the repository)', () => {
    const config = obj(readYaml('infra/prometheus/prometheus.yml'), 'prometheus.yml');
    const local = { ...config, rule_files: [rootPath('infra/prometheus/alerts.yml')] };
    const file = join(tmp, 'prometheus.yml');
    writeFileSync(file, stringify(local));
    const r = promtool('check', 'config', file);
    expect(r.ok, r.output).toBe(true);
  });

  it('passes the alert unit tests', () => {
    const r = promtool('test', 'rules', 'infra/prometheus/alerts.test.yml');
    expect(r.ok, r.output).toBe(true);
  });

  it('parses every PromQL expression of the dashboard and the KEDA triggers', () => {
    const dashboard = obj(JSON.parse(readText('infra/grafana/dashboards/steward.json')), 'dashboard');
    const variables = arr(obj(dashboard.templating, 'templating').list, 'list').map((v) =>
      obj(v, 'variable'),
    );
    const constants = new Map(
      variables.filter((v) => v.type === 'constant').map((v) => [str(v.name, 'name'), str(v.query, 'query')]),
    );
    const exprs: string[] = [];
    for (const p of arr(dashboard.panels, 'panels').map((x) => obj(x, 'panel'))) {
      if (p.type === 'row') continue;
      for (const t of arr(p.targets, 'targets'))
        exprs.push(grafanaToPromql(str(obj(t, 't').expr, 'expr'), constants));
    }
    for (const dir of KUSTOMIZATIONS.filter((d) => d.startsWith(K8S))) {
      for (const { object } of rawObjects(dir)) {
        if (kindOf(object) !== 'ScaledObject') continue;
        for (const t of arr(obj(object.spec, 'spec').triggers, 'triggers')) {
          exprs.push(str(obj(obj(t, 't').metadata, 'm').query, 'query'));
        }
      }
    }
    expect(exprs.length).toBeGreaterThan(20);
    const rules = {
      groups: [
        {
          name: 'parse-check',
          rules: exprs.map((expr, i) => ({ record: `steward:parse_check_${i}`, expr })),
        },
      ],
    };
    const file = join(tmp, 'exprs.yml');
    writeFileSync(file, stringify(rules));
    const r = promtool('check', 'rules', file);
    expect(r.ok, r.output).toBe(true);
  });
});
