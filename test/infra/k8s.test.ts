// Offline checks of the kustomize tree: every referenced file exists and parses, every object is
// well-formed, Deployments are production-shaped, and the KEDA ScaledObjects, PDBs and Services
// point at Deployments that exist. When kubectl is installed the overlays are built for real.
import { describe, it, expect } from 'vitest';
import {
  STEWARD_SERVICES,
  WORKERS,
  arr,
  isObj,
  kubectlAvailable,
  kustomizeBuild,
  listFiles,
  obj,
  parseYamlDocs,
  readYaml,
  readYamlDocs,
  str,
  type Obj,
} from './repo-files.ts';
import {
  K8S,
  KUSTOMIZATIONS,
  containers,
  exists,
  kindOf,
  kustomizationRefs,
  nameOf,
  podLabels,
  podSpec,
  rawObjects,
  selects,
} from './k8s-resources.ts';

const base = rawObjects(`${K8S}/base`).map((r) => r.object);
const ofKind = (objects: Obj[], kind: string) => objects.filter((o) => kindOf(o) === kind);
const byName = (objects: Obj[], kind: string, name: string) =>
  ofKind(objects, kind).find((o) => nameOf(o) === name);

function envValue(container: Obj, name: string): unknown {
  const env = container.env === undefined ? [] : arr(container.env, 'env');
  return env.map((e) => obj(e, 'env')).find((e) => e.name === name)?.value;
}

/** The checks every Deployment of steward must pass, in base and in the built overlays. */
function checkDeployment(d: Obj): void {
  const name = nameOf(d);
  const pod = podSpec(d);
  expect(typeof pod.terminationGracePeriodSeconds, `${name} terminationGracePeriodSeconds`).toBe('number');
  const podSec = obj(pod.securityContext, `${name} pod securityContext`);
  expect(podSec.runAsNonRoot, `${name} runAsNonRoot`).toBe(true);
  expect(podSec.runAsUser, `${name} runAsUser`).not.toBe(0);
  expect(pod.automountServiceAccountToken, `${name} token`).toBe(false);
  for (const c of containers(d)) {
    const ports = (c.ports === undefined ? [] : arr(c.ports, 'ports')).map((p) => obj(p, 'port'));
    for (const probe of ['readinessProbe', 'livenessProbe']) {
      const http = obj(obj(c[probe], `${name} ${probe}`).httpGet, `${name} ${probe}.httpGet`);
      expect(str(http.path, `${name} ${probe} path`)).toMatch(/^\/(healthz|readyz)$/);
      // A named probe port must be one the container declares.
      if (typeof http.port === 'string')
        expect(
          ports.map((p) => p.name),
          `${name} ${probe} port`,
        ).toContain(http.port);
    }
    const resources = obj(c.resources, `${name} resources`);
    for (const k of ['requests', 'limits']) {
      const r = obj(resources[k], `${name} resources.${k}`);
      expect(String(r.cpu), `${name} ${k}.cpu`).toMatch(/^\d+(\.\d+)?m?$/);
      expect(String(r.memory), `${name} ${k}.memory`).toMatch(/^\d+(Ki|Mi|Gi)$/);
    }
    const sec = obj(c.securityContext, `${name} container securityContext`);
    expect(sec.allowPrivilegeEscalation).toBe(false);
    expect(sec.readOnlyRootFilesystem).toBe(true);
    expect(obj(sec.capabilities, 'capabilities').drop).toEqual(['ALL']);
  }
}

