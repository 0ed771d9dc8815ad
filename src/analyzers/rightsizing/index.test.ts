import { describe, expect, it } from 'vitest';
import {
  container,
  deployment,
  hpa,
  ownedBy,
  pod,
  snapshotOf,
} from '../../../test/support/objects.js';
import type { KubeObject } from '../../cluster/types.js';
import type { ContainerUsage, Sample, UsageHistory } from '../../metrics/types.js';
import { DEFAULT_POLICY } from '../../policy/defaults.js';
import { inventoryAnalyzer } from '../inventory/index.js';
import { budgetNote, NO_HISTORY_NOTE, recommendWorkloads, rightsizingAnalyzer } from './index.js';
import { vpaCpuReference } from './reference.js';
import type { ContainerRecommendation } from './recommend.js';
import { pinDefaultedRequests } from './workloads.js';

const STEP = 300;
const END = 2_000_000;
const MI = 2 ** 20;

function series(hours: number, v: (i: number) => number): Sample[] {
  const n = (hours * 3600) / STEP;
  return Array.from({ length: n }, (_, i) => ({ t: END - (n - 1 - i) * STEP, v: v(i) }));
}

const podSpec = {
  initContainers: [container('migrate', { cpu: '1', memory: '1Gi' })],
  containers: [
    container('app', { cpu: '500m', memory: '512Mi' }, { memory: '512Mi' }),
    container('proxy', { cpu: '100m', memory: '64Mi' }),
  ],
};

const web = deployment({
  name: 'web',
  namespace: 'shop',
  annotations: { 'meta.helm.sh/release-name': 'web' },
  replicas: 2,
  ...podSpec,
});
const webReplicaSet = ownedBy(
  {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-6d4f8', namespace: 'shop', uid: 'rs1' },
    spec: { template: { spec: podSpec } },
  },
  web,
);
const objects: KubeObject[] = [
  web,
  webReplicaSet,
  ownedBy(pod('web-6d4f8-aaaaa', 'shop', podSpec), webReplicaSet),
  hpa({
    namespace: 'shop',
    deployment: 'web',
    minReplicas: 2,
    maxReplicas: 10,
    cpuUtilization: 60,
  }),
];
const snapshot = snapshotOf(objects, { clusterName: 't' });

function usage(pod: string, container: string, cpu: number, memoryMi: number): ContainerUsage {
  return {
    key: { namespace: 'shop', pod, container },
    cpu: series(48, (i) => cpu * (1 + 0.05 * (i % 4))),
    memory: series(48, () => memoryMi * MI),
  };
}

const history: UsageHistory = {
  source: 'test',
  confidence: 'high',
  window: { start: END - 48 * 3600, end: END, stepSeconds: STEP },
  containers: [
    usage('web-6d4f8-aaaaa', 'app', 0.2, 200),
    // A pod that is gone: found through the Deployment's pod naming pattern.
    usage('web-55c7b9d-zzzzz', 'app', 0.2, 300),
    usage('web-6d4f8-aaaaa', 'proxy', 0.02, 40),
    usage('web-6d4f8-aaaaa', 'migrate', 0.1, 100),
    // Another namespace's lookalike must not count.
    {
      ...usage('web-6d4f8-bbbbb', 'app', 5, 5000),
      key: { namespace: 'other', pod: 'web-6d4f8-bbbbb', container: 'app' },
    },
  ],
  events: [],
};

/** The same history, with the proxy sidecar OOM-killed once. */
const proxyKilled: UsageHistory = {
  ...history,
  events: [
    {
      key: { namespace: 'shop', pod: 'web-6d4f8-aaaaa', container: 'proxy' },
      oomKills: 1,
      restarts: 1,
    },
  ],
};

type PodPatch = Record<
  'containers' | 'initContainers',
  { name: string; resources: { requests?: Record<string, string> } }[]
>;
type HpaTarget = { target: { averageUtilization: number } };
type HpaMetric = { resource: HpaTarget; containerResource?: HpaTarget & { container: string } };

function run(h?: UsageHistory) {
  const workloads =
    inventoryAnalyzer.analyze({ snapshot, policy: DEFAULT_POLICY, workloads: [] }).workloads ?? [];
  return rightsizingAnalyzer.analyze({
    snapshot,
    policy: DEFAULT_POLICY,
    workloads,
    ...(h ? { history: h } : {}),
  });
}

