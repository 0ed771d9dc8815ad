// Workload health read through the live source from a real API server: the status a controller
// writes (here written by the admin through the status subresource, as there is no
// controller-manager) and the pods' container states, as the tars identity sees them.
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { inventoryAnalyzer } from '../../src/analyzers/inventory/index.js';
import { LiveClusterSource } from '../../src/cluster/live/index.js';
import type { WorkloadModel } from '../../src/model/types.js';
import { DEFAULT_POLICY } from '../../src/policy/defaults.js';
import {
  adminKubeConfig,
  createObjects,
  createTestNamespace,
  testKubeconfigs,
} from '../support/cluster.js';

const labels = { app: 'api' };

async function healthOf(ns: string): Promise<WorkloadModel['health']> {
  const snapshot = await LiveClusterSource.fromConfig({
    kubeconfig: testKubeconfigs().readonly,
  }).read();
  const workloads =
    inventoryAnalyzer.analyze({ snapshot, policy: DEFAULT_POLICY, workloads: [] }).workloads ?? [];
  return workloads.find((w) => w.ref.namespace === ns && w.ref.name === 'api')?.health;
}

describe('workload health from a live cluster', () => {
  it('progressing until its status says every replica is updated and available; a crash loop is unhealthy', async () => {
    const ns = await createTestNamespace('health');
    const template = {
      metadata: { labels },
      spec: { containers: [{ name: 'api', image: 'registry.example/api:1' }] },
    };
    await createObjects([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'api', namespace: ns, labels },
        spec: { replicas: 2, selector: { matchLabels: labels }, template },
      },
    ]);
    // Nothing has rolled it out yet: no status.
    expect(await healthOf(ns)).toEqual({
      state: 'progressing',
      reasons: ['0 of 2 replicas updated', '0 of 2 replicas available'],
    });

    const apps = adminKubeConfig().makeApiClient(AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({ name: 'api', namespace: ns });
    await apps.replaceNamespacedDeploymentStatus({
      name: 'api',
      namespace: ns,
      body: {
        ...deployment,
        status: {
          observedGeneration: deployment.metadata?.generation ?? 1,
          replicas: 2,
          updatedReplicas: 2,
          readyReplicas: 2,
          availableReplicas: 2,
        },
      },
    });
    expect(await healthOf(ns)).toEqual({ state: 'healthy', reasons: [] });

    // One of its pods crash-loops.
    const replicaSet = 'api-7d9f8';
    const rs = await apps.createNamespacedReplicaSet({
      namespace: ns,
      body: {
        metadata: {
          name: replicaSet,
          namespace: ns,
          labels,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name: 'api',
              uid: deployment.metadata!.uid!,
              controller: true,
            },
          ],
        },
        spec: { replicas: 2, selector: { matchLabels: labels }, template },
      },
    });
    const core = adminKubeConfig().makeApiClient(CoreV1Api);
    const pod = await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: {
          name: `${replicaSet}-abcde`,
          namespace: ns,
          labels,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: replicaSet,
              uid: rs.metadata!.uid!,
              controller: true,
            },
          ],
        },
        spec: template.spec,
      },
    });
    await core.replaceNamespacedPodStatus({
      name: pod.metadata!.name!,
      namespace: ns,
      body: {
        ...pod,
        status: {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'api',
              image: 'registry.example/api:1',
              imageID: '',
              ready: false,
              restartCount: 5,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
            },
          ],
        },
      },
    });
    expect(await healthOf(ns)).toEqual({
      state: 'unhealthy',
      reasons: [`pod ${replicaSet}-abcde container api: CrashLoopBackOff`],
    });
  });
});
