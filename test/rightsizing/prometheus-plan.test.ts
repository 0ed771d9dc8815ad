/**
 * Right-sizing end to end on a real Prometheus: backfilled cAdvisor and kube-state-metrics
 * history, read by the Prometheus history source, planned by inventory → rightsizing → cost.
 * Covers the OOMKilled evidence raising memory and an HPA on CPU getting its target rescaled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costReportOf } from '../../src/analyzers/cost/index.js';
import { inventoryAnalyzer } from '../../src/analyzers/inventory/index.js';
import { rightsizingAnalyzer } from '../../src/analyzers/rightsizing/index.js';
import type { AnalyzerInput } from '../../src/analyzers/types.js';
import type { KubeObject } from '../../src/cluster/types.js';
import { PrometheusHistorySource } from '../../src/metrics/prometheus/source.js';
import type { UsageHistory } from '../../src/metrics/types.js';
import type { Change } from '../../src/model/types.js';
import { DEFAULT_POLICY } from '../../src/policy/defaults.js';
import { parseQuantity } from '../../src/util/quantity.js';
import { fixtureText, STEP, T0 } from '../metrics/history-fixture.js';
import {
  container,
  deployment,
  hpa,
  node,
  ownedBy,
  pod,
  snapshotOf,
  statefulSet,
} from '../support/objects.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';

const SAMPLES = 288; // a day at 5 minutes
const MI = 2 ** 20;

const text = fixtureText({
  samples: SAMPLES,
  containers: [
    // Uses ~0.2 CPU of the 1 CPU it requests; an HPA scales it at 60% CPU.
    { namespace: 'shop', pod: 'api-7c9d5f8b4-x2k4m', container: 'api', cpu: 0.2, memory: 150 * MI },
    // Killed for memory twice at its 256Mi limit, though the working set seen stays lower.
    {
      namespace: 'shop',
      pod: 'db-0',
      container: 'postgres',
      cpu: 0.3,
      memory: 200 * MI,
      restartsAt: [100, 200],
      oomKilled: true,
    },
  ],
});

const dbStatefulSet = statefulSet({
  name: 'db',
  namespace: 'shop',
  replicas: 1,
  containers: [container('postgres', { cpu: '300m', memory: '256Mi' }, { memory: '256Mi' })],
});
/** The StatefulSet's live pod, running its template since before the kills. */
const dbPod = ownedBy(
  {
    ...pod('db-0', 'shop', {
      containers: [container('postgres', { cpu: '300m', memory: '256Mi' }, { memory: '256Mi' })],
    }),
    metadata: { ...pod('db-0', 'shop').metadata, creationTimestamp: isoAt(T0) },
  },
  dbStatefulSet,
);

