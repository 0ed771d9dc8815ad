import { describe, expect, it } from 'vitest';
import { ownedBy, snapshotOf } from '../../../test/support/objects.js';
import type { KubeObject } from '../../cluster/types.js';
import { DEFAULT_POLICY } from '../../policy/defaults.js';
import { buildInventory } from './index.js';
import { managerOf } from './managers.js';

function obj(
  kind: string,
  name: string,
  extra: Partial<KubeObject> & { namespace?: string } = {},
): KubeObject {
  const { namespace = 'shop', metadata, ...rest } = extra;
  return {
    apiVersion: kind === 'Pod' ? 'v1' : kind.endsWith('Job') ? 'batch/v1' : 'apps/v1',
    kind,
    metadata: { name, namespace, uid: `uid-${kind}-${name}`, ...metadata },
    ...rest,
  };
}

const template = (containers: unknown[]) => ({
  spec: { template: { metadata: { labels: { app: 'x' } }, spec: { containers } } },
});

describe('inventory', () => {
  it('maps pods to their workload through ReplicaSets, StatefulSets and CronJob Jobs', () => {
    const deploy = obj('Deployment', 'web', {
      ...template([{ name: 'app', image: 'web:1', resources: { requests: { cpu: '100m' } } }]),
    });
    const rs = ownedBy(obj('ReplicaSet', 'web-5d8f7c9b6d'), deploy);
    const pod = ownedBy(obj('Pod', 'web-5d8f7c9b6d-abcde'), rs);
    const sts = obj('StatefulSet', 'db', { spec: { replicas: 3 } });
    const dbPod = ownedBy(obj('Pod', 'db-0'), sts);
    const cron = obj('CronJob', 'report');
    const job = ownedBy(obj('Job', 'report-28912345'), cron);
    const jobPod = ownedBy(obj('Pod', 'report-28912345-xyz12'), job);
    const bare = obj('Pod', 'debug');

    const { workloads, findings } = buildInventory({
      snapshot: snapshotOf([deploy, rs, pod, sts, dbPod, cron, job, jobPod, bare]),
      policy: DEFAULT_POLICY,
      workloads: [],
    });

    // Sorted by apiVersion, kind, namespace, name.
    expect(workloads.map((w) => `${w.ref.kind}/${w.ref.name}:${w.pods.join(',')}`)).toEqual([
      'Deployment/web:web-5d8f7c9b6d-abcde',
      'StatefulSet/db:db-0',
      'CronJob/report:report-28912345-xyz12',
    ]);
    const web = workloads.find((w) => w.ref.name === 'web')!;
    expect(web.replicas).toBe(1);
    expect(web.containers).toEqual([
      { name: 'app', image: 'web:1', init: false, requests: { cpu: '100m' }, limits: {} },
    ]);
    expect(workloads.find((w) => w.ref.name === 'db')!.replicas).toBe(3);
    // The CronJob's Job is part of the CronJob, not a workload of its own.
    expect(workloads.some((w) => w.ref.kind === 'Job')).toBe(false);
    expect(findings.map((f) => `${f.check}:${f.resource.name}`)).toEqual([
      'inventory.bare-pod:debug',
    ]);
  });

  it('counts replicas the API server would refuse as omitted: negative, fractional, beyond int32', () => {
    const withReplicas = (name: string, replicas: number) =>
      obj('Deployment', name, { spec: { replicas } });
    const { workloads } = buildInventory({
      snapshot: snapshotOf([
        withReplicas('negative', -1),
        withReplicas('fractional', 1.5),
        withReplicas('too-many', 2 ** 31),
        withReplicas('most', 2 ** 31 - 1),
        withReplicas('none', 0),
      ]),
      policy: DEFAULT_POLICY,
      workloads: [],
    });
    expect(Object.fromEntries(workloads.map((w) => [w.ref.name, w.replicas]))).toEqual({
      negative: 1,
      fractional: 1,
      'too-many': 1,
      most: 2 ** 31 - 1,
      none: 0,
    });
  });

  it('leaves out excluded namespaces', () => {
    const sys = obj('Deployment', 'coredns', { namespace: 'kube-system' });
    const { workloads } = buildInventory({
      snapshot: snapshotOf([sys]),
      policy: DEFAULT_POLICY,
      workloads: [],
    });
    expect(workloads).toEqual([]);
  });
});

describe('managerOf', () => {
  const meta = (labels: Record<string, string>, annotations: Record<string, string> = {}) =>
    obj('Deployment', 'x', { metadata: { name: 'x', labels, annotations } });

  it.each([
    [
      meta({}, { 'argocd.argoproj.io/tracking-id': 'shop:apps/Deployment:shop/x' }),
      { tool: 'argocd', name: 'shop' },
    ],
    [meta({ 'argocd.argoproj.io/instance': 'shop' }), { tool: 'argocd', name: 'shop' }],
    [meta({ 'kustomize.toolkit.fluxcd.io/name': 'apps' }), { tool: 'flux', name: 'apps' }],
    [meta({ 'helm.toolkit.fluxcd.io/name': 'redis' }), { tool: 'flux', name: 'redis' }],
    [meta({}, { 'meta.helm.sh/release-name': 'cart' }), { tool: 'helm', name: 'cart' }],
    [meta({ 'app.kubernetes.io/managed-by': 'Helm' }), { tool: 'helm' }],
    [meta({ 'app.kubernetes.io/instance': 'shop' }), { tool: 'argocd', name: 'shop' }],
    [meta({}, { 'kubectl.kubernetes.io/last-applied-configuration': '{}' }), { tool: 'kubectl' }],
    [meta({}), { tool: 'none' }],
  ])('recognises %#', (o, expected) => {
    expect(managerOf(o)).toEqual(expected);
  });

  it('prefers Argo CD over the Helm labels its rendered charts carry', () => {
    const o = meta(
      { 'app.kubernetes.io/managed-by': 'Helm' },
      { 'argocd.argoproj.io/tracking-id': 'a:apps/Deployment:ns/x' },
    );
    expect(managerOf(o).tool).toBe('argocd');
  });
});
