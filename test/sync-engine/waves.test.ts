/**
 * Argo CD's sync engine (gitops-engine, built as test/sync) against the real test cluster with a
 * hand-made tree in four sync waves: Namespace (-1), ServiceAccount and ConfigMap (0),
 * Deployment (1), PodDisruptionBudget (2).
 *
 * Health: the engine keeps its built-in health checks, so wave 2 waits until the Deployment of
 * wave 1 has rolled out. No controller-manager runs on the test cluster, so the rollout status is
 * written by the stand-in of test/sync/rollout-stand-in.ts; one test runs without it and shows the
 * engine waiting (and wave 2 never applied).
 */
import { ApiException, AppsV1Api, CoreV1Api, PolicyV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1ManagedFieldsEntry, V1ObjectMeta } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { adminKubeConfig, testKubeconfigs, uniqueName } from '../support/cluster.js';
import { startRolloutStandIn } from '../sync/rollout-stand-in.js';
import type { RolloutStandIn } from '../sync/rollout-stand-in.js';
import { ensureSyncBinary, syncManifests } from '../sync/sync.js';
import type { SyncResult } from '../sync/sync.js';

const WAVE = 'argocd.argoproj.io/sync-wave';
const OPTIONS = 'argocd.argoproj.io/sync-options';
const SSA = { [OPTIONS]: 'ServerSideApply=true' };

/** The tree; the ConfigMap deliberately lacks ServerSideApply to show the option is per resource. */
function waveTree(namespace: string, replicas = 2, withPdb = true): string {
  const labels = { 'app.kubernetes.io/name': 'web' };
  const objects: object[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, annotations: { [WAVE]: '-1', ...SSA } },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'web', namespace, annotations: { [WAVE]: '0', ...SSA } },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-config', namespace, annotations: { [WAVE]: '0' } },
      data: { GREETING: 'hello' },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace, labels, annotations: { [WAVE]: '1', ...SSA } },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'web',
            containers: [
              {
                name: 'web',
                image: 'registry.k8s.io/pause:3.10',
                envFrom: [{ configMapRef: { name: 'web-config' } }],
                resources: { requests: { cpu: '10m', memory: '16Mi' } },
              },
            ],
          },
        },
      },
    },
  ];
  if (withPdb) {
    objects.push({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace, annotations: { [WAVE]: '2', ...SSA } },
      spec: { minAvailable: 1, selector: { matchLabels: labels } },
    });
  }
  return objects.map((o) => stringify(o)).join('---\n');
}

interface LiveObject {
  readonly metadata?: V1ObjectMeta;
}

async function readAll(kc: KubeConfig, namespace: string) {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const policy = kc.makeApiClient(PolicyV1Api);
  return {
    namespace: await core.readNamespace({ name: namespace }),
    serviceAccount: await core.readNamespacedServiceAccount({ name: 'web', namespace }),
    configMap: await core.readNamespacedConfigMap({ name: 'web-config', namespace }),
    deployment: await apps.readNamespacedDeployment({ name: 'web', namespace }),
    pdb: await policy.readNamespacedPodDisruptionBudget({ name: 'web', namespace }),
  };
}

function rv(object: LiveObject): bigint {
  return BigInt(object.metadata?.resourceVersion ?? '0');
}

function managers(object: LiveObject): Pick<V1ManagedFieldsEntry, 'manager' | 'operation'>[] {
  return (object.metadata?.managedFields ?? []).map((f) => ({
    manager: f.manager,
    operation: f.operation,
  }));
}

function kindsInApplyOrder(result: SyncResult): string[] {
  return [...result.applied].sort((a, b) => a.seq - b.seq).map((w) => w.kind);
}

async function notFound(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) return true;
    throw e;
  }
}

