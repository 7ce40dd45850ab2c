// Every queue of the contract must have a consumer that is deployed: a queue nobody consumes
// fills up silently (the deliveries role once ran only inside the demo process, so in
// containers no answer ever reached Slack, WhatsApp or Telegram).
import { describe, it, expect } from 'vitest';
import { QUEUES, QUEUE_CONSUMERS, type QueueName } from '@steward/core';
import { arr, isDir, listFiles, obj, pathExists, readText, readYaml, str, type Obj } from './repo-files.ts';
import { K8S, containers, kindOf, nameOf, rawObjects } from './k8s-resources.ts';

const queues = Object.values(QUEUES) as QueueName[];
const compose = obj(obj(readYaml('docker-compose.yml'), 'docker-compose.yml').services, 'services');
const k8sBase = rawObjects(`${K8S}/base`).map((r) => r.object);

/** Folder of each workspace package by its name (@steward/x → packages/x or services/x). */
function workspaceDirs(): Map<string, string> {
  const dirs = new Map<string, string>();
  for (const root of ['packages', 'services']) {
    for (const pkg of listFiles(root, ['package.json']).filter((f) => f.split('/').length === 3)) {
      const name = str(obj(JSON.parse(readText(pkg)), pkg).name, `${pkg} name`);
      dirs.set(name, pkg.slice(0, -'/package.json'.length));
    }
  }
  return dirs;
}

/** The queues a role starts workers for (`startWorker('q', …)`, with or without type arguments): its own sources and those of the packages it depends on. */
function consumedQueues(role: string): Set<string> {
  const dirs = workspaceDirs();
  const manifest = obj(JSON.parse(readText(`services/${role}/package.json`)), role);
  const deps = Object.keys(obj(manifest.dependencies ?? {}, `${role} dependencies`))
    .map((d) => dirs.get(d))
    .filter((d): d is string => d !== undefined);
  const out = new Set<string>();
  for (const dir of [`services/${role}`, ...deps]) {
    if (!isDir(`${dir}/src`)) continue;
    for (const file of listFiles(`${dir}/src`, ['.ts']).filter((f) => !f.endsWith('.test.ts'))) {
      for (const m of readText(file).matchAll(/startWorker(?:<[^>]*>)?\(\s*(?:'([a-z-]+)'|QUEUES\.([a-z]+))/g)) out.add(m[1] ?? m[2] ?? '');
    }
  }
  return out;
}

describe('every queue has a deployed consumer', () => {
  it('names a consumer role for every queue of the contract', () => {
    expect(Object.keys(QUEUE_CONSUMERS).sort()).toEqual([...queues].sort());
  });

  it.each(queues)('%s: its consumer is a service with a main.ts that starts a worker for it', (queue) => {
    const role = QUEUE_CONSUMERS[queue];
    expect(pathExists(`services/${role}/src/main.ts`), `services/${role}/src/main.ts`).toBe(true);
    expect([...consumedQueues(role)], `${role} starts a worker for ${queue}`).toContain(queue);
  });

  it.each(queues)('%s: its consumer runs in docker-compose.yml from the one image', (queue) => {
    const role = QUEUE_CONSUMERS[queue];
    const svc = obj(compose[role], `compose service ${role}`);
    expect(obj(svc.environment, `${role}.environment`).SERVICE).toBe(role);
    // Scalable: compose --scale needs no fixed container name and no published port.
    expect(svc.container_name).toBeUndefined();
    expect(svc.ports).toBeUndefined();
  });

  it.each(queues)('%s: its consumer has a Deployment in infra/k8s running that role', (queue) => {
    const role = QUEUE_CONSUMERS[queue];
    const d = k8sBase.find((o) => kindOf(o) === 'Deployment' && nameOf(o) === role);
    expect(d && nameOf(d), `Deployment ${role}`).toBe(role);
    const [c] = containers(d as Obj);
    const env = arr((c as Obj).env, 'env').map((e) => obj(e, 'env'));
    expect(env.find((e) => e.name === 'SERVICE')?.value).toBe(role);
  });
});
