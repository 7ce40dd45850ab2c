// Offline checks of the Prometheus config and alert rules, and of their links to the rest: the
// scrape target is ingress, rules are mounted where the config reads them, every alert names a
// RUNBOOK section that exists, and every metric an alert or a KEDA trigger uses is one the
// dashboard knows (so a renamed metric is caught in one test run).
import { describe, it, expect } from 'vitest';
import { arr, metricNames, obj, readText, readYaml, str } from './repo-files.ts';
import { K8S, KUSTOMIZATIONS, kindOf, rawObjects } from './k8s-resources.ts';

const config = obj(readYaml('infra/prometheus/prometheus.yml'), 'prometheus.yml');
const rules = arr(obj(readYaml('infra/prometheus/alerts.yml'), 'alerts.yml').groups, 'groups').flatMap((g) =>
  arr(obj(g, 'group').rules, 'rules').map((r) => obj(r, 'rule')),
);
const dashboard = obj(JSON.parse(readText('infra/grafana/dashboards/steward.json')), 'dashboard');
const dashboardMetrics = new Set(
  arr(obj(dashboard.templating, 'templating').list, 'list')
    .map((v) => obj(v, 'variable'))
    .filter((v) => v.type === 'constant')
    .map((v) => str(v.query, 'query')),
);

/** GitHub-style anchors of the markdown headings. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    out.add(
      (m[1] ?? '')
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return out;
}

describe('infra/prometheus', () => {
  it('scrapes ingress /metrics on the compose network', () => {
    const jobs = arr(config.scrape_configs, 'scrape_configs').map((j) => obj(j, 'job'));
    const ingress = jobs.find((j) => j.job_name === 'steward-ingress');
    expect(ingress?.metrics_path).toBe('/metrics');
    const targets = arr(ingress?.static_configs, 'static_configs').flatMap((s) =>
      arr(obj(s, 's').targets, 'targets'),
    );
    expect(targets).toContain('ingress:3000');
  });

  it('reads its rule file from where docker-compose mounts it', () => {
    const compose = obj(readYaml('docker-compose.yml'), 'compose');
    const prom = obj(obj(compose.services, 'services').prometheus, 'prometheus');
    const mounts = arr(prom.volumes, 'volumes').map(String);
    for (const file of arr(config.rule_files, 'rule_files').map(String)) {
      expect(
        mounts.some((m) => m.startsWith('./infra/prometheus/') && m.split(':')[1] === file),
        file,
      ).toBe(true);
    }
  });

  it('has alerts for backlog growth, 429 storms, loop warnings, dead deliveries and unclaimed handoffs', () => {
    const names = rules.map((r) => r.alert);
    for (const a of [
      'StewardQueueBacklogGrowing',
      'StewardLlmRateLimitStorm',
      'StewardLoopWarnings',
      'StewardDeadDeliveries',
      'StewardHandoffsUnclaimed',
    ]) {
      expect(names).toContain(a);
    }
  });

  it('gives every alert an expression, a severity and a RUNBOOK section that exists', () => {
    const runbook = anchors(readText('docs/RUNBOOK.md'));
    for (const r of rules) {
      const name = str(r.alert, 'alert');
      expect(str(r.expr, `${name}.expr`).trim().length).toBeGreaterThan(0);
      expect(['warning', 'critical']).toContain(obj(r.labels, `${name}.labels`).severity);
      const link = str(obj(r.annotations, `${name}.annotations`).runbook, `${name}.runbook`);
      const [file, anchor] = link.split('#');
      expect(file).toBe('docs/RUNBOOK.md');
      expect(runbook.has(anchor ?? ''), `${name} -> #${anchor}`).toBe(true);
    }
  });

  it('uses only metrics the dashboard knows, in alerts and in KEDA triggers', () => {
    const used = new Set<string>();
    for (const r of rules) for (const n of metricNames(str(r.expr, 'expr'))) used.add(n);
    for (const dir of KUSTOMIZATIONS.filter((d) => d.startsWith(K8S))) {
      for (const { object } of rawObjects(dir)) {
        if (kindOf(object) !== 'ScaledObject') continue;
        for (const t of arr(obj(object.spec, 'spec').triggers, 'triggers')) {
          for (const n of metricNames(str(obj(obj(t, 't').metadata, 'm').query, 'query'))) used.add(n);
        }
      }
    }
    expect(used.size).toBeGreaterThan(0);
    for (const n of used) expect(dashboardMetrics.has(n), n).toBe(true);
  });
});
