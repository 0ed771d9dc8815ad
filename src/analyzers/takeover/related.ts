/**
 * The objects a workload needs beside itself to be recreated from Git: the ConfigMaps and
 * ServiceAccount its pod spec names (the Services that select its pods: src/kube/selectors.ts).
 * Objects the cluster creates on its own (the `default` ServiceAccount, `kube-root-ca.crt`)
 * are left out.
 */
import type { KubeObject } from '../../cluster/types.js';
import { arrayField, field, isRecord, podContainersOf, podSpecOf } from '../../kube/objects.js';

const CLUSTER_CREATED_CONFIGMAPS = new Set(['kube-root-ca.crt']);

export function configMapNames(workload: KubeObject): Set<string> {
  const spec = podSpecOf(workload);
  const names = new Set<string>();
  const add = (name: unknown) => {
    if (typeof name === 'string' && !CLUSTER_CREATED_CONFIGMAPS.has(name)) names.add(name);
  };
  for (const volume of arrayField(spec, 'volumes')) {
    add(field(volume, 'configMap', 'name'));
    for (const source of arrayField(volume, 'projected', 'sources'))
      add(field(source, 'configMap', 'name'));
  }
  for (const c of podContainersOf(workload)) {
    for (const from of arrayField(c, 'envFrom')) add(field(from, 'configMapRef', 'name'));
    for (const env of arrayField(c, 'env')) add(field(env, 'valueFrom', 'configMapKeyRef', 'name'));
  }
  return names;
}

export function serviceAccountName(workload: KubeObject): string | undefined {
  const spec = podSpecOf(workload);
  const name = isRecord(spec) ? (spec.serviceAccountName ?? spec.serviceAccount) : undefined;
  return typeof name === 'string' && name !== 'default' ? name : undefined;
}
