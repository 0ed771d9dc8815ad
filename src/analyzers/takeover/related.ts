/**
 * The objects a workload needs beside itself to be recreated from Git: the Services that
 * select its pods, and the ConfigMaps and ServiceAccount its pod spec names.
 * Objects the cluster creates on its own (the `default` ServiceAccount, `kube-root-ca.crt`)
 * are left out.
 */
import type { KubeObject } from '../../cluster/types.js';
import { arrayField, field, isRecord, podSpecOf, recordField } from '../../kube/objects.js';

const CLUSTER_CREATED_CONFIGMAPS = new Set(['kube-root-ca.crt']);

function podLabels(workload: KubeObject): Record<string, string> {
  const path =
    workload.kind === 'CronJob'
      ? ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels']
      : ['spec', 'template', 'metadata', 'labels'];
  const labels = recordField(workload, ...path) ?? {};
  return Object.fromEntries(
    Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

export function servicesSelecting(
  workload: KubeObject,
  services: readonly KubeObject[],
): KubeObject[] {
  const labels = podLabels(workload);
  return services.filter((svc) => {
    if (svc.metadata.namespace !== workload.metadata.namespace) return false;
    const selector = recordField(svc, 'spec', 'selector');
    if (selector === undefined || Object.keys(selector).length === 0) return false;
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
  });
}

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
  for (const c of [...arrayField(spec, 'containers'), ...arrayField(spec, 'initContainers')]) {
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
