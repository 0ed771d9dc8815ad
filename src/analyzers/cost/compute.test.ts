import { describe, expect, it } from 'vitest';
import {
  container,
  daemonSet,
  deployment,
  node,
  ownedBy,
  pdb,
  pod,
  snapshotOf,
  statefulSet,
} from '../../../test/support/objects.js';
import type { ClusterSnapshot, KubeObject } from '../../cluster/types.js';
import type { WorkloadModel } from '../../model/types.js';
import { DEFAULT_POLICY } from '../../policy/defaults.js';
import type { CostPolicy } from '../../policy/types.js';
import { inventoryAnalyzer } from '../inventory/index.js';
import { firstFitDecreasing } from './binpack.js';
import { costReport } from './compute.js';
import { costAnalyzer } from './index.js';

const MI = 2 ** 20;
const GI = 2 ** 30;
// Round prices so the example can be checked by hand.
const prices: CostPolicy = {
  currency: 'USD',
  vcpuHour: 0.03,
  memoryGiBHour: 0.004,
  storageGiBMonth: 0.1,
  spotDiscount: 0.6,
  hoursPerMonth: 730,
};

const agent = daemonSet({
  name: 'agent',
  namespace: 'ops',
  containers: [container('agent', { cpu: '100m', memory: '128Mi' })],
});
const objects: KubeObject[] = [
  node('n1'),
  node('n2'),
  node('n3'),
  deployment({
    name: 'api',
    namespace: 'shop',
    replicas: 2,
    labels: { tier: 'web' },
    initContainers: [container('init', { cpu: '1', memory: '256Mi' })],
    containers: [container('api', { cpu: '500m', memory: '1Gi' })],
  }),
  pdb({ namespace: 'shop', app: 'api', minAvailable: 1 }),
  statefulSet({
    name: 'db',
    namespace: 'shop',
    replicas: 1,
    containers: [container('db', { cpu: '250m', memory: '512Mi' })],
    spec: {
      volumeClaimTemplates: [
        { metadata: { name: 'data' }, spec: { resources: { requests: { storage: '10Gi' } } } },
      ],
    },
  }),
  agent,
  ...['n1', 'n2', 'n3'].map((n) => ownedBy(pod(`agent-${n}`, 'ops', { nodeName: n }), agent)),
];
const snapshot = snapshotOf(objects, { clusterName: 'c' });
const policy = { ...DEFAULT_POLICY, namespaces: { include: [], exclude: [] } };
const workloads: readonly WorkloadModel[] =
  inventoryAnalyzer.analyze({ snapshot, policy, workloads: [] }).workloads ?? [];

