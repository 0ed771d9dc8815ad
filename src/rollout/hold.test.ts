import { describe, expect, it } from 'vitest';
import type { SkippedKind } from '../cluster/types.js';
import type { Change, DesiredState, WorkloadModel } from '../model/types.js';
import { holdReasons, resourcesNotLive } from './hold.js';

function workload(
  requests: Record<string, string>,
  health?: WorkloadModel['health'],
): WorkloadModel {
  return {
    ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
    managedBy: { tool: 'kubectl' },
    pods: [],
    containers: [{ name: 'app', image: 'app:1', init: false, requests, limits: {} }],
    ...(health !== undefined ? { health } : {}),
  };
}

const change: Change = {
  id: 'rightsizing/shop/Deployment/web',
  concern: 'rightsizing',
  action: 'patch',
  target: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
  summary: 'Right-size web',
  manifest: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      template: {
        spec: {
          containers: [{ name: 'app', resources: { requests: { cpu: '500m', memory: '256Mi' } } }],
        },
      },
    },
  },
};

/** A model holding `workloads`, read from a source that could not list the `skipped` kinds. */
const modelOf = (workloads: WorkloadModel[], skipped: SkippedKind[] = []) =>
  ({ workloads, inputs: { skipped } }) as unknown as DesiredState;
const modelWith = (w: WorkloadModel) => modelOf([w]);

describe('holdReasons', () => {
  it('lets the next wave go when the merged workloads run healthy with the merged resources', () => {
    // Quantities compare by value: 0.5 is 500m.
    expect(
      holdReasons(
        [change],
        modelWith(workload({ cpu: '0.5', memory: '256Mi' }, { state: 'healthy', reasons: [] })),
      ),
    ).toEqual([]);
  });

  it('holds when the health of a merged workload cannot be told (no status in the source)', () => {
    // Fails closed, as for a kind it could not list: healthy is what lets a wave go.
    expect(
      holdReasons(
        [change],
        modelWith(workload({ cpu: '500m', memory: '256Mi' }, { state: 'unknown', reasons: [] })),
      ),
    ).toEqual([
      'health of shop/web cannot be told: the source holds no status for it (a snapshot without status?)',
    ]);
  });

  it('holds while a merged workload is progressing or unhealthy, naming why', () => {
    const progressing = workload(
      { cpu: '500m', memory: '256Mi' },
      { state: 'progressing', reasons: ['1 of 2 replicas updated'] },
    );
    expect(holdReasons([change], modelWith(progressing))).toEqual([
      'shop/web is progressing: 1 of 2 replicas updated',
    ]);
  });

  it('holds while the cluster does not run the merged resources yet (not synced)', () => {
    expect(resourcesNotLive(change, workload({ cpu: '1' }))).toEqual([
      'merged cpu request 500m of container app is not live yet (running 1)',
      'merged memory request 256Mi of container app is not live yet (running unset)',
    ]);
  });

  it('ignores merged changes whose workload is gone', () => {
    expect(holdReasons([change], modelOf([]))).toEqual([]);
  });
});

