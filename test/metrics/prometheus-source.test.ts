/**
 * The Prometheus history source against a real Prometheus holding backfilled history, and the
 * OpenMetrics source on the very same file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/types.js';
import { OpenMetricsHistorySource } from '../../src/metrics/openmetrics/source.js';
import { formatOpenMetrics } from '../../src/metrics/openmetrics/write.js';
import { OwnerIndex } from '../../src/metrics/ownership.js';
import { PrometheusHistorySource } from '../../src/metrics/prometheus/source.js';
import { SERIES } from '../../src/metrics/queries.js';
import type {
  ContainerUsage,
  HistoryQuery,
  Sample,
  UsageHistory,
} from '../../src/metrics/types.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { deploymentPods, fixtureText, STEP, T0, type FixtureContainer } from './history-fixture.js';

const SAMPLES = 288; // one day at 5 minutes

const shop: FixtureContainer[] = [
  ...deploymentPods('shop', 'web', 2).map((c) => ({ ...c, throttled: 0.25 })),
  // A pod of an earlier ReplicaSet: in the history, gone from the cluster.
  {
    namespace: 'shop',
    pod: 'web-6b8f9d7c5-zq2vw',
    container: 'app',
    cpu: 0.2,
    memory: 1e8,
    to: 100,
  },
  // Memory reported, CPU not (a scrape gap, a relabeling drop): no crash, an empty CPU series.
  { namespace: 'shop', pod: 'cache-5c7b9d4f6-q2wxz', container: 'redis', memory: 3e8 },
  {
    namespace: 'shop',
    pod: 'db-0',
    container: 'postgres',
    cpu: 0.5,
    memory: 9e8,
    restartsAt: [100, 200],
    oomKilled: true,
  },
  { namespace: 'shop', pod: 'db-1', container: 'postgres', cpu: 0.5, memory: 9e8, to: 150 },
  {
    namespace: 'shop',
    pod: 'worker-9f7d5c6b4-m2n4p',
    container: 'worker',
    cpu: 0.1,
    memory: 2e8,
    restartsAt: [50],
  },
];
const small = Array.from({ length: 3 }, (_, i) => deploymentPods('small', `svc${i}`, 1)).flat();
const big = Array.from({ length: 30 }, (_, i) => deploymentPods('big', `svc${i}`, 1)).flat();
const text = fixtureText({ containers: [...shop, ...small, ...big], samples: SAMPLES });

// A working set scraped every minute, flat but for two short peaks: one between two steps (at
// step 10 + 2 minutes, seen at step 11), one on a step boundary (step 20: seen there only).
const MiB = 1024 * 1024;
const BASE = 100 * MiB;
const BETWEEN_STEPS = { t: T0 + 10 * STEP + 120, v: 500 * MiB };
const ON_BOUNDARY = { t: T0 + 20 * STEP, v: 400 * MiB };
const AFTER_NAN = { t: T0 + 30 * STEP + 120, v: 300 * MiB };
const peaksText = formatOpenMetrics([
  {
    name: SERIES.memory,
    type: 'gauge',
    series: [
      {
        name: SERIES.memory,
        labels: { namespace: 'peaks', pod: 'spiky-0', container: 'app' },
        samples: Array.from({ length: (SAMPLES - 1) * (STEP / 60) + 1 }, (_, i): Sample => {
          const t = T0 + i * 60;
          const peak = [BETWEEN_STEPS, ON_BOUNDARY].find((p) => p.t === t);
          return { t, v: peak?.v ?? BASE };
        }),
      },
      // NaN scrapes: one just ahead of a peak in the same step, and a second cgroup of the
      // container that is NaN through step 40: Prometheus skips NaN in max_over_time and max by.
      {
        name: SERIES.memory,
        labels: { namespace: 'peaks', pod: 'nan-0', container: 'app', id: 'a' },
        samples: Array.from({ length: (SAMPLES - 1) * (STEP / 60) + 1 }, (_, i): Sample => {
          const t = T0 + i * 60;
          const v = t === AFTER_NAN.t - 60 ? NaN : t === AFTER_NAN.t ? AFTER_NAN.v : BASE;
          return { t, v };
        }),
      },
      {
        name: SERIES.memory,
        labels: { namespace: 'peaks', pod: 'nan-0', container: 'app', id: 'b' },
        samples: [1, 2, 3, 4, 5].map((m) => ({ t: T0 + 39 * STEP + m * 60, v: NaN })),
      },
    ],
  },
]);

const day: Omit<HistoryQuery, 'namespaces'> = {
  start: T0,
  end: T0 + (SAMPLES - 1) * STEP,
  stepSeconds: STEP,
};

let prometheus: RunningPrometheus;
let source: PrometheusHistorySource;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tars-history-'));
  await writeFile(join(dir, 'history.om'), text);
  await writeFile(join(dir, 'peaks.om'), peaksText);
  prometheus = await startPrometheus({
    openMetrics: [join(dir, 'history.om'), join(dir, 'peaks.om')],
  });
  source = PrometheusHistorySource.fromConfig({ url: prometheus.url });
});

afterAll(async () => {
  await prometheus?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function countedFetch(
  s: PrometheusHistorySource,
  namespaces: string[],
): Promise<{ history: UsageHistory; queries: number }> {
  const before = await prometheus.queryCount();
  const history = await s.fetch({ ...day, namespaces });
  return { history, queries: (await prometheus.queryCount()) - before };
}

function usage(history: UsageHistory, pod: string, container: string): ContainerUsage | undefined {
  return history.containers.find((c) => c.key.pod === pod && c.key.container === container);
}

describe('batching', () => {
  it('sends as many queries for 30 workloads as for 3, and as cluster-wide', async () => {
    const three = await countedFetch(source, ['small']);
    const thirty = await countedFetch(source, ['big']);
    const all = await countedFetch(source, []);
    expect(three.history.containers).toHaveLength(3);
    expect(thirty.history.containers).toHaveLength(30);
    expect(all.history.containers.length).toBeGreaterThan(33);
    expect(three.queries).toBe(5); // cpu, memory, throttling, restarts, OOMKilled
    expect(thirty.queries).toBe(three.queries);
    expect(all.queries).toBe(three.queries);
  });

  it('drops the pause container and pod-level cgroups', async () => {
    const { history } = await countedFetch(source, ['shop']);
    const names = new Set(history.containers.map((c) => c.key.container));
    expect(names).toEqual(new Set(['app', 'redis', 'postgres', 'worker']));
  });
});

describe('chunking a long window', () => {
  it('cuts the window into chunks of at most maxPointsPerSeries and merges them losslessly', async () => {
    const chunked = PrometheusHistorySource.fromConfig(
      { url: prometheus.url },
      { maxPointsPerSeries: 50 },
    );
    const whole = await countedFetch(source, ['shop']);
    const pieces = await countedFetch(chunked, ['shop']);
    expect(pieces.queries).toBe(5 * Math.ceil(SAMPLES / 50));
    expect(pieces.history).toEqual(whole.history);
    expect(usage(pieces.history, 'db-0', 'postgres')?.memory).toHaveLength(SAMPLES);
  });
});

describe('what the history holds', () => {
  let history: UsageHistory;
  beforeAll(async () => {
    history = (await countedFetch(source, ['shop'])).history;
  });

  it('reads CPU as a rate in cores and memory in bytes, per step', () => {
    const db = usage(history, 'db-0', 'postgres');
    expect(db?.memory).toHaveLength(SAMPLES);
    expect(db?.memory[0]?.t).toBe(T0);
    const cpu = db?.cpu.map((s) => s.v) ?? [];
    const mean = cpu.reduce((a, b) => a + b, 0) / cpu.length;
    expect(mean).toBeGreaterThan(0.4);
    expect(mean).toBeLessThan(0.6);
    // Restarts reset the counter; rate() must not turn that into a negative or a spike.
    expect(Math.min(...cpu)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...cpu)).toBeLessThan(1);
  });

  it("reads each step's peak working set: a spike between two steps is seen, once", async () => {
    const { history: peaks } = await countedFetch(source, ['peaks']);
    const memory = usage(peaks, 'spiky-0', 'app')?.memory ?? [];
    expect(memory).toHaveLength(SAMPLES);
    const at = (step: number) => memory.find((s) => s.t === T0 + step * STEP)?.v;
    expect(at(10)).toBe(BASE);
    expect(at(11)).toBe(BETWEEN_STEPS.v);
    expect(at(12)).toBe(BASE);
    // A sample on a boundary belongs to the step ending there, not also to the next one.
    expect(at(20)).toBe(ON_BOUNDARY.v);
    expect(at(21)).toBe(BASE);
    expect(memory.filter((s) => s.v !== BASE)).toHaveLength(2);
  });

  it('keeps a container whose CPU series is missing, with its memory', () => {
    const cache = usage(history, 'cache-5c7b9d4f6-q2wxz', 'redis');
    expect(cache?.cpu).toEqual([]);
    expect(cache?.memory).toHaveLength(SAMPLES);
  });

  it('reads the throttled share where CFS series exist, and nothing elsewhere', () => {
    const web = history.containers.filter((c) => c.key.pod.startsWith('web-7d9c5b8f6d-'));
    expect(web).toHaveLength(2);
    for (const c of web) {
      expect(c.throttled?.length).toBeGreaterThan(0);
      for (const s of c.throttled ?? []) expect(s.v).toBeCloseTo(0.25, 3);
    }
    expect(usage(history, 'db-0', 'postgres')?.throttled).toBeUndefined();
  });

  it('reads OOMKilled and restart evidence from kube-state-metrics', () => {
    const events = (pod: string) => history.events.find((e) => e.key.pod === pod);
    expect(events('db-0')).toMatchObject({ oomKills: 2, restarts: 2 });
    expect(events('worker-9f7d5c6b4-m2n4p')).toMatchObject({ oomKills: 0, restarts: 1 });
    expect(events('db-1')).toMatchObject({ oomKills: 0, restarts: 0 });
  });

  it('maps pods that are gone to their workload by the controller naming pattern', () => {
    const owner = (name: string, kind: string) => ({
      apiVersion: 'apps/v1',
      kind,
      metadata: { name, namespace: 'shop', uid: `uid-${name}` },
    });
    const snapshot: KubeObject[] = [owner('web', 'Deployment'), owner('db', 'StatefulSet')];
    const index = new OwnerIndex(snapshot);
    const gone = usage(history, 'web-6b8f9d7c5-zq2vw', 'app');
    expect(gone?.memory.length).toBeGreaterThan(90);
    expect(index.workloadOf(gone!.key)).toMatchObject({
      kind: 'Deployment',
      name: 'web',
      via: 'name-pattern',
    });
    expect(index.workloadOf(usage(history, 'db-1', 'postgres')!.key)).toMatchObject({
      kind: 'StatefulSet',
      name: 'db',
    });
  });
});

describe('OpenMetrics files give the same history as Prometheus', () => {
  it('matches the Prometheus source on the same file, within rounding', async () => {
    const query = { ...day, namespaces: ['shop', 'small', 'peaks'] };
    const fromPrometheus = await source.fetch(query);
    const fromFiles = await new OpenMetricsHistorySource({ dir }).fetch(query);
    expect(fromFiles.containers.map((c) => c.key)).toEqual(
      fromPrometheus.containers.map((c) => c.key),
    );
    expect(fromFiles.events).toEqual(fromPrometheus.events);
    fromPrometheus.containers.forEach((expected, i) => {
      const actual = fromFiles.containers[i];
      for (const signal of ['cpu', 'memory', 'throttled'] as const) {
        const want = expected[signal] ?? [];
        const got = actual[signal] ?? [];
        expect(
          got.map((s) => s.t),
          `${signal} of ${expected.key.pod}`,
        ).toEqual(want.map((s) => s.t));
        got.forEach((s, j) => expect(s.v).toBeCloseTo(want[j].v, 9));
      }
    });
    // Including the peaks between steps and on step boundaries.
    const spiky = usage(fromFiles, 'spiky-0', 'app')?.memory ?? [];
    expect(spiky.find((s) => s.t === T0 + 11 * STEP)?.v).toBe(BETWEEN_STEPS.v);
    expect(spiky.find((s) => s.t === T0 + 21 * STEP)?.v).toBe(BASE);
    // And past NaN samples, as Prometheus reads them.
    const nan = usage(fromFiles, 'nan-0', 'app')?.memory ?? [];
    expect(nan.find((s) => s.t === T0 + 31 * STEP)?.v).toBe(AFTER_NAN.v);
    expect(nan.find((s) => s.t === T0 + 40 * STEP)?.v).toBe(BASE);
  });
});
