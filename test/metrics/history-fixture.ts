/**
 * Synthetic but realistic history for tests: cAdvisor and kube-state-metrics series at a
 * 5-minute resolution, written as OpenMetrics text that promtool backfills and the OpenMetrics
 * source reads.
 */
import { formatOpenMetrics, type OpenMetricsSeries } from '../../src/metrics/openmetrics/write.js';
import { SERIES } from '../../src/metrics/queries.js';
import type { Sample } from '../../src/metrics/types.js';

/** Divisible by 300: evaluation times fall on sample times. */
export const T0 = 1_699_999_800;
export const STEP = 300;

export interface FixtureContainer {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** Mean CPU in cores. Absent: no CPU series at all. */
  readonly cpu?: number;
  /** Mean working set in bytes. Absent: no memory series. */
  readonly memory?: number;
  /** Share of CFS periods throttled; absent: no throttling series (no CPU limit). */
  readonly throttled?: number;
  /** Sample indexes at which the container restarts (its CPU counter resets). */
  readonly restartsAt?: readonly number[];
  /** Whether those restarts were OOM kills. */
  readonly oomKilled?: boolean;
  /** Index of the first and last sample (pods come and go). Default: the whole fixture. */
  readonly from?: number;
  readonly to?: number;
}

/** Deterministic noise in [0, 1). */
function noise(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return x - Math.floor(x);
}

function seedOf(text: string): number {
  let h = 7;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) % 1_000_003;
  return h;
}

export interface Fixture {
  readonly containers: readonly FixtureContainer[];
  readonly samples: number;
  /** Time of sample 0, a multiple of `STEP`. Default `T0`. */
  readonly start?: number;
}

export function fixtureText({ containers, samples, start = T0 }: Fixture): string {
  const cpu: OpenMetricsSeries[] = [];
  const memory: OpenMetricsSeries[] = [];
  const throttled: OpenMetricsSeries[] = [];
  const periods: OpenMetricsSeries[] = [];
  const restarts: OpenMetricsSeries[] = [];
  const reasons: OpenMetricsSeries[] = [];
  for (const c of containers) {
    const labels = { namespace: c.namespace, pod: c.pod, container: c.container };
    const seed = seedOf(`${c.namespace}/${c.pod}/${c.container}`);
    const from = c.from ?? 0;
    const to = c.to ?? samples - 1;
    const indexes = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const time = (i: number): number => start + i * STEP;
    const restartSet = new Set(c.restartsAt ?? []);
    if (c.cpu !== undefined) {
      const mean = c.cpu;
      let total = 1000 * noise(seed); // a counter that did not start at zero in the window
      const values: Sample[] = indexes.map((i) => {
        if (restartSet.has(i)) total = 0;
        total += mean * (0.5 + noise(seed + i)) * STEP;
        return { t: time(i), v: round(total) };
      });
      cpu.push({ name: SERIES.cpu, labels: { ...labels, cpu: 'total' }, samples: values });
      // The pause container and the pod's own cgroup: both must be ignored.
      cpu.push({
        name: SERIES.cpu,
        labels: { ...labels, container: 'POD' },
        samples: values.map((s) => ({ t: s.t, v: round(s.v / 100) })),
      });
      cpu.push({
        name: SERIES.cpu,
        labels: { ...labels, container: '' },
        samples: values.map((s) => ({ t: s.t, v: round(s.v * 2) })),
      });
    }
    if (c.memory !== undefined) {
      const mean = c.memory;
      memory.push({
        name: SERIES.memory,
        labels,
        samples: indexes.map((i) => ({
          t: time(i),
          v: Math.round(mean * (0.8 + 0.4 * noise(seed + 2 * i))),
        })),
      });
    }
    if (c.throttled !== undefined) {
      let total = 0;
      let throttledTotal = 0;
      const share = c.throttled;
      const p: Sample[] = [];
      const th: Sample[] = [];
      for (const i of indexes) {
        total += 3000; // 10 periods a second
        throttledTotal += Math.round(3000 * share);
        p.push({ t: time(i), v: total });
        th.push({ t: time(i), v: throttledTotal });
      }
      periods.push({ name: SERIES.periods, labels, samples: p });
      throttled.push({ name: SERIES.throttledPeriods, labels, samples: th });
    }
    let count = 0;
    let oom = false;
    const restartSamples: Sample[] = [];
    const reasonSamples: Sample[] = [];
    for (const i of indexes) {
      if (restartSet.has(i)) {
        count++;
        oom = c.oomKilled === true;
      }
      restartSamples.push({ t: time(i), v: count });
      if (oom) reasonSamples.push({ t: time(i), v: 1 });
    }
    restarts.push({
      name: SERIES.restarts,
      labels: { ...labels, uid: `uid-${c.pod}` },
      samples: restartSamples,
    });
    if (reasonSamples.length > 0) {
      reasons.push({
        name: SERIES.lastTerminatedReason,
        labels: { ...labels, reason: 'OOMKilled' },
        samples: reasonSamples,
      });
    }
  }
  return formatOpenMetrics([
    {
      name: SERIES.cpu,
      type: 'counter',
      help: 'Cumulative cpu time consumed in seconds.',
      series: cpu,
    },
    { name: SERIES.memory, type: 'gauge', series: memory },
    { name: SERIES.throttledPeriods, type: 'counter', series: throttled },
    { name: SERIES.periods, type: 'counter', series: periods },
    { name: SERIES.restarts, type: 'counter', series: restarts },
    { name: SERIES.lastTerminatedReason, type: 'gauge', series: reasons },
  ]);
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** `n` pods of a Deployment, named as the ReplicaSet controller names them. */
export function deploymentPods(
  namespace: string,
  name: string,
  n: number,
  container = 'app',
): FixtureContainer[] {
  const safe = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from({ length: n }, (_, i) => {
    const suffix = Array.from(
      { length: 5 },
      (_, j) => safe[(i * 7 + j * 3 + name.length) % safe.length],
    ).join('');
    return {
      namespace,
      pod: `${name}-7d9c5b8f6d-${suffix}`,
      container,
      cpu: 0.05 + 0.01 * (i + name.length),
      memory: 64 * 1024 * 1024 * (1 + (i % 3)),
    };
  });
}