describe('cost report, checked by hand', () => {
  // api: pod request = max(init 1 CPU, app 0.5) = 1 CPU, max(256Mi, 1Gi) = 1 GiB; 2 replicas.
  //   CPU 1 × 2 × 0.03 × 730 = 43.80; memory 1 × 2 × 0.004 × 730 = 5.84; total 49.64
  // db: 0.25 × 0.03 × 730 = 5.475 → 5.48 (printed); 0.5 × 0.004 × 730 = 1.46; storage 10 × 0.1 = 1
  //   total 7.935 → 7.94
  // agent: 3 pods × (0.1 × 0.03 × 730 = 2.19; 0.125 × 0.004 × 730 = 0.365) = 6.57 + 1.095 = 7.665 → 7.67
  // cluster: the sum of the printed figures, so the table adds up: 49.64 + 7.94 + 7.67 = 65.25
  // proposal: api app 200m / 512Mi and init 100m → pod 0.2 CPU, 512Mi:
  //   CPU 0.2 × 2 × 21.9 = 8.76; memory 0.5 × 2 × 2.92 = 2.92; total 11.68; cluster 11.68 + 7.94 + 7.67 = 27.29
  const report = costReport(objects, workloads, prices, (w, c) => {
    if (w.ref.name !== 'api') return undefined;
    return c.init ? { cpuRequest: 0.1 } : { cpuRequest: 0.2, memoryRequest: 512 * MI };
  });
  const byName = (name: string) => report.workloads.find((w) => w.ref.name === name)!;

  it('prices every workload today', () => {
    expect(byName('api').requests).toEqual({ cpu: 1, memory: GI });
    expect(byName('api').today).toEqual({ cpu: 43.8, memory: 5.84, storage: 0, total: 49.64 });
    expect(byName('db').today).toEqual({ cpu: 5.48, memory: 1.46, storage: 1, total: 7.94 });
    expect(byName('agent').replicas).toBe(3);
    expect(byName('agent').today).toEqual({ cpu: 6.57, memory: 1.1, storage: 0, total: 7.67 });
    expect(report.today.total).toBe(65.25);
  });

  it('prices the proposal', () => {
    expect(byName('api').proposedRequests).toEqual({ cpu: 0.2, memory: 512 * MI });
    expect(byName('api').proposed).toEqual({ cpu: 8.76, memory: 2.92, storage: 0, total: 11.68 });
    expect(byName('db').proposed).toEqual(byName('db').today);
    expect(report.proposed.total).toBe(27.29);
  });

  it('counts nodes today and after first-fit-decreasing, DaemonSet requests off every node', () => {
    // Each node has 2 − 0.1 = 1.9 CPU for others: today api (1) | api (1) + db (0.25) → 2 nodes;
    // proposed 0.2 + 0.2 + 0.25 CPU and 1.5 GiB fit one node.
    expect(report.nodes).toEqual({ today: 3, packedToday: 2, packedProposed: 1, unplaceable: 0 });
  });

  it('finds spot candidates: stateless, two replicas, under a PDB', () => {
    expect(report.workloads.filter((w) => w.spotCandidate).map((w) => w.ref.name)).toEqual(['api']);
    expect(report.spotSavings).toBe(7.01); // 11.68 × 0.6 = 7.008
  });

  it('the analyzer says the proposal equals today without history, and names the spot candidate', () => {
    const out = costAnalyzer.analyze({ snapshot, policy, workloads });
    expect(out.notes).toContain('cost: no usage history, so the proposal equals today');
    expect(out.notes![0]).toMatch(
      /nodes: 3 today, 2 packed with today's requests, 2 with the proposal/,
    );
    expect(out.findings!.map((f) => [f.check, f.resource.name])).toEqual([
      ['cost.spot-candidate', 'api'],
    ]);
  });
});

describe('firstFitDecreasing', () => {
  const shapes = [
    { cpu: 4, memory: 8 * GI, count: 2 },
    { cpu: 2, memory: 4 * GI, count: 1 },
  ];

  it('packs largest first onto the most common shape', () => {
    const pods = [1, 3, 1, 2, 1].map((cpu) => ({ cpu, memory: GI }));
    // 3+1 | 2+1+1 → 2 nodes of 4 CPU
    expect(firstFitDecreasing(pods, shapes)).toEqual({ nodes: 2, unplaceable: 0 });
  });

  it('counts pods no node can hold apart', () => {
    expect(
      firstFitDecreasing(
        [
          { cpu: 5, memory: GI },
          { cpu: 1, memory: GI },
        ],
        shapes,
      ),
    ).toEqual({ nodes: 1, unplaceable: 1 });
  });

  it('memory can be the binding dimension', () => {
    const pods = Array.from({ length: 4 }, () => ({ cpu: 0.1, memory: 3 * GI }));
    expect(firstFitDecreasing(pods, shapes).nodes).toBe(2);
  });
});

describe('cost analyzer without nodes', () => {
  it('prices workloads and says it cannot count nodes', () => {
    const noNodes = objects.filter((o) => o.kind !== 'Node');
    const snap: ClusterSnapshot = { ...snapshot, objects: noNodes };
    const wl = inventoryAnalyzer.analyze({ snapshot: snap, policy, workloads: [] }).workloads ?? [];
    const out = costAnalyzer.analyze({ snapshot: snap, policy, workloads: wl });
    expect(out.notes![0]).toMatch(/nodes: none in the snapshot, so no node count$/);
  });
});
