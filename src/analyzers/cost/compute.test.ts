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
import { MODEL_API_VERSION } from '../../model/types.js';
import type { ContainerModel, CostReport, DesiredState, WorkloadModel } from '../../model/types.js';
import { validateModel } from '../../model/validate.js';
import { DEFAULT_POLICY } from '../../policy/defaults.js';
import type { CostPolicy } from '../../policy/types.js';
import { inventoryAnalyzer } from '../inventory/index.js';
import { currentResources } from '../rightsizing/workloads.js';
import { firstFitDecreasing } from './binpack.js';
import { costReport, podDemand } from './compute.js';
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
  // Each part is rounded to the cent, then added: a total is the sum of its printed parts.
  // db: 0.25 × 0.03 × 730 = 5.475 → 5.48 (printed); 0.5 × 0.004 × 730 = 1.46; storage 10 × 0.1 = 1
  //   total 5.48 + 1.46 + 1 = 7.94
  // agent: 3 pods × (0.1 × 0.03 × 730 = 2.19; 0.125 × 0.004 × 730 = 0.365): CPU 6.57, memory
  //   1.095 → 1.10; total 6.57 + 1.10 = 7.67
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

  it('every total is the sum of its parts, the cluster the sum of the workloads', () => {
    expectAddsUp(report);
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

/** In cents, so the sums are exact. */
const cents = (x: number): number => Math.round(x * 100);

/** Every total is the sum of its parts, and the cluster's the sum of the workloads', to the cent. */
function expectAddsUp(report: CostReport): void {
  for (const key of ['today', 'proposed'] as const) {
    for (const f of [report[key], ...report.workloads.map((w) => w[key])]) {
      expect(cents(f.total), JSON.stringify(f)).toBe(
        cents(f.cpu) + cents(f.memory) + cents(f.storage),
      );
    }
    for (const part of ['cpu', 'memory', 'storage', 'total'] as const) {
      expect(cents(report[key][part]), `${key} ${part}`).toBe(
        report.workloads.reduce((sum, w) => sum + cents(w[key][part]), 0),
      );
    }
  }
}

describe('cost figures add up as printed', () => {
  // Two Deployments, each 2 replicas of 85m and 48Mi, each under a PDB (spot candidates).
  //   CPU 0.085 × 2 × 0.03 × 730 = 3.723 → 3.72; memory 48/1024 × 2 × 0.004 × 730 = 0.27375 → 0.27
  //   total 3.72 + 0.27 = 3.99 (rounding the unrounded 3.99675 instead would print 4.00)
  //   cluster: CPU 7.44, memory 0.54, total 7.98
  //   spot: each 3.99 × 0.6 = 2.394 → 2.39, as each finding prints it; together 4.78 (not 4.79)
  const small = (name: string) =>
    deployment({
      name,
      namespace: 'shop',
      replicas: 2,
      containers: [container('app', { cpu: '85m', memory: '48Mi' })],
    });
  const objs: KubeObject[] = [
    node('n1'),
    small('a'),
    small('b'),
    pdb({ namespace: 'shop', app: 'a', minAvailable: 1 }),
    pdb({ namespace: 'shop', app: 'b', minAvailable: 1 }),
  ];
  const snap = snapshotOf(objs, { clusterName: 'c' });
  const wl = inventoryAnalyzer.analyze({ snapshot: snap, policy, workloads: [] }).workloads ?? [];
  const report = costReport(objs, wl, prices);

  it("a workload's total is the sum of its rounded parts", () => {
    const figures = { cpu: 3.72, memory: 0.27, storage: 0, total: 3.99 };
    expect(report.workloads.map((w) => w.today)).toEqual([figures, figures]);
  });

  it("the cluster's parts and total are the sums of the workloads'", () => {
    expect(report.today).toEqual({ cpu: 7.44, memory: 0.54, storage: 0, total: 7.98 });
    expectAddsUp(report);
  });

  it('the spot saving is the sum of the savings the findings print', () => {
    const priced = { ...policy, cost: prices };
    const out = costAnalyzer.analyze({ snapshot: snap, policy: priced, workloads: wl });
    expect(out.findings!.map((f) => f.message.match(/save about (\S+)/)?.[1])).toEqual([
      '2.39',
      '2.39',
    ]);
    expect(report.spotSavings).toBe(4.78);
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
    expect(firstFitDecreasing(pods, shapes)).toEqual({
      nodes: 2,
      unplaceable: 0,
      byShape: [{ cpu: 4, memory: 8 * GI, nodes: 2 }],
    });
  });

  it('counts pods no shape can hold apart', () => {
    expect(
      firstFitDecreasing(
        [
          { cpu: 5, memory: GI },
          { cpu: 1, memory: GI },
        ],
        shapes,
      ),
    ).toEqual({ nodes: 1, unplaceable: 1, byShape: [{ cpu: 4, memory: 8 * GI, nodes: 1 }] });
  });

  it('memory can be the binding dimension', () => {
    const pods = Array.from({ length: 4 }, () => ({ cpu: 0.1, memory: 3 * GI }));
    expect(firstFitDecreasing(pods, shapes).nodes).toBe(2);
  });
});

describe('firstFitDecreasing across node shapes', () => {
  const common = { cpu: 2, memory: 4 * GI, count: 3 };
  const medium = { cpu: 4, memory: 8 * GI, count: 1 };
  const large = { cpu: 8, memory: 32 * GI, count: 1 };

  it('a pod larger than the common shape opens a node of a shape that fits it', () => {
    // Largest first: the 6-CPU pod fits no 2-CPU node, so it opens a large node (8 CPU, 32Gi),
    // leaving 2 CPU and 24Gi; the 1-CPU pods fill that, and the third opens a common node.
    const pods = [
      { cpu: 1, memory: GI },
      { cpu: 6, memory: 8 * GI },
      { cpu: 1, memory: GI },
      { cpu: 1, memory: GI },
    ];
    expect(firstFitDecreasing(pods, [common, large])).toEqual({
      nodes: 2,
      unplaceable: 0,
      byShape: [
        { cpu: 2, memory: 4 * GI, nodes: 1 },
        { cpu: 8, memory: 32 * GI, nodes: 1 },
      ],
    });
  });

  it('opens the smallest shape that fits, not the largest', () => {
    // 3 CPU, 2Gi: too big for 2 CPU; 4 CPU / 8Gi holds it; 8 CPU / 32Gi would too but is larger.
    expect(firstFitDecreasing([{ cpu: 3, memory: 2 * GI }], [large, common, medium])).toEqual({
      nodes: 1,
      unplaceable: 0,
      byShape: [{ cpu: 4, memory: 8 * GI, nodes: 1 }],
    });
  });

  it('only a pod larger than every shape is unplaceable; per-node overhead comes off every shape', () => {
    // DaemonSet overhead 0.5 CPU: the medium node holds 3.5 CPU, so 3.5 fits and 3.6 fits nothing.
    const pods = [
      { cpu: 3.6, memory: GI },
      { cpu: 3.5, memory: GI },
    ];
    expect(firstFitDecreasing(pods, [common, medium], { cpu: 0.5, memory: 0 })).toEqual({
      nodes: 1,
      unplaceable: 1,
      byShape: [{ cpu: 4, memory: 8 * GI, nodes: 1 }],
    });
  });

  it('the cost report packs onto the larger node of the cluster', () => {
    // Two 2-CPU nodes and one 8-CPU node; a 5-CPU pod and three 1-CPU pods (1Gi each).
    // The 5-CPU pod opens the 8-CPU node (3 CPU, 28Gi left) and the three 1-CPU pods fill it:
    // 1 node, none unplaceable (packing onto 2-CPU nodes only would leave the 5-CPU pod out).
    const objs: KubeObject[] = [
      node('small-1'),
      node('small-2'),
      node('big', { cpu: '8', memory: '32Gi' }),
      deployment({
        name: 'batch',
        namespace: 'jobs',
        replicas: 1,
        containers: [container('work', { cpu: '5', memory: '4Gi' })],
      }),
      deployment({
        name: 'web',
        namespace: 'jobs',
        replicas: 3,
        containers: [container('web', { cpu: '1', memory: '1Gi' })],
      }),
    ];
    const snap = snapshotOf(objs, { clusterName: 'c' });
    const wl = inventoryAnalyzer.analyze({ snapshot: snap, policy, workloads: [] }).workloads ?? [];
    expect(costReport(objs, wl, prices).nodes).toEqual({
      today: 3,
      packedToday: 1,
      packedProposed: 1,
      unplaceable: 0,
    });
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

describe('podDemand, as the scheduler counts a pod', () => {
  const c = (
    name: string,
    options: {
      init?: boolean;
      sidecar?: boolean;
      requests?: Record<string, string>;
      limits?: Record<string, string>;
    },
  ): ContainerModel => ({
    name,
    image: `${name}:1`,
    init: options.init ?? false,
    ...(options.sidecar ? { sidecar: true } : {}),
    requests: options.requests ?? {},
    limits: options.limits ?? {},
  });

  it('takes a CPU limit as the request when the request is unset, as it does memory', () => {
    // Kubernetes defaults each unset request to its limit: 1500m CPU and 1Gi.
    const pod = podDemand(
      [c('app', { limits: { cpu: '1500m', memory: '1Gi' } })],
      currentResources,
    );
    expect(pod).toEqual({ cpu: 1.5, memory: GI });
  });

  it('an explicit request wins over the limit', () => {
    const pod = podDemand(
      [c('app', { requests: { cpu: '250m' }, limits: { cpu: '2', memory: '1Gi' } })],
      currentResources,
    );
    expect(pod).toEqual({ cpu: 0.25, memory: GI });
  });

  it('counts native sidecars with the app containers, and with the init containers after them', () => {
    // Init containers in order: setup (1 CPU, 256Mi), proxy (sidecar, 250m, 128Mi),
    // migrate (1 CPU, 1Gi); app api (500m, 512Mi).
    //   running:   api + proxy            = 0.75 CPU, 640Mi
    //   setup:     1 + no sidecar yet     = 1 CPU, 256Mi
    //   proxy:     sidecars so far        = 0.25 CPU, 128Mi
    //   migrate:   1 + proxy              = 1.25 CPU, 1Gi + 128Mi = 1152Mi
    // max per resource: 1.25 CPU, 1152Mi.
    const pod = podDemand(
      [
        c('setup', { init: true, requests: { cpu: '1', memory: '256Mi' } }),
        c('proxy', { init: true, sidecar: true, requests: { cpu: '250m', memory: '128Mi' } }),
        c('migrate', { init: true, requests: { cpu: '1', memory: '1Gi' } }),
        c('api', { requests: { cpu: '500m', memory: '512Mi' } }),
      ],
      currentResources,
    );
    expect(pod).toEqual({ cpu: 1.25, memory: 1152 * MI });
  });

  it('a sidecar adds to the running pod even when an init container is larger than the app', () => {
    // setup (750m, 100Mi) runs before the sidecar; running: api 500m + proxy 500m = 1 CPU,
    // 256Mi + 256Mi = 512Mi; setup alone: 750m, 100Mi. max: 1 CPU, 512Mi.
    const pod = podDemand(
      [
        c('setup', { init: true, requests: { cpu: '750m', memory: '100Mi' } }),
        c('proxy', { init: true, sidecar: true, limits: { cpu: '500m', memory: '256Mi' } }),
        c('api', { requests: { cpu: '500m', memory: '256Mi' } }),
      ],
      currentResources,
    );
    expect(pod).toEqual({ cpu: 1, memory: 512 * MI });
  });

  it('the inventory marks init containers with restartPolicy Always as sidecars, and the cost counts them', () => {
    const proxy = {
      ...container('proxy', { cpu: '250m', memory: '128Mi' }),
      restartPolicy: 'Always',
    };
    const objs: KubeObject[] = [
      node('n1'),
      deployment({
        name: 'mesh',
        namespace: 'shop',
        replicas: 1,
        initContainers: [container('setup', { cpu: '100m', memory: '64Mi' }), proxy],
        containers: [container('app', { cpu: '500m', memory: '512Mi' })],
      }),
    ];
    const snap = snapshotOf(objs, { clusterName: 'c' });
    const wl = inventoryAnalyzer.analyze({ snapshot: snap, policy, workloads: [] }).workloads ?? [];
    const containers = wl[0].containers;
    expect(containers.map((x) => [x.name, x.init, x.sidecar])).toEqual([
      ['setup', true, undefined],
      ['proxy', true, true],
      ['app', false, undefined],
    ]);
    // app 500m + proxy 250m = 750m, 512Mi + 128Mi = 640Mi; setup (100m, 64Mi) alone is smaller.
    const report = costReport(objs, wl, prices);
    expect(report.workloads[0].requests).toEqual({ cpu: 0.75, memory: 640 * MI });
  });

  it('the model schema accepts the sidecar flag', () => {
    const proxy = { ...container('proxy', { cpu: '250m' }), restartPolicy: 'Always' };
    const objs: KubeObject[] = [
      deployment({
        name: 'mesh',
        namespace: 'shop',
        replicas: 1,
        initContainers: [proxy],
        containers: [container('app')],
      }),
    ];
    const snap = snapshotOf(objs, { clusterName: 'c' });
    const wl = inventoryAnalyzer.analyze({ snapshot: snap, policy, workloads: [] }).workloads ?? [];
    const model: DesiredState = {
      apiVersion: MODEL_API_VERSION,
      kind: 'DesiredState',
      cluster: { name: 'c', source: 'snapshot', apiGroups: [] },
      inputs: { objects: 1, skipped: [], usageHistory: { available: false } },
      workloads: wl,
      changes: [],
      findings: [],
      notes: [],
      rollout: { phase: 2, wave: 1 },
    };
    expect(validateModel(JSON.parse(JSON.stringify(model))).workloads[0].containers[0]).toEqual({
      name: 'proxy',
      image: 'proxy:1',
      init: true,
      sidecar: true,
      requests: { cpu: '250m' },
      limits: {},
    });
  });
});

describe('node counts at the edges', () => {
  const modelOf = (wl: readonly WorkloadModel[]): DesiredState => ({
    apiVersion: MODEL_API_VERSION,
    kind: 'DesiredState',
    cluster: { name: 'c', source: 'snapshot', apiGroups: [] },
    inputs: { objects: 1, skipped: [], usageHistory: { available: false } },
    workloads: wl,
    changes: [],
    findings: [],
    notes: [],
    rollout: { phase: 2, wave: 1 },
  });
  const reportOf = (objs: KubeObject[]) => {
    const snap = snapshotOf(objs, { clusterName: 'c' });
    const wl = inventoryAnalyzer.analyze({ snapshot: snap, policy, workloads: [] }).workloads ?? [];
    return costReport(objs, wl, prices);
  };

  it('a billion replicas are priced and packed without a pod each', () => {
    // 2-CPU, 4Gi nodes hold two 1-CPU, 1Gi pods: 500 000 000 nodes.
    // CPU 1 × 1e9 × 0.03 × 730 = 21 900 000 000; memory 1 × 1e9 × 0.004 × 730 = 2 920 000 000.
    const report = reportOf([
      node('n1'),
      deployment({
        name: 'typo',
        namespace: 'shop',
        replicas: 1_000_000_000,
        containers: [container('app', { cpu: '1', memory: '1Gi' })],
      }),
    ]);
    expect(report.nodes).toEqual({
      today: 1,
      packedToday: 500_000_000,
      packedProposed: 500_000_000,
      unplaceable: 0,
    });
    expect(report.today).toEqual({
      cpu: 21_900_000_000,
      memory: 2_920_000_000,
      storage: 0,
      total: 24_820_000_000,
    });
  });

  it('a cluster running only DaemonSets packs onto one node, not none', () => {
    const onlyAgent = [
      ...objects.filter((o) => o.kind === 'Node'),
      agent,
      ...objects.filter((o) => o.kind === 'Pod'),
    ];
    expect(reportOf(onlyAgent).nodes).toEqual({
      today: 3,
      packedToday: 1,
      packedProposed: 1,
      unplaceable: 0,
    });
  });

  it('a pod larger than every node shape is counted apart, the others packed', () => {
    const report = reportOf([
      node('n1'),
      node('n2'),
      deployment({
        name: 'huge',
        namespace: 'shop',
        replicas: 2,
        containers: [container('app', { cpu: '3', memory: '1Gi' })],
      }),
      deployment({
        name: 'web',
        namespace: 'shop',
        replicas: 3,
        containers: [container('app', { cpu: '1', memory: '1Gi' })],
      }),
    ]);
    expect(report.nodes).toEqual({
      today: 2,
      packedToday: 2,
      packedProposed: 2,
      unplaceable: 2,
      unplaceableToday: 2,
    });
  });

  it('a pod too large today that the proposal shrinks is counted apart today, packed proposed', () => {
    // Today 3 CPU fits no 2-CPU node: 1 node for the two 1-CPU pods, 1 pod left out. Proposed
    // 1.5 CPU: the large pod opens a node, the 1-CPU pods share the other: 2 nodes.
    const objs: KubeObject[] = [
      node('n1'),
      node('n2'),
      deployment({
        name: 'huge',
        namespace: 'shop',
        replicas: 1,
        containers: [container('app', { cpu: '3', memory: '1Gi' })],
      }),
      deployment({
        name: 'web',
        namespace: 'shop',
        replicas: 2,
        containers: [container('app', { cpu: '1', memory: '1Gi' })],
      }),
    ];
    const snap = snapshotOf(objs, { clusterName: 'c' });
    const wl = inventoryAnalyzer.analyze({ snapshot: snap, policy, workloads: [] }).workloads ?? [];
    const report = costReport(objs, wl, prices, (w) =>
      w.ref.name === 'huge' ? { cpuRequest: 1.5 } : undefined,
    );
    expect(report.nodes).toEqual({
      today: 2,
      packedToday: 1,
      packedProposed: 2,
      unplaceable: 0,
      unplaceableToday: 1,
    });
    expect(
      validateModel(JSON.parse(JSON.stringify({ ...modelOf(wl), cost: report }))).cost,
    ).toEqual(report);
  });
});

describe('node counts with what the policy does not analyse', () => {
  // The default policy leaves kube-system out; what runs there still takes node capacity, the
  // same today and proposed. Nodes of 2 CPU, 4Gi; the analysed workload is web, two 750m pods.
  const web = deployment({
    name: 'web',
    namespace: 'shop',
    replicas: 2,
    containers: [container('app', { cpu: '750m', memory: '512Mi' })],
  });
  const cluster: KubeObject[] = [
    node('n1'),
    node('n2'),
    web,
    ownedBy(pod('web-1', 'shop'), web),
    ownedBy(pod('web-2', 'shop'), web),
  ];
  const systemDeployment = (replicas: number, cpu: string) =>
    deployment({
      name: 'coredns',
      namespace: 'kube-system',
      replicas,
      containers: [container('coredns', { cpu, memory: '128Mi' })],
    });
  const podSpec = (cpu: string) => ({
    containers: [container('app', { cpu, memory: '128Mi' })],
  });
  const reportWith = (extra: readonly KubeObject[], withPolicy = DEFAULT_POLICY) => {
    const objs = [...cluster, ...extra];
    const snap = snapshotOf(objs, { clusterName: 'c' });
    const input = { snapshot: snap, policy: withPolicy, workloads: [] };
    const wl = inventoryAnalyzer.analyze(input).workloads ?? [];
    return costReport(objs, wl, prices);
  };

  it('alone, web packs onto one node', () => {
    expect(reportWith([]).nodes).toEqual({
      today: 2,
      packedToday: 1,
      packedProposed: 1,
      unplaceable: 0,
    });
  });

  it('charges a DaemonSet of an excluded namespace on every node, as if it were analysed', () => {
    // aws-node requests 600m on each node: 1.4 CPU is left, so each of web's 750m pods needs a
    // node of its own, as with `exclude: []`, where aws-node is analysed.
    const awsNode = daemonSet({
      name: 'aws-node',
      namespace: 'kube-system',
      containers: [container('aws-node', { cpu: '600m', memory: '128Mi' })],
    });
    const objs = [
      awsNode,
      ...['n1', 'n2'].map((n) =>
        ownedBy(pod(`aws-node-${n}`, 'kube-system', { nodeName: n }), awsNode),
      ),
    ];
    const everything = { ...DEFAULT_POLICY, namespaces: { include: [], exclude: [] } };
    const excluded = reportWith(objs);
    expect(reportWith(objs, everything).nodes).toMatchObject({ packedToday: 2, packedProposed: 2 });
    expect(excluded.nodes).toEqual({
      today: 2,
      packedToday: 2,
      packedProposed: 2,
      unplaceable: 0,
      notAnalysed: { pods: 0, daemonSets: 1 },
    });
    // The cost tables stay over the analysed workloads.
    expect(excluded.workloads.map((w) => w.ref.name)).toEqual(['web']);
    expect(excluded.today).toEqual(reportWith([]).today);
  });

  it('places the desired replicas of an excluded workload whose pods the snapshot lacks', () => {
    // coredns wants 2 pods of 1 CPU and none is in the snapshot: 1 + 0.75 | 1 + 0.75 → 2 nodes.
    expect(reportWith([systemDeployment(2, '1')]).nodes).toEqual({
      today: 2,
      packedToday: 2,
      packedProposed: 2,
      unplaceable: 0,
      notAnalysed: { pods: 2, daemonSets: 0 },
    });
  });

  it("places the pods an excluded workload runs with their own requests, the missing ones with its template's", () => {
    // The template asks 250m, its one running pod 1500m (as admitted), and one replica is
    // missing: 1.5 + 0.25 | 0.75 + 0.75 → 2 nodes (from the template alone, 2 CPU: 1 node).
    const coredns = systemDeployment(2, '250m');
    const running = ownedBy(pod('coredns-1', 'kube-system', podSpec('1500m')), coredns);
    expect(reportWith([coredns, running]).nodes).toEqual({
      today: 2,
      packedToday: 2,
      packedProposed: 2,
      unplaceable: 0,
      notAnalysed: { pods: 2, daemonSets: 0 },
    });
  });

  it('places bare pods, of any namespace, with their own requests', () => {
    // 1.5 | 0.75 + 0.75 → 2 nodes.
    const debug = pod('debug', 'shop', podSpec('1500m'));
    expect(reportWith([debug]).nodes).toEqual({
      today: 2,
      packedToday: 2,
      packedProposed: 2,
      unplaceable: 0,
      notAnalysed: { pods: 1, daemonSets: 0 },
    });
  });

  it('gives terminated pods (Succeeded, Failed) no capacity', () => {
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'backup', namespace: 'kube-system', uid: 'job-backup' },
      spec: { template: { spec: podSpec('2') } },
    };
    const done = (p: KubeObject, phase: string): KubeObject => ({ ...p, status: { phase } });
    const report = reportWith([
      job,
      done(ownedBy(pod('backup-1', 'kube-system', podSpec('2')), job), 'Succeeded'),
      done(pod('crashed', 'shop', podSpec('2')), 'Failed'),
    ]);
    expect(report.nodes).toEqual({ today: 2, packedToday: 1, packedProposed: 1, unplaceable: 0 });
  });

  it('prices an analysed Job by the pods it runs, not the ones that finished', () => {
    // backup has run three pods: two finished (Succeeded, Failed), one runs. Today's money is
    // one pod of 2 CPU, and only that pod is packed: 2 | 0.75 + 0.75 → 2 nodes.
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'backup', namespace: 'shop', uid: 'job-backup' },
      spec: { template: { spec: podSpec('2') } },
    };
    const withPhase = (name: string, phase: string): KubeObject => ({
      ...ownedBy(pod(name, 'shop', podSpec('2')), job),
      status: { phase },
    });
    const report = reportWith([
      job,
      withPhase('backup-1', 'Succeeded'),
      withPhase('backup-2', 'Failed'),
      withPhase('backup-3', 'Running'),
    ]);
    const backup = report.workloads.find((w) => w.ref.name === 'backup')!;
    expect(backup.replicas).toBe(1);
    expect(backup.today.cpu).toBeCloseTo(2 * prices.vcpuHour * prices.hoursPerMonth, 2);
    expect(report.nodes).toMatchObject({ packedToday: 2, packedProposed: 2 });
  });

  it('the note names what the node counts include besides the analysed workloads', () => {
    const objs = [...cluster, systemDeployment(2, '1')];
    const snap = snapshotOf(objs, { clusterName: 'c' });
    const wl =
      inventoryAnalyzer.analyze({ snapshot: snap, policy: DEFAULT_POLICY, workloads: [] })
        .workloads ?? [];
    const out = costAnalyzer.analyze({ snapshot: snap, policy: DEFAULT_POLICY, workloads: wl });
    expect(out.notes![0]).toMatch(
      /nodes: 2 today, 2 packed with today's requests, 2 with the proposal; both counts include 2 pods the policy does not analyse, as they run today$/,
    );
  });
});
