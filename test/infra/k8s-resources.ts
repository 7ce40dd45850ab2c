// Walks the kustomize tree under infra/k8s: which files a kustomization names, and the
// Kubernetes objects its resource files hold.
import { dirname, join, normalize } from 'node:path';
import { arr, isDir, isObj, obj, pathExists, readYaml, readYamlDocs, str, type Obj } from './repo-files.ts';

export const K8S = 'infra/k8s';
export const KUSTOMIZATIONS = [`${K8S}/base`, `${K8S}/overlays/dev`, `${K8S}/overlays/production`];

export interface KustomizationRefs {
  dir: string;
  resources: string[];
  patchFiles: string[];
  inlinePatches: string[];
}

export function kustomizationRefs(dir: string): KustomizationRefs {
  const k = obj(readYaml(join(dir, 'kustomization.yaml')), `${dir}/kustomization.yaml`);
  const resources = (k.resources === undefined ? [] : arr(k.resources, 'resources')).map((r) =>
    normalize(join(dir, str(r, `${dir} resources`))),
  );
  const patchFiles: string[] = [];
  const inlinePatches: string[] = [];
  for (const p of k.patches === undefined ? [] : arr(k.patches, 'patches')) {
    const patch = obj(p, `${dir} patches`);
    if (typeof patch.path === 'string') patchFiles.push(normalize(join(dir, patch.path)));
    if (typeof patch.patch === 'string') inlinePatches.push(patch.patch);
  }
  return { dir, resources, patchFiles, inlinePatches };
}

/** Every object of a kustomization, following directory resources (no patches applied). */
export function rawObjects(dir: string): { file: string; object: Obj }[] {
  const out: { file: string; object: Obj }[] = [];
  for (const r of kustomizationRefs(dir).resources) {
    if (isDir(r)) out.push(...rawObjects(r));
    else for (const d of readYamlDocs(r)) out.push({ file: r, object: obj(d, r) });
  }
  return out;
}

export function kindOf(o: Obj): string {
  return str(o.kind, 'kind');
}
export function nameOf(o: Obj): string {
  return str(obj(o.metadata, 'metadata').name, 'metadata.name');
}

export function podSpec(deployment: Obj): Obj {
  return obj(obj(obj(deployment.spec, 'spec').template, 'template').spec, 'template.spec');
}
export function podLabels(deployment: Obj): Obj {
  return obj(
    obj(obj(obj(deployment.spec, 'spec').template, 'template').metadata, 'template.metadata').labels,
    'labels',
  );
}
export function containers(deployment: Obj): Obj[] {
  return arr(podSpec(deployment).containers, 'containers').map((c) => obj(c, 'container'));
}

/** A selector matches a pod when every matchLabels pair is among the pod's labels. */
export function selects(selector: unknown, labels: Obj): boolean {
  if (!isObj(selector)) return false;
  const match = isObj(selector.matchLabels) ? selector.matchLabels : selector;
  return Object.entries(match).every(([k, v]) => labels[k] === v);
}

export function exists(path: string): boolean {
  return pathExists(path) && (!isDir(path) || pathExists(join(path, 'kustomization.yaml')));
}

export { dirname };
