import { describe, expect, it } from 'vitest';
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

const modelWith = (w: WorkloadModel) => ({ workloads: [w] }) as unknown as DesiredState;

describe('holdReasons', () => {
  it('lets the next wave go when the merged workloads run healthy with the merged resources', () => {
    // Quantities compare by value: 0.5 is 500m.
    expect(
      holdReasons(
        [change],
        modelWith(workload({ cpu: '0.5', memory: '256Mi' }, { state: 'healthy', reasons: [] })),
      ),
    ).toEqual([]);
    expect(
      holdReasons(
        [change],
        modelWith(workload({ cpu: '500m', memory: '256Mi' }, { state: 'unknown', reasons: [] })),
      ),
    ).toEqual([]);
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
    expect(holdReasons([change], { workloads: [] } as unknown as DesiredState)).toEqual([]);
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