describe('rightsizing analyzer', () => {
  it('says it skipped right-sizing without usage history', () => {
    expect(run()).toEqual({ notes: [NO_HISTORY_NOTE] });
  });

  it('patches only the resource fields that change, init containers and sidecars included', () => {
    const out = run(history);
    const change = out.changes!.find((c) => c.target.kind === 'Deployment')!;
    expect(change).toMatchObject({
      id: 'rightsizing/shop/Deployment/web',
      concern: 'rightsizing',
      action: 'patch',
    });
    const spec = (
      change.manifest.spec as {
        template: {
          spec: Record<
            string,
            { name: string; resources: Record<string, Record<string, string>> }[]
          >;
        };
      }
    ).template.spec;
    expect(change.manifest.metadata).toEqual({ name: 'web', namespace: 'shop' });
    expect(spec.initContainers.map((c) => c.name)).toEqual(['migrate']);
    const app = spec.containers.find((c) => c.name === 'app')!;
    // The gone pod's 300Mi peak counts: memory stays above it.
    expect(Number(app.resources.limits.memory.replace('Mi', ''))).toBeGreaterThan(300);
    expect(app.resources.requests.cpu).toMatch(/^\d+m$/);
    expect(app.resources.limits.cpu).toBeUndefined();
    expect(change.evidence).toMatchObject({ window: '2d', confidence: 'high' });
    expect(change.evidence!.samples).toBeGreaterThan(0);
    expect(change.risk!.reasons.join()).toMatch(/HPA web/);
  });

  it("raises an OOM-killed sidecar's memory and holds the workload's cuts: the fix ships alone", () => {
    const change = run(proxyKilled).changes!.find((c) => c.target.kind === 'Deployment')!;
    const spec = (change.manifest.spec as { template: { spec: PodPatch } }).template.spec;
    // The OOM-killed sidecar gets at least 64Mi × 1.2; nothing is cut, so no HPA change either.
    const proxy = spec.containers.find((c) => c.name === 'proxy')!;
    expect(Number(proxy.resources.requests!.memory.replace('Mi', ''))).toBeGreaterThanOrEqual(77);
    // app's cuts (and the init container's) wait: they are not in the patch at all.
    expect(spec.containers.map((c) => c.name)).toEqual(['proxy']);
    expect(spec.initContainers).toBeUndefined();
    expect(change.fixes).toEqual(['OOM kills of container proxy']);
    expect(run(proxyKilled).changes!.map((c) => c.target.kind)).toEqual(['Deployment']);
  });

  it('rescales the HPA target of a workload scaled on CPU and says so', () => {
    const out = run(history);
    const deployment = out.changes!.find((c) => c.target.kind === 'Deployment')!;
    const hpa = out.changes!.find((c) => c.target.kind === 'HorizontalPodAutoscaler')!;
    expect(deployment.summary).toMatch(
      /HPA web scales on CPU utilization: its target moves from 60% to \d+%/,
    );
    const metrics = (
      hpa.manifest.spec as { metrics: { resource: { target: { averageUtilization: number } } }[] }
    ).metrics;
    expect(metrics[0].resource.target.averageUtilization).toBeGreaterThan(60);
    // The values from before, so a rollback can put the target back.
    const before = (hpa.previous!.spec as { metrics: HpaMetric[] }).metrics;
    expect(before[0].resource.target.averageUtilization).toBe(60);
    expect(hpa.previous!.metadata).toEqual(hpa.manifest.metadata);
    expect(hpa.action).toBe('patch');
    expect(hpa.workload).toEqual(deployment.target);
  });

  it('takes a request left unset beside a limit as the limit, and writes it out when it moves', () => {
    const limitsOnly = { containers: [container('app', undefined, { cpu: '1', memory: '1Gi' })] };
    const api = deployment({ name: 'api', namespace: 'shop', replicas: 1, ...limitsOnly });
    const rs = ownedBy(
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'api-5f7c9', namespace: 'shop', uid: 'rs-api' },
        spec: { template: { spec: limitsOnly } },
      },
      api,
    );
    const s = snapshotOf([api, rs, ownedBy(pod('api-5f7c9-aaaaa', 'shop', limitsOnly), rs)], {
      clusterName: 't',
    });
    const idle: UsageHistory = {
      ...history,
      containers: [usage('api-5f7c9-aaaaa', 'app', 0.05, 100)],
      events: [],
    };
    const workloads =
      inventoryAnalyzer.analyze({ snapshot: s, policy: DEFAULT_POLICY, workloads: [] }).workloads ??
      [];
    const out = rightsizingAnalyzer.analyze({
      snapshot: s,
      policy: DEFAULT_POLICY,
      workloads,
      history: idle,
    });
    const patch = out.changes!.find((c) => c.target.name === 'api')!;
    const resources = (
      patch.manifest.spec as {
        template: { spec: { containers: { resources: Record<string, Record<string, string>> }[] } };
      }
    ).template.spec.containers[0].resources;
    // Today every pod requests 1 CPU and 1Gi (defaulted from the limits): each cut stops at the
    // policy's 30% step, and the requests are written out, or they would follow the limits.
    expect(resources.requests).toEqual({ cpu: '700m', memory: '717Mi' });
    expect(resources.limits.memory).toBe('717Mi');
    expect(patch.magnitude).toBe(0.3);

    // A limit moving alone (e.g. cpuLimits: true) carries its defaulted request along as is.
    const [app] = workloads.find((w) => w.ref.name === 'api')!.containers;
    const moved = { cpuRequest: 1, cpuLimit: 2, memoryRequest: 2 ** 30, memoryLimit: 2 ** 30 };
    const limitAlone = pinDefaultedRequests(app, {
      proposed: moved,
      changed: { cpuLimit: 2 },
    } as ContainerRecommendation);
    expect(limitAlone.changed).toEqual({ cpuLimit: 2, cpuRequest: 1 });
    const explicit = { ...app, requests: { cpu: '1' } };
    expect(
      pinDefaultedRequests(explicit, {
        proposed: moved,
        changed: { cpuLimit: 2 },
      } as ContainerRecommendation).changed,
    ).toEqual({ cpuLimit: 2 });
  });

  it('plans without a CPU budget when no container has enough history for one', () => {
    // Two hours of history, under the policy's minHistory: nothing to place, nothing to solve.
    const recent = (c: ContainerUsage): ContainerUsage => ({
      ...c,
      cpu: c.cpu.slice(-24),
      memory: c.memory.slice(-24),
    });
    const short = { ...history, containers: history.containers.map(recent) };
    const out = run(short);
    expect(out.changes ?? []).toEqual([]);
    const { workloads: results, cpuBudget } = recommendWorkloads({
      snapshot,
      policy: DEFAULT_POLICY,
      workloads:
        inventoryAnalyzer.analyze({ snapshot, policy: DEFAULT_POLICY, workloads: [] }).workloads ??
        [],
      history: short,
    });
    expect(cpuBudget).toBeUndefined();
    for (const c of results.flatMap((r) => r.containers))
      expect(c.recommendation?.skipped).toMatch(/less than the 12h the policy asks/);
  });

  it('reports OOM kills as findings and counts containers without series', () => {
    const out = run({
      ...proxyKilled,
      containers: history.containers.filter((c) => c.key.container !== 'migrate'),
    });
    expect(out.findings!.map((f) => f.check)).toContain('rightsizing.oom-killed');
    // Named, so the reader knows whose series to look for.
    expect(out.notes).toContain(
      'right-sizing: no usage series for 1 container(s): shop/web migrate',
    );
  });

  it('follows the policy: hpaCpu leave keeps CPU and the HPA as they are, and says so', () => {
    const policy = {
      ...DEFAULT_POLICY,
      rightsizing: { ...DEFAULT_POLICY.rightsizing, hpaCpu: 'leave' as const },
    };
    const workloads =
      inventoryAnalyzer.analyze({ snapshot, policy, workloads: [] }).workloads ?? [];
    const out = rightsizingAnalyzer.analyze({ snapshot, policy, workloads, history });
    expect(out.changes!.some((c) => c.target.kind === 'HorizontalPodAutoscaler')).toBe(false);
    const deployment = out.changes!.find((c) => c.target.kind === 'Deployment')!;
    const spec = (deployment.manifest.spec as { template: { spec: PodPatch } }).template.spec;
    // The HPA's utilization counts the app containers; the init container's CPU may move.
    expect(JSON.stringify(spec.containers)).not.toMatch(/"cpu"/);
    expect(spec.initContainers?.[0].resources.requests?.cpu).toMatch(/^\d+m$/);
    expect(out.findings!.map((f) => f.check)).toContain('rightsizing.hpa-resource-left-alone');

    // A native sidecar (restartPolicy Always) runs beside the app: the HPA counts it too.
    const sidecarSpec = {
      ...podSpec,
      initContainers: [{ ...podSpec.initContainers[0], restartPolicy: 'Always' }],
    };
    const withSidecar = objects.map((o) =>
      o.kind === 'Deployment' || o.kind === 'ReplicaSet'
        ? { ...o, spec: { ...(o.spec as object), template: { spec: sidecarSpec } } }
        : o,
    );
    const s = snapshotOf(withSidecar, { clusterName: 't' });
    const sidecarWorkloads =
      inventoryAnalyzer.analyze({ snapshot: s, policy, workloads: [] }).workloads ?? [];
    const sidecarOut = rightsizingAnalyzer.analyze({
      snapshot: s,
      policy,
      workloads: sidecarWorkloads,
      history,
    });
    const sidecarPatch = sidecarOut.changes!.find((c) => c.target.kind === 'Deployment')!;
    expect(JSON.stringify(sidecarPatch.manifest)).not.toMatch(/"cpu"/);
  });

  it("decides the HPA target on the pod: one target from the counted containers' totals", () => {
    // The proxy outgrew its 100m while the app idles: one request rises, the other falls.
    const busyProxy = {
      ...history,
      containers: history.containers.map((c) =>
        c.key.container === 'proxy' ? usage(c.key.pod, 'proxy', 0.15, 40) : c,
      ),
    };
    const out = run(busyProxy);
    const deployment = out.changes!.find((c) => c.target.kind === 'Deployment')!;
    const hpaChange = out.changes!.find((c) => c.target.kind === 'HorizontalPodAutoscaler')!;
    const spec = (deployment.manifest.spec as { template: { spec: PodPatch } }).template.spec;
    const cpu = (name: string, today: number) => {
      const value = spec.containers.find((c) => c.name === name)?.resources.requests?.cpu;
      return value === undefined ? today : Number(value.replace('m', '')) / 1000;
    };
    // Today app 500m + proxy 100m; the target keeps 60% of today's pod total in CPU per pod.
    const proposed = cpu('app', 0.5) + cpu('proxy', 0.1);
    const target = (hpaChange.manifest.spec as { metrics: HpaMetric[] }).metrics[0].resource.target
      .averageUtilization;
    expect(cpu('proxy', 0.1)).toBeGreaterThan(0.1);
    expect(cpu('app', 0.5)).toBeLessThan(0.5);
    expect(target).toBe(Math.round((60 * 0.6) / proposed));
  });

  it('rescales a ContainerResource HPA on its container only, and leaves CPU alone under two CPU metrics', () => {
    const containerHpa = structuredClone(objects[3]);
    const metrics = (containerHpa.spec as { metrics: Record<string, unknown>[] }).metrics;
    metrics[0] = {
      type: 'ContainerResource',
      containerResource: {
        name: 'cpu',
        container: 'app',
        target: { type: 'Utilization', averageUtilization: 60 },
      },
    };
    const planWith = (hpaObject: KubeObject) => {
      const s = snapshotOf([...objects.slice(0, 3), hpaObject], { clusterName: 't' });
      const workloads =
        inventoryAnalyzer.analyze({ snapshot: s, policy: DEFAULT_POLICY, workloads: [] })
          .workloads ?? [];
      return rightsizingAnalyzer.analyze({
        snapshot: s,
        policy: DEFAULT_POLICY,
        workloads,
        history,
      });
    };
    const out = planWith(containerHpa);
    const deployment = out.changes!.find((c) => c.target.kind === 'Deployment')!;
    const spec = (deployment.manifest.spec as { template: { spec: PodPatch } }).template.spec;
    const app = spec.containers.find((c) => c.name === 'app')!;
    const appCpu = Number(app.resources.requests!.cpu.replace('m', '')) / 1000;
    const hpaChange = out.changes!.find((c) => c.target.kind === 'HorizontalPodAutoscaler')!;
    const rescaled = (hpaChange.manifest.spec as { metrics: HpaMetric[] }).metrics[0];
    expect(rescaled.containerResource!.container).toBe('app');
    expect(rescaled.containerResource!.target.averageUtilization).toBe(
      Math.round((60 * 0.5) / appCpu),
    );

    // The pod's CPU and app's CPU: one new target cannot keep both.
    const twoCpuMetrics = structuredClone(objects[3]);
    (twoCpuMetrics.spec as { metrics: unknown[] }).metrics.push(metrics[0]);
    const left = planWith(twoCpuMetrics);
    expect(left.changes!.some((c) => c.target.kind === 'HorizontalPodAutoscaler')).toBe(false);
    const leftSpec = (
      left.changes!.find((c) => c.target.kind === 'Deployment')!.manifest.spec as {
        template: { spec: PodPatch };
      }
    ).template.spec;
    expect(JSON.stringify(leftSpec.containers)).not.toMatch(/"cpu"/);
    expect(left.changes!.find((c) => c.target.kind === 'Deployment')!.summary).toMatch(
      /2 CPU utilization metrics/,
    );
  });

  it("leaves the CPU an HPA keeps (policy hpaCpu: leave) out of the plan's CPU budget", () => {
    const policy = {
      ...DEFAULT_POLICY,
      rightsizing: { ...DEFAULT_POLICY.rightsizing, hpaCpu: 'leave' as const },
    };
    const workloads =
      inventoryAnalyzer.analyze({ snapshot, policy, workloads: [] }).workloads ?? [];
    const { cpuBudget } = recommendWorkloads({ snapshot, policy, workloads, history });
    // app and proxy are the HPA's; only the init container's CPU is the plan's to place.
    const migrate = history.containers
      .filter((c) => c.key.namespace === 'shop' && c.key.container === 'migrate')
      .flatMap((c) => c.cpu);
    expect(cpuBudget!.containers).toBe(1);
    expect(cpuBudget!.budgetCores).toBeCloseTo(vpaCpuReference(migrate, END), 12);
  });

  it('overRequestCost auto: one price for the plan, the CPU total within VPA defaults on the same history', () => {
    const workloads =
      inventoryAnalyzer.analyze({ snapshot, policy: DEFAULT_POLICY, workloads: [] }).workloads ??
      [];
    const input = { snapshot, policy: DEFAULT_POLICY, workloads, history };
    const { workloads: results, cpuBudget } = recommendWorkloads(input);
    const containers = results.flatMap((r) => r.containers);
    // The budget is VPA's reference per container, over all of its pods (the gone one included).
    const pooled = (name: string) =>
      history.containers
        .filter((c) => c.key.namespace === 'shop' && c.key.container === name)
        .flatMap((c) => c.cpu);
    const vpaTotal = ['app', 'proxy', 'migrate'].reduce(
      (sum, name) => sum + vpaCpuReference(pooled(name), END),
      0,
    );
    expect(cpuBudget).toBeDefined();
    expect(cpuBudget!.containers).toBe(3);
    expect(cpuBudget!.budgetCores).toBeCloseTo(vpaTotal, 12);
    expect(cpuBudget!.proposedCores).toBeLessThanOrEqual(vpaTotal);
    // The proposals are computed at that price: their rounded estimates add up to the total.
    const proposed = containers.reduce(
      (sum, c) => sum + Math.ceil(Math.max(c.recommendation!.estimate.cpu!, 0.01) * 200) / 200,
      0,
    );
    expect(proposed).toBeCloseTo(cpuBudget!.proposedCores, 9);
    expect(run(history).notes!.some((n) => n.startsWith(budgetNote(cpuBudget!)))).toBe(true);
    expect(budgetNote(cpuBudget!)).toMatch(/3 container\(s\) total \d+m against \d+m from VPA/);
    // The note also gives what the proposal asks, after the step limit and evidence: the
    // estimates are not the requests a reviewer finds in the patches.
    const note = run(history).notes!.find((n) => n.includes("VPA's default recommender"))!;
    const sum = (pick: (c: (typeof containers)[number]) => number | undefined) =>
      Math.round(containers.reduce((total, c) => total + (pick(c) ?? 0), 0) * 1000);
    expect(note).toContain(
      `the proposed requests of 3 container(s) total ${sum((c) => c.recommendation!.proposed.cpuRequest)}m, from ${sum((c) => c.current.cpuRequest)}m today`,
    );

    // A fixed price solves nothing and may spend more than VPA would.
    const fixed = {
      ...DEFAULT_POLICY,
      rightsizing: {
        ...DEFAULT_POLICY.rightsizing,
        cpu: { ...DEFAULT_POLICY.rightsizing.cpu, overRequestCost: 50 },
      },
    };
    const generous = recommendWorkloads({ ...input, policy: fixed });
    expect(generous.cpuBudget).toBeUndefined();
    const generousTotal = generous.workloads
      .flatMap((r) => r.containers)
      .reduce((sum, c) => sum + c.recommendation!.estimate.cpu!, 0);
    expect(generousTotal).toBeGreaterThan(cpuBudget!.proposedCores);
  });

  it('computes a plan’s recommendations once for the analyzers that share them', () => {
    const workloads =
      inventoryAnalyzer.analyze({ snapshot, policy: DEFAULT_POLICY, workloads: [] }).workloads ??
      [];
    const input = { snapshot, policy: DEFAULT_POLICY, workloads, history };
    const first = recommendWorkloads(input);
    // The cost analyzer's call, with a new input object around the same four: the same result.
    expect(recommendWorkloads({ ...input })).toBe(first);
    // Any other policy (or history, snapshot, workloads) is computed afresh.
    const other = { ...DEFAULT_POLICY };
    expect(recommendWorkloads({ ...input, policy: other })).not.toBe(first);
    expect(recommendWorkloads({ ...input, policy: other })).toEqual(first);
  });
});

