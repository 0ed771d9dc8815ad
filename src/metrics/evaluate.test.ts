import { describe, expect, it } from 'vitest';
import { counterIncrease, oomKills, oomKillTimes } from './assemble.js';
import { evaluateSignals, evaluationTimes, gaugeAt, maxOverTime, rateAt } from './evaluate.js';
import { historyQueries, namespaceMatcher, SERIES } from './queries.js';
import { InputError } from '../errors.js';

const counter = (values: number[], step = 300, t0 = 0) =>
  values.map((v, i) => ({ t: t0 + i * step, v }));

describe('rateAt (Prometheus extrapolated rate)', () => {
  it('is the per-second increase over the range for a steady counter', () => {
    const samples = counter([1000, 1030, 1060, 1090, 1120]);
    expect(rateAt(samples, 1200, 600)).toBeCloseTo(0.1, 12);
  });

  it('counts a reset as a restart from zero, not as a negative rate', () => {
    const samples = counter([1000, 1030, 20, 50]);
    // [300, 900]: 1030 → 20 (reset: +20) → 50 = 50 over 600 s
    expect(rateAt(samples, 900, 600)).toBeCloseTo(50 / 600, 12);
  });

  it('needs two samples in the range', () => {
    expect(rateAt(counter([1, 2]), 300, 200)).toBeUndefined();
    expect(rateAt(counter([1, 2]), 300, 300)).toBeCloseTo(1 / 300, 12);
  });

  it('does not extrapolate a fresh counter below zero', () => {
    // Counter starting at 0 at t=0: the range [−300, 300] is cut at the zero point.
    expect(rateAt(counter([0, 30]), 300, 600)).toBeCloseTo(30 / 600, 12);
  });
});

describe('gaugeAt', () => {
  it('takes the last sample within the 5-minute lookback, inclusive', () => {
    const samples = counter([1, 2, 3]);
    expect(gaugeAt(samples, 600)).toBe(3);
    expect(gaugeAt(samples, 899)).toBe(3);
    expect(gaugeAt(samples, 900)).toBe(3);
    expect(gaugeAt(samples, 901)).toBeUndefined();
  });
});

describe('NaN samples, as Prometheus treats them in max_over_time and max by', () => {
  it('max_over_time skips a NaN ahead of a real peak; only an all-NaN range is NaN', () => {
    const samples = [
      { t: 60, v: NaN },
      { t: 120, v: 500 },
      { t: 180, v: 100 },
    ];
    expect(maxOverTime(samples, 300, 299_999)).toBe(500);
    expect(maxOverTime(samples.slice(0, 1), 300, 299_999)).toBeNaN();
  });

  it('max by ignores a series that is NaN at a step, so the step keeps its peak', () => {
    const key = { namespace: 'ns', pod: 'p', container: 'c' };
    const memory = (id: string, samples: { t: number; v: number }[]) => ({
      name: SERIES.memory,
      labels: { ...key, id },
      samples,
    });
    const signals = evaluateSignals(
      [
        memory('a', counter([100, 100, 500, 100])),
        memory('b', [
          { t: 600, v: NaN },
          { t: 900, v: 50 },
        ]),
      ],
      {
        query: { namespaces: ['ns'], start: 0, end: 900, stepSeconds: 300 },
        rateWindowSeconds: 300,
      },
    );
    expect(signals.memory.get('ns/p/c')?.samples).toEqual(counter([100, 100, 500, 100]));
  });
});

describe('evaluationTimes', () => {
  it('runs from start by step up to end', () => {
    expect(evaluationTimes(0, 1000, 300)).toEqual([0, 300, 600, 900]);
  });
});

describe('events', () => {
  it('counts restarts across a counter reset', () => {
    expect(counterIncrease(counter([0, 1, 1, 3, 0, 1]))).toBe(4);
  });

  it('counts OOM kills as restarts while the last termination reason was OOMKilled', () => {
    const restarts = counter([0, 1, 1, 2, 3]);
    const oom = [
      { t: 300, v: 1 },
      { t: 600, v: 1 },
      { t: 1200, v: 1 },
    ];
    expect(oomKills(restarts, oom)).toBe(2);
  });

  it('times each kill by its restart, or an unseen one by when the reason first shows', () => {
    const restarts = counter([0, 1, 1, 2, 3]);
    const oom = [
      { t: 300, v: 1 },
      { t: 600, v: 1 },
      { t: 1200, v: 1 },
    ];
    expect(oomKillTimes(restarts, oom)).toEqual([300, 1200]);
    expect(oomKillTimes(counter([4, 4, 4]), [{ t: 600, v: 1 }])).toEqual([600]);
  });

  it('counts an OOMKilled reason without an observed restart once', () => {
    expect(oomKills(counter([4, 4]), [{ t: 0, v: 1 }])).toBe(1);
    expect(oomKills(counter([4, 5]), [])).toBe(0);
  });
});

describe('queries', () => {
  it('batches namespaces in one matcher and never names a pod or workload', () => {
    const q = historyQueries(['b', 'a', 'a'], 600);
    expect(q.cpu).toBe(
      'sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{container!="",container!="POD",namespace=~"a|b"}[600s]))',
    );
    expect(q.memory).toContain(
      'max by (namespace, pod, container) (max_over_time(container_memory_working_set_bytes{',
    );
    expect(q.oomKilled).toBe(
      'max by (namespace, pod, container) (kube_pod_container_status_last_terminated_reason{reason="OOMKilled",namespace=~"a|b"})',
    );
    for (const text of Object.values(q)) expect(text).not.toMatch(/pod=|pod=~/);
  });

  it('is cluster-wide without namespaces and rejects names that are not namespaces', () => {
    expect(namespaceMatcher([])).toBe('');
    expect(historyQueries([], 600).restarts).toBe(
      'max by (namespace, pod, container) (kube_pod_container_status_restarts_total)',
    );
    expect(() => namespaceMatcher(['a"}) or vector(1) #'])).toThrow(InputError);
  });
});
