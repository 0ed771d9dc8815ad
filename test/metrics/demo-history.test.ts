/**
 * The bundled demo (examples/online-boutique): its week of OpenMetrics history, served by a real
 * Prometheus and read from the files, gives the same usage, and every container maps to a
 * workload of the snapshot, the gone pods included.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapshotClusterSource } from '../../src/cluster/snapshot/index.js';
import {
  findOpenMetricsFiles,
  OpenMetricsHistorySource,
} from '../../src/metrics/openmetrics/source.js';
import { groupUsageByWorkload, OwnerIndex } from '../../src/metrics/ownership.js';
import { PrometheusHistorySource } from '../../src/metrics/prometheus/source.js';
import type { HistoryQuery, UsageHistory } from '../../src/metrics/types.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';

const DEMO = join(import.meta.dirname, '..', '..', 'examples', 'online-boutique');

let prometheus: RunningPrometheus;
let query: HistoryQuery;
let fromFiles: UsageHistory;

beforeAll(async () => {
  const files = new OpenMetricsHistorySource({ dir: DEMO });
  const range = await files.coveredRange();
  if (range === undefined) throw new Error('the demo has no history');
  query = { namespaces: [], start: range.start, end: range.end, stepSeconds: 300 };
  fromFiles = await files.fetch(query);
  prometheus = await startPrometheus({ openMetrics: await findOpenMetricsFiles(DEMO) });
});

afterAll(async () => {
  await prometheus?.stop();
});

describe('the demo history', () => {
  it('covers a week for every container', () => {
    expect(query.end - query.start).toBeGreaterThanOrEqual(7 * 86_400 - 300);
    expect(fromFiles.containers.length).toBeGreaterThan(10);
    for (const c of fromFiles.containers) expect(c.memory.length).toBeGreaterThan(0);
  });

  it('reads the same from Prometheus as from the files', async () => {
    const before = await prometheus.queryCount();
    const fromPrometheus = await PrometheusHistorySource.fromConfig({ url: prometheus.url }).fetch(
      query,
    );
    expect((await prometheus.queryCount()) - before).toBe(5);
    expect(fromPrometheus.events).toEqual(fromFiles.events);
    expect(fromPrometheus.containers.map((c) => c.key)).toEqual(
      fromFiles.containers.map((c) => c.key),
    );
    fromPrometheus.containers.forEach((want, i) => {
      const got = fromFiles.containers[i];
      for (const signal of ['cpu', 'memory', 'throttled'] as const) {
        const a = want[signal] ?? [];
        const b = got[signal] ?? [];
        expect(b.map((s) => s.t)).toEqual(a.map((s) => s.t));
        b.forEach((s, j) => expect(s.v).toBeCloseTo(a[j].v, 6));
      }
    });
  });

  it('maps every container to a workload of the snapshot', async () => {
    const snapshot = await SnapshotClusterSource.fromDirectory(DEMO).read();
    const index = new OwnerIndex(snapshot.objects);
    const { workloads, unmatched } = groupUsageByWorkload(fromFiles, index);
    expect(unmatched).toEqual([]);
    const livePods = new Set(
      snapshot.objects.filter((o) => o.kind === 'Pod').map((o) => o.metadata.name),
    );
    const gone = fromFiles.containers.filter((c) => !livePods.has(c.key.pod));
    expect(gone.length).toBeGreaterThan(0); // e.g. the checkoutservice pod of the rollout before
    for (const c of gone) expect(index.workloadOf(c.key)?.via).toBe('name-pattern');
    expect(workloads.size).toBeGreaterThan(5);
  });
});