describe('gitops-engine sync of a multi-wave tree into the test cluster', () => {
  const kubeconfig = (): string => testKubeconfigs().admin;
  const namespace = uniqueName('sync-waves');
  const watched: string[] = [namespace];
  let standIn: RolloutStandIn;

  beforeAll(async () => {
    // The first build links Argo CD's engine with kubectl and Kubernetes: minutes on two cores.
    await ensureSyncBinary();
    standIn = startRolloutStandIn(adminKubeConfig(), { namespaces: () => watched });
  }, 1_800_000);

  afterAll(async () => {
    await standIn?.stop();
  });

  let first: SyncResult;

  it('applies the waves in order, each after the previous one is healthy', async () => {
    first = await syncManifests({
      kubeconfig: kubeconfig(),
      app: namespace,
      manifestsYaml: waveTree(namespace),
    });

    expect(first.error).toBeUndefined();
    expect(first.phase).toBe('Succeeded');
    expect(first.engine).toMatch(/^github\.com\/argoproj\/argo-cd\/gitops-engine@v/);

    // The engine's own record: every resource created and synced, in wave order.
    expect(first.resources.map((r) => [r.kind, r.wave, r.status, r.action])).toEqual([
      ['Namespace', -1, 'Synced', 'created'],
      ['ServiceAccount', 0, 'Synced', 'created'],
      ['ConfigMap', 0, 'Synced', 'created'],
      ['Deployment', 1, 'Synced', 'created'],
      ['PodDisruptionBudget', 2, 'Synced', 'created'],
    ]);
    const order = kindsInApplyOrder(first);
    expect(order[0]).toBe('Namespace');
    expect(new Set(order.slice(1, 3))).toEqual(new Set(['ServiceAccount', 'ConfigMap']));
    expect(order.slice(3)).toEqual(['Deployment', 'PodDisruptionBudget']);
    const appliedWaves = [...first.applied].sort((a, b) => a.seq - b.seq).map((w) => w.wave);
    expect(appliedWaves).toEqual([...appliedWaves].sort((a, b) => a - b));
    expect(first.waves.map((w) => w.wave)).toEqual([-1, 0, 1, 2]);

    // ServerSideApply=true honoured per resource: SSA writes for the annotated ones only.
    const verbs = Object.fromEntries(first.applied.map((w) => [w.kind, w.verb]));
    expect(verbs).toEqual({
      Namespace: 'server-side-apply',
      ServiceAccount: 'server-side-apply',
      ConfigMap: 'apply',
      Deployment: 'server-side-apply',
      PodDisruptionBudget: 'server-side-apply',
    });

    // The server's record. resourceVersions are etcd revisions: a later write has a larger one.
    const live = await readAll(adminKubeConfig(), namespace);
    const rollout = standIn.records.find((r) => r.namespace === namespace && r.name === 'web');
    expect(rollout).toBeDefined();
    expect(rv(live.namespace)).toBeLessThan(rv(live.serviceAccount));
    expect(rv(live.namespace)).toBeLessThan(rv(live.configMap));
    const deploymentCreated = BigInt(rollout!.seenResourceVersion);
    expect(rv(live.serviceAccount)).toBeLessThan(deploymentCreated);
    expect(rv(live.configMap)).toBeLessThan(deploymentCreated);
    // Wave 2 was applied only after the Deployment had rolled out (wave 1 healthy).
    expect(deploymentCreated).toBeLessThan(BigInt(rollout!.healthyResourceVersion));
    expect(BigInt(rollout!.healthyResourceVersion)).toBeLessThan(rv(live.pdb));
    expect(Date.parse(first.waves[3]?.time ?? '')).toBeGreaterThanOrEqual(
      rollout!.healthyAt.getTime(),
    );

    for (const object of [live.namespace, live.serviceAccount, live.deployment, live.pdb]) {
      expect(managers(object)).toContainEqual({ manager: 'argocd-controller', operation: 'Apply' });
    }
    expect(managers(live.configMap).map((m) => m.operation)).toEqual(['Update']);
    expect(live.namespace.metadata?.annotations?.['argocd.argoproj.io/tracking-id']).toBe(
      `${namespace}:/Namespace:/${namespace}`,
    );
  });

  it('a second sync of the same manifests changes nothing', async () => {
    expect(first?.phase).toBe('Succeeded');
    const before = await readAll(adminKubeConfig(), namespace);

    const second = await syncManifests({
      kubeconfig: kubeconfig(),
      app: namespace,
      manifestsYaml: waveTree(namespace),
    });

    expect(second.phase).toBe('Succeeded');
    expect(second.resources).toHaveLength(5);
    for (const resource of second.resources) {
      expect([resource.kind, resource.status, resource.action]).toEqual([
        resource.kind,
        'Synced',
        'unchanged',
      ]);
      expect(resource.resourceVersionAfter).toBe(resource.resourceVersionBefore);
    }
    const after = await readAll(adminKubeConfig(), namespace);
    for (const key of Object.keys(before) as (keyof typeof before)[]) {
      expect([key, after[key].metadata?.resourceVersion]).toEqual([
        key,
        before[key].metadata?.resourceVersion,
      ]);
    }
  });

  it('a changed tree is applied as a change, and with prune a dropped resource is deleted', async () => {
    const changed = await syncManifests({
      kubeconfig: kubeconfig(),
      app: namespace,
      manifestsYaml: waveTree(namespace, 3, false),
      prune: true,
      // No garbage collector here to finish a foreground deletion (Argo CD's default).
      prunePropagation: 'background',
    });

    expect(changed.phase).toBe('Succeeded');
    const byKind = Object.fromEntries(changed.resources.map((r) => [r.kind, r.action]));
    expect(byKind).toEqual({
      Namespace: 'unchanged',
      ServiceAccount: 'unchanged',
      ConfigMap: 'unchanged',
      Deployment: 'configured',
      PodDisruptionBudget: 'pruned',
    });
    const apps = adminKubeConfig().makeApiClient(AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({ name: 'web', namespace });
    expect(deployment.spec?.replicas).toBe(3);
    const policy = adminKubeConfig().makeApiClient(PolicyV1Api);
    expect(
      await notFound(() => policy.readNamespacedPodDisruptionBudget({ name: 'web', namespace })),
    ).toBe(true);
  });

  it('without a rollout, the engine waits in wave 1 and never applies wave 2', async () => {
    const unwatched = uniqueName('sync-stuck');

    const stuck = await syncManifests({
      kubeconfig: kubeconfig(),
      app: unwatched,
      manifestsYaml: waveTree(unwatched),
      timeoutSeconds: 8,
    });

    expect(stuck.phase).toBe('Timeout');
    const deployment = stuck.resources.find((r) => r.kind === 'Deployment');
    expect(deployment).toMatchObject({
      status: 'Synced',
      operationState: 'Running',
      health: 'Progressing',
    });
    expect(deployment?.healthMessage).toMatch(/Waiting for rollout to finish/);
    expect(stuck.message).toMatch(/^waiting for: Deployment .*\/web \(wave 1\): Progressing/);
    const pdb = stuck.resources.find((r) => r.kind === 'PodDisruptionBudget');
    expect(pdb?.action).toBe('missing');
    expect(stuck.applied.map((w) => w.kind)).not.toContain('PodDisruptionBudget');
    const policy = adminKubeConfig().makeApiClient(PolicyV1Api);
    expect(
      await notFound(() =>
        policy.readNamespacedPodDisruptionBudget({ name: 'web', namespace: unwatched }),
      ),
    ).toBe(true);
  });
});