describe('holdReasons when the source could not list a kind', () => {
  const forbidden = (kind: string, resource: string): SkippedKind => ({
    kind,
    reason: 'forbidden',
    message: `may not list ${resource}: ${resource} is forbidden`,
  });
  const healthy = workload({ cpu: '500m', memory: '256Mi' }, { state: 'healthy', reasons: [] });

  it("holds when the merged workload's own kind could not be listed: absent may be unseen", () => {
    const failing: SkippedKind = {
      kind: 'Deployment',
      reason: 'error',
      message: 'listing deployments.apps failed: GET /apis/apps/v1/deployments: 500 etcd timeout',
    };
    expect(holdReasons([change], modelOf([], [failing]))).toEqual([
      'cannot see apps/Deployment shop/web: listing deployments.apps failed: GET /apis/apps/v1/deployments: 500 etcd timeout',
    ]);
    // Its merges must be live whatever wave they were in: unseen, they hold even unwatched.
    expect(
      holdReasons(
        [change],
        modelOf([], [forbidden('Deployment', 'deployments.apps')]),
        () => false,
      ),
    ).toEqual([
      'cannot see apps/Deployment shop/web: may not list deployments.apps: deployments.apps is forbidden',
    ]);
  });

  it('names an unseen workload once, however many merged changes it has', () => {
    const service: Change = {
      ...change,
      id: 'takeover:v1/Service/shop/web',
      concern: 'takeover',
      action: 'adopt',
      target: { apiVersion: 'v1', kind: 'Service', namespace: 'shop', name: 'web' },
      workload: change.target,
      manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' } },
    };
    expect(
      holdReasons([change, service], modelOf([], [forbidden('Deployment', 'deployments.apps')])),
    ).toHaveLength(1);
  });

  it('holds a watched workload whose pods could not be listed: its health is unseen', () => {
    expect(holdReasons([change], modelOf([healthy], [forbidden('Pod', 'pods')]))).toEqual([
      'cannot see the pods of apps/Deployment shop/web: may not list pods: pods is forbidden',
    ]);
    // Pods are found through their ReplicaSet: without ReplicaSets, none is seen either.
    expect(
      holdReasons([change], modelOf([healthy], [forbidden('ReplicaSet', 'replicasets.apps')])),
    ).toEqual([
      'cannot see the pods of apps/Deployment shop/web: may not list replicasets.apps: replicasets.apps is forbidden',
    ]);
    // Health is watched for the previous wave only; older waves are not held by it.
    expect(
      holdReasons([change], modelOf([healthy], [forbidden('Pod', 'pods')]), () => false),
    ).toEqual([]);
  });

  it('lets the wave go when the kind was listed and the workload is absent (gone)', () => {
    const otherKinds = [forbidden('ConfigMap', 'configmaps'), forbidden('StatefulSet', 'x')];
    expect(holdReasons([change], modelOf([], otherKinds))).toEqual([]);
    // A kind the cluster does not serve holds no workload: absent is gone.
    const notServed: SkippedKind = {
      kind: 'Deployment',
      reason: 'not-served',
      message: 'deployments.apps is not served',
    };
    expect(holdReasons([change], modelOf([], [notServed]))).toEqual([]);
  });
});

describe('holdReasons with a watched wave', () => {
  const crashing = workload(
    { cpu: '500m', memory: '256Mi' },
    { state: 'unhealthy', reasons: ['pod web-1 container app: CrashLoopBackOff'] },
  );

  it('checks the health of watched changes only', () => {
    expect(holdReasons([change], modelWith(crashing), () => false)).toEqual([]);
    expect(holdReasons([change], modelWith(crashing), () => true)).toEqual([
      'shop/web is unhealthy: pod web-1 container app: CrashLoopBackOff',
    ]);
  });

  it('still holds an unwatched merge the cluster does not run yet', () => {
    expect(holdReasons([change], modelWith(workload({ cpu: '1' })), () => false)).toEqual([
      'shop/web: merged cpu request 500m of container app is not live yet (running 1)',
      'shop/web: merged memory request 256Mi of container app is not live yet (running unset)',
    ]);
  });
});

describe('holdReasons with another concern on the same object', () => {
  // Takeover adopted web with its live requests; right-sizing then patched them.
  const adopt: Change = {
    ...change,
    id: 'takeover:apps/Deployment/shop/web',
    concern: 'takeover',
    action: 'adopt',
    manifest: {
      ...change.manifest,
      spec: {
        template: {
          spec: {
            containers: [{ name: 'app', resources: { requests: { cpu: '1', memory: '256Mi' } } }],
          },
        },
      },
    },
  };
  const everyMerged = [adopt, change];

  it("leaves values a later concern's patch sets to that concern", () => {
    const rightsized = modelWith(workload({ cpu: '500m', memory: '256Mi' }));
    expect(holdReasons([adopt], rightsized, () => true, everyMerged)).toEqual([]);
    expect(holdReasons([change], rightsized, () => true, everyMerged)).toEqual([]);
  });

  it("still holds the later concern's merge until it is live", () => {
    const adoptedOnly = modelWith(workload({ cpu: '1', memory: '128Mi' }));
    expect(holdReasons([change], adoptedOnly, () => true, everyMerged)).toEqual([
      'shop/web: merged cpu request 500m of container app is not live yet (running 1)',
      'shop/web: merged memory request 256Mi of container app is not live yet (running 128Mi)',
    ]);
    expect(holdReasons([adopt], adoptedOnly, () => true, everyMerged)).toEqual([]);
  });
});
