import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../cluster/types.js';
import { groupUsageByWorkload, OwnerIndex } from './ownership.js';
import type { UsageHistory } from './types.js';

function object(kind: string, name: string, owner?: KubeObject): KubeObject {
  return {
    apiVersion:
      kind === 'Pod' ? 'v1' : kind === 'Job' || kind === 'CronJob' ? 'batch/v1' : 'apps/v1',
    kind,
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${kind}-${name}`,
      ...(owner === undefined
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: owner.apiVersion,
                kind: owner.kind,
                name: owner.metadata.name,
                uid: owner.metadata.uid ?? '',
                controller: true,
              },
            ],
          }),
    },
  };
}

const deployment = object('Deployment', 'web');
const replicaSet = object('ReplicaSet', 'web-7d9c5b8f6d', deployment);
const statefulSet = object('StatefulSet', 'db');
const daemonSet = object('DaemonSet', 'node-agent');
const cronJob = object('CronJob', 'report');
const job = object('Job', 'report-29012345', cronJob);
const bareJob = object('Job', 'migrate');
const bareReplicaSet = object('ReplicaSet', 'legacy');
const objects = [
  deployment,
  replicaSet,
  statefulSet,
  daemonSet,
  cronJob,
  job,
  bareJob,
  bareReplicaSet,
  object('Pod', 'web-7d9c5b8f6d-x2x4z', replicaSet),
  object('Pod', 'db-0', statefulSet),
  object('Pod', 'node-agent-q7v2k', daemonSet),
  object('Pod', 'report-29012345-bk4zn', job),
  object('Pod', 'legacy-xk2pq', bareReplicaSet),
  object('Pod', 'debug'),
];
const index = new OwnerIndex(objects);

describe('OwnerIndex through ownerReferences', () => {
  it.each([
    ['web-7d9c5b8f6d-x2x4z', 'Deployment', 'web'],
    ['db-0', 'StatefulSet', 'db'],
    ['node-agent-q7v2k', 'DaemonSet', 'node-agent'],
    ['report-29012345-bk4zn', 'CronJob', 'report'],
    ['legacy-xk2pq', 'ReplicaSet', 'legacy'],
  ])('maps pod %s to %s %s', (pod, kind, name) => {
    expect(index.workloadOfPod('shop', pod)).toEqual({
      kind,
      namespace: 'shop',
      name,
      via: 'ownerReferences',
    });
  });

  it('gives a bare pod no workload', () => {
    expect(index.workloadOfPod('shop', 'debug')).toBeUndefined();
  });

  it('infers the Deployment from the ReplicaSet name when the ReplicaSet is gone', () => {
    const orphan = object('Pod', 'web-5f6c8b9d7-abcde');
    orphan.metadata.ownerReferences = [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web-5f6c8b9d7',
        uid: 'gone',
        controller: true,
      },
    ];
    expect(
      new OwnerIndex([deployment, orphan]).workloadOfPod('shop', 'web-5f6c8b9d7-abcde'),
    ).toEqual({
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
      via: 'name-pattern',
    });
  });
});

describe('OwnerIndex for pods that are gone (name patterns)', () => {
  it.each([
    ['web-6b8f9d7c5-zq2vw', 'Deployment', 'web'], // an older ReplicaSet, gone
    ['web-7d9c5b8f6d-pp9rt', 'Deployment', 'web'], // a gone pod of the current ReplicaSet
    ['db-3', 'StatefulSet', 'db'],
    ['node-agent-7wx2m', 'DaemonSet', 'node-agent'],
    ['report-29012400-h5l9c', 'CronJob', 'report'], // an earlier run: its Job is gone
    ['report-29012345-zzzzz', 'CronJob', 'report'],
    ['migrate-t6dtz', 'Job', 'migrate'],
  ])('maps %s to %s %s', (pod, kind, name) => {
    expect(index.workloadOfPod('shop', pod)).toEqual({
      kind,
      namespace: 'shop',
      name,
      via: 'name-pattern',
    });
  });

  it.each([
    ['other-7d9c5b8f6d-x2x4z', 'no such Deployment'],
    ['web-7d9c5b8f6d-x2x4', 'a suffix of 4 characters'],
    ['web-7d9c5b8f6d-aeiou', 'a suffix with vowels, not a generated name'],
    ['db-01', 'not an ordinal'],
  ])('leaves %s unmapped (%s)', (pod) => {
    expect(index.workloadOfPod('shop', pod)).toBeUndefined();
  });

  it('does not map across namespaces', () => {
    expect(index.workloadOfPod('other', 'web-7d9c5b8f6d-x2x4z')).toBeUndefined();
  });
});

describe('groupUsageByWorkload', () => {
  it('gathers every pod of a workload per container name and keeps the unmatched apart', () => {
    const usage = (pod: string, container: string) => ({
      key: { namespace: 'shop', pod, container },
      cpu: [{ t: 0, v: 0.1 }],
      memory: [],
    });
    const history: UsageHistory = {
      source: 'test',
      confidence: 'high',
      window: { start: 0, end: 0, stepSeconds: 300 },
      containers: [
        usage('web-7d9c5b8f6d-x2x4z', 'app'),
        usage('web-6b8f9d7c5-zq2vw', 'app'),
        usage('web-6b8f9d7c5-zq2vw', 'istio-proxy'),
        usage('debug', 'sh'),
      ],
      events: [],
    };
    const { workloads, unmatched } = groupUsageByWorkload(history, index);
    const web = workloads.get('Deployment/shop/web');
    expect(web?.containers.get('app')?.map((c) => c.key.pod)).toEqual([
      'web-7d9c5b8f6d-x2x4z',
      'web-6b8f9d7c5-zq2vw',
    ]);
    expect(web?.containers.get('istio-proxy')).toHaveLength(1);
    expect(unmatched).toEqual([{ namespace: 'shop', pod: 'debug', container: 'sh' }]);
  });
});