function isoAt(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
const objects: KubeObject[] = [
  deployment({
    name: 'api',
    namespace: 'shop',
    replicas: 2,
    containers: [container('api', { cpu: '1', memory: '256Mi' }, { memory: '256Mi' })],
  }),
  dbStatefulSet,
  dbPod,
  hpa({ namespace: 'shop', deployment: 'api', minReplicas: 2, maxReplicas: 8, cpuUtilization: 60 }),
  node('n1'),
  node('n2'),
];
const snapshot = snapshotOf(objects, { clusterName: 'shop' });

let prometheus: RunningPrometheus;
let history: UsageHistory;
let input: AnalyzerInput;
let changes: readonly Change[];

beforeAll(async () => {
  prometheus = await startPrometheus({ openMetrics: [text] });
  const source = PrometheusHistorySource.fromConfig({ url: prometheus.url });
  history = await source.fetch({
    namespaces: ['shop'],
    start: T0,
    end: T0 + (SAMPLES - 1) * STEP,
    stepSeconds: STEP,
  });
  const workloads =
    inventoryAnalyzer.analyze({ snapshot, policy: DEFAULT_POLICY, workloads: [] }).workloads ?? [];
  input = { snapshot, policy: DEFAULT_POLICY, workloads, history };
  changes = rightsizingAnalyzer.analyze(input).changes ?? [];
});

afterAll(async () => {
  await prometheus?.stop();
});

function containerResources(change: Change): {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
} {
  const spec = change.manifest.spec as {
    template: { spec: { containers: { resources: object }[] } };
  };
  return spec.template.spec.containers[0].resources;
}

describe('right-sizing from a real Prometheus', () => {
  it('raises memory above the limit the container was OOM-killed at', () => {
    const db = changes.find((c) => c.target.name === 'db' && c.target.kind === 'StatefulSet')!;
    const resources = containerResources(db);
    expect(parseQuantity(resources.limits!.memory)).toBeGreaterThanOrEqual(256 * MI * 1.2);
    expect(parseQuantity(resources.requests!.memory)).toBeGreaterThanOrEqual(256 * MI * 1.2);
    expect(db.evidence!.detail).toMatch(/2 OOM kill/);
    expect(db.risk!.reasons.join()).toMatch(/OOM/);
  });

  it('does not raise memory again once the raised limit runs (no ratchet on old kills)', () => {
    const raised = containerResources(
      changes.find((c) => c.target.name === 'db' && c.target.kind === 'StatefulSet')!,
    );
    const merged = { requests: { ...raised.requests }, limits: { ...raised.limits } };
    const mergedSpec = {
      containers: [container('postgres', merged.requests, merged.limits)],
    };
    // Argo CD synced the merge: the template and db-0, recreated under the same name after the
    // kills, run the raised memory. The window still holds the kills of db-0's predecessor.
    const syncedSet = { ...dbStatefulSet, spec: { ...(dbStatefulSet.spec as object) } };
    (syncedSet.spec as { template: { spec: object } }).template = {
      ...(dbStatefulSet.spec as { template: object }).template,
      spec: mergedSpec,
    };
    const recreated = ownedBy(
      {
        ...pod('db-0', 'shop', mergedSpec),
        metadata: { ...pod('db-0', 'shop').metadata, creationTimestamp: isoAt(T0 + 250 * STEP) },
      },
      syncedSet,
    );
    const synced = snapshotOf(
      objects.map((o) => (o === dbStatefulSet ? syncedSet : o === dbPod ? recreated : o)),
      { clusterName: 'shop' },
    );
    const workloads =
      inventoryAnalyzer.analyze({ snapshot: synced, policy: DEFAULT_POLICY, workloads: [] })
        .workloads ?? [];
    const again = rightsizingAnalyzer.analyze({
      snapshot: synced,
      policy: DEFAULT_POLICY,
      workloads,
      history,
    });
    const db = (again.changes ?? []).find(
      (c) => c.target.name === 'db' && c.target.kind === 'StatefulSet',
    );
    const memory = db === undefined ? undefined : containerResources(db).limits?.memory;
    // Memory stays as merged (a CPU change may still come): neither raised again nor lowered.
    expect(memory ?? merged.limits.memory).toBe(merged.limits.memory);
    expect(db?.summary ?? '').not.toMatch(/memory/);
  });

  it('cuts the CPU of an HPA-scaled workload at most by the step, and rescales the HPA target', () => {
    const api = changes.find((c) => c.target.name === 'api' && c.target.kind === 'Deployment')!;
    expect(containerResources(api).requests!.cpu).toBe('700m'); // 1 CPU − 30% step
    expect(api.magnitude).toBe(0.3);
    expect(api.summary).toMatch(
      /HPA api scales on CPU utilization: its target moves from 60% to 86%/,
    );
    const hpa = changes.find((c) => c.target.kind === 'HorizontalPodAutoscaler')!;
    const metrics = (
      hpa.manifest.spec as { metrics: { resource: { target: { averageUtilization: number } } }[] }
    ).metrics;
    expect(metrics[0].resource.target.averageUtilization).toBe(86);
  });

  it('prices the proposal: less CPU for api, more memory for db', () => {
    const report = costReportOf(input);
    const api = report.workloads.find((w) => w.ref.name === 'api')!;
    const db = report.workloads.find((w) => w.ref.name === 'db')!;
    expect(api.proposed.cpu).toBeLessThan(api.today.cpu);
    expect(db.proposed.memory).toBeGreaterThan(db.today.memory);
    expect(report.nodes.today).toBe(2);
  });
});
