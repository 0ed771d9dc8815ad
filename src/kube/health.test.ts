import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../cluster/types.js';
import { workloadHealth } from './health.js';

function workload(kind: string, spec: object, status?: object, generation = 3): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'w', namespace: 'ns', generation },
    spec,
    ...(status !== undefined ? { status } : {}),
  };
}

function pod(name: string, waiting?: string, init = false): KubeObject {
  const statuses = [
    { name: 'app', state: waiting ? { waiting: { reason: waiting } } : { running: {} } },
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns' },
    status: init ? { initContainerStatuses: statuses } : { containerStatuses: statuses },
  };
}

const rolledOut = {
  observedGeneration: 3,
  replicas: 2,
  updatedReplicas: 2,
  readyReplicas: 2,
  availableReplicas: 2,
};

describe('workloadHealth', () => {
  it('a Deployment is healthy once the controller saw its spec and every replica is updated and available', () => {
    expect(
      workloadHealth(workload('Deployment', { replicas: 2 }, rolledOut), [pod('w-1')]),
    ).toEqual({
      state: 'healthy',
      reasons: [],
    });
    expect(
      workloadHealth(
        workload(
          'Deployment',
          { replicas: 2 },
          { ...rolledOut, observedGeneration: 2, updatedReplicas: 1 },
        ),
        [],
      ),
    ).toEqual({
      state: 'progressing',
      reasons: ['controller has not observed generation 3 yet', '1 of 2 replicas updated'],
    });
  });

  it('a failed condition or a stuck container is unhealthy, and wins over progressing', () => {
    const stalled = workload(
      'Deployment',
      { replicas: 2 },
      {
        ...rolledOut,
        availableReplicas: 1,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      },
    );
    expect(workloadHealth(stalled, [pod('w-1', 'ImagePullBackOff', true)])).toEqual({
      state: 'unhealthy',
      reasons: [
        '1 of 2 replicas available',
        'Progressing is False (ProgressDeadlineExceeded)',
        'pod w-1 container app: ImagePullBackOff',
      ],
    });
    // Waiting for a first start is not stuck.
    expect(
      workloadHealth(workload('Deployment', { replicas: 2 }, rolledOut), [
        pod('w-1', 'ContainerCreating'),
      ]).state,
    ).toBe('healthy');
  });

  it('StatefulSets count ready replicas; DaemonSets their scheduled pods; replicas default to 1', () => {
    expect(
      workloadHealth(
        workload(
          'StatefulSet',
          {},
          { observedGeneration: 3, updatedReplicas: 1, readyReplicas: 0 },
        ),
        [],
      ),
    ).toEqual({ state: 'progressing', reasons: ['0 of 1 replicas ready'] });
    expect(
      workloadHealth(
        workload(
          'DaemonSet',
          {},
          {
            observedGeneration: 3,
            desiredNumberScheduled: 3,
            updatedNumberScheduled: 3,
            numberAvailable: 2,
          },
        ),
        [],
      ),
    ).toEqual({ state: 'progressing', reasons: ['2 of 3 pods available'] });
  });

  it('without a status (a hand-written snapshot) the health is unknown, not a reason to hold', () => {
    expect(workloadHealth(workload('Deployment', { replicas: 1 }), [])).toEqual({
      state: 'unknown',
      reasons: [],
    });
    // Jobs and CronJobs have no rollout to wait for; their stuck pods still count.
    expect(workloadHealth(workload('CronJob', {}), [])).toEqual({ state: 'healthy', reasons: [] });
    expect(workloadHealth(workload('CronJob', {}), [pod('w-1', 'CrashLoopBackOff')]).state).toBe(
      'unhealthy',
    );
  });
});