describe('kustomize tree (files)', () => {
  it.each(KUSTOMIZATIONS)('%s: every resource and patch it names exists', (dir) => {
    const refs = kustomizationRefs(dir);
    expect(refs.resources.length).toBeGreaterThan(0);
    for (const r of [...refs.resources, ...refs.patchFiles])
      expect(exists(r), `${dir} names ${r}`).toBe(true);
  });

  it('has no YAML file that no kustomization names', () => {
    const named = new Set<string>();
    for (const dir of KUSTOMIZATIONS) {
      const refs = kustomizationRefs(dir);
      for (const r of [...refs.resources, ...refs.patchFiles, `${dir}/kustomization.yaml`]) named.add(r);
    }
    for (const f of listFiles(K8S, ['.yaml', '.yml'])) expect(named.has(f), `${f} is used`).toBe(true);
  });

  it('every object in a resource file has apiVersion, kind and metadata.name', () => {
    for (const dir of KUSTOMIZATIONS) {
      for (const { file, object } of rawObjects(dir)) {
        expect(typeof object.apiVersion, `${file} apiVersion`).toBe('string');
        expect(typeof object.kind, `${file} kind`).toBe('string');
        expect(nameOf(object).length, `${file} name`).toBeGreaterThan(0);
      }
    }
  });

  it('patches parse: JSON6902 operations or objects naming their target', () => {
    for (const dir of KUSTOMIZATIONS) {
      const refs = kustomizationRefs(dir);
      const patches = [
        ...refs.inlinePatches.flatMap((text) => parseYamlDocs(text)),
        ...refs.patchFiles.flatMap((f) => readYamlDocs(f)),
      ];
      for (const p of patches) {
        if (Array.isArray(p)) {
          for (const op of p.map((o) => obj(o, `${dir} patch op`))) {
            expect(['add', 'replace', 'remove']).toContain(op.op);
            expect(str(op.path, 'path')).toMatch(/^\//);
          }
        } else {
          const o = obj(p, `${dir} patch`);
          expect(typeof o.kind).toBe('string');
          expect(nameOf(o).length).toBeGreaterThan(0);
        }
      }
    }
  });
});

describe('k8s base', () => {
  it('has a Deployment for every service, each selecting its own pods and running its SERVICE', () => {
    for (const name of STEWARD_SERVICES) {
      const d = byName(base, 'Deployment', name);
      expect(d && nameOf(d), `Deployment ${name}`).toBe(name);
      const dep = d as Obj;
      expect(selects(obj(dep.spec, 'spec').selector, podLabels(dep))).toBe(true);
      const [c] = containers(dep);
      expect(envValue(c as Obj, 'SERVICE')).toBe(name);
      expect(arr((c as Obj).envFrom, 'envFrom').length).toBe(2);
      checkDeployment(dep);
    }
  });

  it('gives workers their health port and ingress a preStop pause', () => {
    for (const name of WORKERS) {
      const [c] = containers(byName(base, 'Deployment', name) as Obj);
      expect(arr((c as Obj).ports, 'ports').map((p) => obj(p, 'p').containerPort)).toContain(9464);
    }
    const [ingress] = containers(byName(base, 'Deployment', 'ingress') as Obj);
    expect(arr(obj(obj(obj((ingress as Obj).lifecycle, 'lifecycle').preStop, 'preStop').exec, 'exec').command, 'command').length).toBeGreaterThan(0);
    // Slow LLM calls: the reasoning-worker waits longest for active jobs on SIGTERM.
    const rw = podSpec(byName(base, 'Deployment', 'reasoning-worker') as Obj);
    expect(rw.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(45);
  });

  it('has Services for ingress, shop and sim-llm that select their Deployment', () => {
    for (const name of ['ingress', 'shop', 'sim-llm']) {
      const s = byName(base, 'Service', name);
      expect(s && nameOf(s), `Service ${name}`).toBe(name);
      const d = byName(base, 'Deployment', name) as Obj;
      expect(selects(obj((s as Obj).spec, 'spec').selector, podLabels(d))).toBe(true);
    }
  });

  it('has the shared ConfigMap and an example Secret that every Deployment reads', () => {
    const cm = byName(base, 'ConfigMap', 'steward-config') as Obj;
    const data = obj(cm.data, 'data');
    expect(data.REDIS_PREFIX).toBe('{steward}');
    // Probes come from the kubelet, not from 127.0.0.1; the tracer probes on the workers' port.
    expect(data.HOST).toBe('0.0.0.0');
    expect(data.TRACER_PORT).toBe(data.HEALTH_PORT);
    const secret = byName(base, 'Secret', 'steward-secrets') as Obj;
    expect(Object.keys(obj(secret.stringData, 'stringData'))).toEqual(
      expect.arrayContaining([
        'REDIS_URL',
        'OPENAI_API_KEY',
        'INGRESS_API_KEYS',
        'ADMIN_TOKEN',
        'SHOP_API_TOKEN',
      ]),
    );
  });

  it('gives every service at least the variables docker-compose gives it (that file runs for real)', () => {
    const compose = obj(obj(readYaml('docker-compose.yml'), 'compose').services, 'services');
    const cm = Object.keys(obj((byName(base, 'ConfigMap', 'steward-config') as Obj).data, 'data'));
    const secret = Object.keys(
      obj((byName(base, 'Secret', 'steward-secrets') as Obj).stringData, 'stringData'),
    );
    // Compose-only: the τ-bench mount and the test double's latency knob keep their defaults here.
    const composeOnly = new Set(['SHOP_DATA', 'SIM_LLM_LATENCY']);
    for (const name of STEWARD_SERVICES) {
      const d = byName(base, 'Deployment', name) as Obj;
      const [c] = containers(d);
      const own = arr((c as Obj).env, 'env').map((e) => str(obj(e, 'env').name, 'env.name'));
      const available = new Set([...cm, ...secret, ...own]);
      const wanted = Object.keys(obj(obj(compose[name], name).environment, `${name}.environment`));
      for (const key of wanted) {
        if (!composeOnly.has(key)) expect(available.has(key), `${name} gets ${key}`).toBe(true);
      }
      // The port a service listens on is the port its probes use.
      const ports = arr((c as Obj).ports, 'ports').map((p) => obj(p, 'port'));
      const port = envValue(c as Obj, 'PORT');
      if (port !== undefined) expect(ports.map((p) => String(p.containerPort))).toContain(port);
    }
  });

  it('has a PodDisruptionBudget for ingress and every worker, each matching one Deployment', () => {
    const pdbs = ofKind(base, 'PodDisruptionBudget');
    for (const name of ['ingress', ...WORKERS]) {
      const pdb = pdbs.find((p) => nameOf(p) === name);
      expect(pdb && nameOf(pdb), `PDB ${name}`).toBe(name);
      const selector = obj(pdb?.spec, 'spec').selector;
      const matched = ofKind(base, 'Deployment').filter((d) => selects(selector, podLabels(d)));
      expect(matched.map(nameOf)).toEqual([name]);
    }
  });

  it('scales reasoning-worker, tool-worker and deliveries with KEDA on waiting + delayed of their queue', () => {
    const expected: Record<string, string> = {
      'reasoning-worker': 'reasoning',
      'tool-worker': 'tools',
      deliveries: 'deliveries',
    };
    const scaled = ofKind(base, 'ScaledObject');
    expect(scaled.map(nameOf).sort()).toEqual(Object.keys(expected).sort());
    for (const so of scaled) {
      const spec = obj(so.spec, 'spec');
      const target = str(obj(spec.scaleTargetRef, 'scaleTargetRef').name, 'target');
      const d = byName(base, 'Deployment', target);
      expect(d && nameOf(d), `ScaledObject ${nameOf(so)} targets ${target}`).toBe(target);
      // The HPA owns the replica count: a fixed one in the Deployment would fight it.
      expect(obj((d as Obj).spec, 'spec').replicas).toBeUndefined();
      expect(spec.minReplicaCount as number).toBeGreaterThanOrEqual(1);
      expect(spec.maxReplicaCount as number).toBeGreaterThan(spec.minReplicaCount as number);
      expect(obj(spec.fallback, 'fallback').replicas).toEqual(expect.any(Number));
      const [trigger] = arr(spec.triggers, 'triggers').map((t) => obj(t, 'trigger'));
      expect(trigger?.type).toBe('prometheus');
      const meta = obj(trigger?.metadata, 'trigger.metadata');
      const query = str(meta.query, 'query');
      expect(query).toContain('steward_queue_jobs');
      expect(query).toContain(`queue="${expected[target]}"`);
      expect(query).toMatch(/state=~"[^"]*waiting[^"]*"/);
      expect(query).toMatch(/state=~"[^"]*delayed[^"]*"/);
      expect(Number(meta.threshold)).toBeGreaterThan(0);
      expect(meta.ignoreNullValues).toBe('false');
    }
  });
});

describe('k8s overlays (files)', () => {
  const dev = rawObjects(`${K8S}/overlays/dev`).map((r) => r.object);
  const prod = rawObjects(`${K8S}/overlays/production`).map((r) => r.object);

  it('dev runs Redis as a StatefulSet with AOF and noeviction', () => {
    const redis = byName(dev, 'StatefulSet', 'redis') as Obj;
    expect(nameOf(redis)).toBe('redis');
    const [c] = containers(redis);
    const args = arr((c as Obj).args, 'args').map(String);
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    expect(value('--appendonly')).toBe('yes');
    expect(value('--maxmemory-policy')).toBe('noeviction');
    expect(nameOf(byName(dev, 'Service', 'redis') as Obj)).toBe('redis');
  });

  it('production brings no Redis of its own (managed Redis) and no example secret', () => {
    expect(ofKind(prod, 'StatefulSet')).toEqual([]);
    const refs = kustomizationRefs(`${K8S}/overlays/production`);
    const deleted = refs.inlinePatches.filter((p) => p.includes('$patch: delete')).join('\n');
    for (const n of ['sim-llm', 'shop', 'steward-secrets']) expect(deleted).toContain(`name: ${n}`);
  });
});

describe.runIf(kubectlAvailable())('k8s overlays built with kubectl kustomize', () => {
  // Built on first use: a skipped describe still runs its body to collect the tests.
  const cache = new Map<string, Obj[]>();
  const built = (dir: string): Obj[] => {
    const hit = cache.get(dir);
    if (hit !== undefined) return hit;
    const objects = kustomizeBuild(dir).map((o) => obj(o, dir));
    cache.set(dir, objects);
    return objects;
  };

  it.each(KUSTOMIZATIONS)(
    '%s: every Deployment passes the checks and every ScaledObject targets one',
    (dir) => {
      const objects = built(dir);
      const deployments = ofKind(objects, 'Deployment').filter(
        (d) =>
          isObj(obj(d.metadata, 'm').labels) &&
          obj(obj(d.metadata, 'm').labels, 'l')['app.kubernetes.io/part-of'] === 'steward',
      );
      expect(deployments.length).toBeGreaterThan(0);
      deployments.forEach(checkDeployment);
      for (const so of ofKind(objects, 'ScaledObject')) {
        const target = obj(obj(so.spec, 'spec').scaleTargetRef, 'ref').name;
        expect(deployments.map(nameOf), `${dir}: ScaledObject ${nameOf(so)}`).toContain(target);
      }
    },
  );

  it('dev: one namespace, local image, Redis and Jaeger in the cluster, no KEDA objects', () => {
    const objects = built(`${K8S}/overlays/dev`);
    for (const o of objects.filter((o) => kindOf(o) !== 'Namespace')) {
      expect(obj(o.metadata, 'metadata').namespace, nameOf(o)).toBe('steward-dev');
    }
    expect(ofKind(objects, 'ScaledObject')).toEqual([]);
    expect(byName(objects, 'StatefulSet', 'redis')?.kind).toBe('StatefulSet');
    expect(byName(objects, 'Deployment', 'jaeger')?.kind).toBe('Deployment');
    const [c] = containers(byName(objects, 'Deployment', 'ingress') as Obj);
    expect((c as Obj).image).toBe('steward:local');
  });

  it('production: no test double, no reference shop, no example secret, more replicas, KEDA bounds', () => {
    const objects = built(`${K8S}/overlays/production`);
    const names = objects.map((o) => `${kindOf(o)}/${nameOf(o)}`);
    for (const gone of [
      'Deployment/sim-llm',
      'Service/sim-llm',
      'Deployment/shop',
      'Service/shop',
      'Secret/steward-secrets',
    ]) {
      expect(names).not.toContain(gone);
    }
    expect(obj(byName(objects, 'Deployment', 'ingress')?.spec, 'spec').replicas).toBeGreaterThanOrEqual(2);
    const cm = obj(byName(objects, 'ConfigMap', 'steward-config')?.data, 'data');
    expect(String(cm.OPENAI_BASE_URL)).not.toContain('sim-llm');
    expect(String(cm.SHOP_URL)).not.toContain('shop:3100');
    for (const so of ofKind(objects, 'ScaledObject')) {
      const spec = obj(so.spec, 'spec');
      expect(spec.minReplicaCount as number).toBeGreaterThanOrEqual(2);
      // The merge kept the base's scale-down behaviour.
      expect(typeof obj(spec.advanced, 'advanced').horizontalPodAutoscalerConfig).toBe('object');
    }
  });
});