describe('fixes of observed failures', () => {
  // hot: OOM-killed at 128Mi, no CPU request today: the change only raises and adds.
  // cart: OOM-killed too, and 2 CPUs for 0.2 used: its memory raise comes with a CPU cut.
  // calm: nothing failed, everything cut.
  const make = (name: string, requests: Record<string, string>, limits: Record<string, string>) =>
    deployment({
      name,
      namespace: 'shop',
      replicas: 2,
      containers: [container('app', requests, limits)],
    });
  const workloads = [
    make('hot', { memory: '128Mi' }, { memory: '128Mi' }),
    make('cart', { cpu: '2', memory: '128Mi' }, { memory: '128Mi' }),
    make('calm', { cpu: '2', memory: '1Gi' }, { memory: '1Gi' }),
  ];
  const failing = snapshotOf(workloads, { clusterName: 't' });
  const killed = (name: string) => ({
    key: { namespace: 'shop', pod: `${name}-6d4f8-bbbbb`, container: 'app' },
    oomKills: 2,
    restarts: 2,
  });
  const failingHistory: UsageHistory = {
    ...history,
    containers: ['hot', 'cart', 'calm'].map((n) => usage(`${n}-6d4f8-bbbbb`, 'app', 0.2, 120)),
    events: [killed('hot'), killed('cart')],
  };
  const out = () => {
    const models =
      inventoryAnalyzer.analyze({ snapshot: failing, policy: DEFAULT_POLICY, workloads: [] })
        .workloads ?? [];
    return rightsizingAnalyzer.analyze({
      snapshot: failing,
      policy: DEFAULT_POLICY,
      workloads: models,
      history: failingHistory,
    });
  };
  const changeOf = (name: string) => out().changes!.find((c) => c.target.name === name)!;

  it('marks a change raising resources for OOM kills as a fix, scored as low as a raise', () => {
    const hot = changeOf('hot');
    expect(hot.fixes).toEqual(['OOM kills of container app']);
    // Base 0.1, nothing cut, two days of history: the failures add nothing to a raise.
    expect(hot.risk).toEqual({
      score: 0.1,
      reasons: [
        'only raises or first-time requests',
        'raises resources for OOM kills: a fix, which waves take before any change that fixes nothing',
      ],
    });
    expect(changeOf('calm').fixes).toBeUndefined();
    expect(changeOf('calm').risk!.score).toBe(0.4);
  });

  it('ships a fix alone: the cuts of its workload wait for a later plan', () => {
    // cart's 2 CPUs for 0.2 used would be cut 30%; in the pull request that fixes its OOM kills
    // the cut would share the fix's fate (a revert of one reverts the other) and its risk.
    const cart = changeOf('cart');
    expect(cart.fixes).toEqual(['OOM kills of container app']);
    expect(cart.summary).toMatch(
      /^Right-size cart \(app: memory request 128Mi → \d+Mi, memory limit 128Mi → \d+Mi\)$/,
    );
    expect(cart.evidence!.detail).toContain(
      'CPU request not lowered in this pull request: it fixes OOM kills of container app, and a fix ships alone',
    );
    expect(cart.risk).toEqual(changeOf('hot').risk);
    expect(out().notes).toContain(
      'right-sizing: cuts held for 1 container(s) whose workload gets a fix, which ships alone: shop/cart app',
    );
    // calm fixes nothing: its cuts go ahead.
    expect(changeOf('calm').summary).toMatch(/CPU request 2 → 1400m/);
  });

  it('tells the reader the fix goes first', () => {
    const finding = out().findings!.find(
      (f) => f.check === 'rightsizing.oom-killed' && f.resource.name === 'hot',
    )!;
    expect(finding.remediation).toBe(
      'Merge the right-sizing pull request that raises its memory (waves take fixes before any change that fixes nothing), or raise the memory limit by hand.',
    );
  });
});
