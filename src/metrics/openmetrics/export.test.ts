/**
 * `tars snapshot --prometheus` writes the fetched history with `historyToOpenMetrics`; `tars plan
 * --snapshot` reads it back through the OpenMetrics source. Both must see the same history, or a
 * plan of the snapshot proposes other resources than the live plan of the same moment.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { container, ownedBy, pod, snapshotOf, statefulSet } from '../../../test/support/objects.js';
import { inventoryAnalyzer } from '../../analyzers/inventory/index.js';
import { rightsizingAnalyzer } from '../../analyzers/rightsizing/index.js';
import { DEFAULT_POLICY } from '../../policy/defaults.js';
import { InputError } from '../../errors.js';
import { SERIES } from '../queries.js';
import type { ContainerEvents, ContainerUsage, Sample, UsageHistory } from '../types.js';
import { EXPORT_STEP_SERIES, historyToOpenMetrics } from './export.js';
import { OpenMetricsHistorySource } from './source.js';
import { formatOpenMetrics } from './write.js';

const STEP = 300;
const START = 1_700_000_100;
const STEPS = 24;
const END = START + (STEPS - 1) * STEP;
const MI = 2 ** 20;

const at = (i: number): number => START + i * STEP;

/** Samples at steps `from`..`to`, leaving out `skip`, valued by `v`. */
function steps(
  v: (i: number) => number,
  { from = 0, to = STEPS - 1, skip = [] as readonly number[] } = {},
): Sample[] {
  const out: Sample[] = [];
  for (let i = from; i <= to; i++) if (!skip.includes(i)) out.push({ t: at(i), v: v(i) });
  return out;
}

const key = (pod: string, name = 'app') => ({ namespace: 'shop', pod, container: name });

/** CPU that is flat but for single-step spikes and drops: the averaging of two steps shows. */
const spiky = (i: number): number => (i % 5 === 2 ? 1.9 : i % 7 === 3 ? 0 : 0.12 + 0.001 * i);

const containers: ContainerUsage[] = [
  {
    key: key('api-0'),
    cpu: steps(spiky),
    memory: steps((i) => (100 + ((i * 37) % 50)) * MI),
    throttled: steps((i) => (i % 4 === 0 ? 0.4 : 0.05 * (i % 3))),
  },
  // A pod that starts late, misses one step, then several: no step it missed may come back.
  {
    key: key('api-1'),
    cpu: steps((i) => 0.3 + (i === 9 ? 2.5 : 0), { from: 4, skip: [8, 14, 15, 16] }),
    memory: steps((i) => 200 * MI + i, { from: 4, skip: [8, 14, 15, 16] }),
    throttled: steps(() => 0.25, { from: 4, skip: [8, 14, 15, 16] }),
  },
  // Gone before the end; no CPU limit, so no throttling series.
  {
    key: key('db-0', 'postgres'),
    cpu: steps((i) => 0.5 * (i % 2), { to: 17 }),
    memory: steps((i) => 250 * MI - i * MI, { to: 17 }),
  },
];

const events: ContainerEvents[] = [
  // Two OOM kills, the last at step 7, and one restart that was not an OOM kill.
  { key: key('api-0'), restarts: 3, oomKills: 2, lastOomKillAt: at(7) },
  { key: key('api-1'), restarts: 0, oomKills: 0 },
  // Killed at the last step, plus two restarts for another reason.
  { key: key('db-0', 'postgres'), restarts: 2, oomKills: 1, lastOomKillAt: END },
  // The reason shows OOMKilled without a restart seen (killed just before the window).
  { key: key('worker-0'), restarts: 0, oomKills: 1, lastOomKillAt: at(2) },
  // Restarts alone, no OOM kill.
  { key: key('worker-1'), restarts: 4, oomKills: 0 },
];

const fetched: UsageHistory = {
  source: 'Prometheus http://prometheus:9090',
  confidence: 'high',
  window: { start: START, end: END, stepSeconds: STEP },
  containers,
  events,
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tars-export-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The history as `tars snapshot` writes it and `tars plan --snapshot` reads it back. */
async function roundTrip(history: UsageHistory): Promise<UsageHistory> {
  await mkdir(join(dir, 'history'));
  await writeFile(join(dir, 'history', 'usage.om'), historyToOpenMetrics(history));
  const source = new OpenMetricsHistorySource({ dir });
  const range = await source.coveredRange();
  expect(range).toEqual({ start: history.window.start, end: history.window.end });
  return source.fetch({ namespaces: [], ...range!, stepSeconds: history.window.stepSeconds });
}

/** Same keys and sample times; values equal up to float noise. */
function expectSameSamples(got: readonly Sample[] | undefined, want: readonly Sample[]): void {
  expect(got?.map((s) => s.t)).toEqual(want.map((s) => s.t));
  got!.forEach((s, i) => expect(s.v).toBeCloseTo(want[i].v, 9));
}

describe('historyToOpenMetrics read back by the OpenMetrics source', () => {
  it('gives the history that was fetched: window, CPU, memory, throttling, restarts, OOM kills and their times', async () => {
    const read = await roundTrip(fetched);
    expect(read.window).toEqual(fetched.window);
    expect(read.containers.map((c) => c.key)).toEqual(fetched.containers.map((c) => c.key));
    fetched.containers.forEach((want, i) => {
      const got = read.containers[i];
      expectSameSamples(got.cpu, want.cpu);
      expectSameSamples(got.memory, want.memory);
      if (want.throttled === undefined) expect(got.throttled).toBeUndefined();
      else expectSameSamples(got.throttled, want.throttled);
    });
    expect(read.events).toEqual(fetched.events);
  });

  it('gives the same right-sizing as the fetched history, the OOM rule on kills before and after a pod started included', async () => {
    const day = 288;
    const long = (v: (i: number) => number): Sample[] =>
      Array.from({ length: day }, (_, i) => ({ t: START + i * STEP, v: v(i) }));
    const history: UsageHistory = {
      ...fetched,
      window: { start: START, end: START + (day - 1) * STEP, stepSeconds: STEP },
      containers: [
        {
          key: key('db-0', 'postgres'),
          cpu: long((i) => (i % 9 === 4 ? 0.9 : 0.2 + 0.0003 * i)),
          memory: long((i) => (180 + (i % 13)) * MI),
        },
      ],
      // Killed twice, the last time at step 100; today's pod started after that.
      events: [{ key: key('db-0', 'postgres'), restarts: 2, oomKills: 2, lastOomKillAt: at(100) }],
    };
    const resources = container('postgres', { cpu: '1', memory: '256Mi' }, { memory: '256Mi' });
    const db = statefulSet({ name: 'db', namespace: 'shop', containers: [resources] });
    const running = ownedBy(
      {
        ...pod('db-0', 'shop', { containers: [resources] }),
        metadata: {
          ...pod('db-0', 'shop').metadata,
          creationTimestamp: new Date(at(150) * 1000).toISOString(),
        },
      },
      db,
    );
    const snapshot = snapshotOf([db, running], { clusterName: 'shop' });
    const workloads =
      inventoryAnalyzer.analyze({ snapshot, policy: DEFAULT_POLICY, workloads: [] }).workloads ??
      [];
    // db-0 has run today's resources for 11 hours, less than the default soak: without it, the
    // CPU cut this test compares is proposed.
    const policy = {
      ...DEFAULT_POLICY,
      rightsizing: { ...DEFAULT_POLICY.rightsizing, soak: '0s' },
    };
    const plan = (h: UsageHistory) =>
      rightsizingAnalyzer.analyze({ snapshot, policy, workloads, history: h }).changes;
    const live = plan(history);
    expect(live?.length).toBe(1);
    expect(plan(await roundTrip(history))).toEqual(live);
  });
});

describe('an export beside OpenMetrics files of other tools', () => {
  /** A CPU counter scraped every 5 minutes by something else: 30 s, then 60 s, of CPU time. */
  const foreign = formatOpenMetrics([
    {
      name: SERIES.cpu,
      type: 'counter',
      series: [
        {
          name: SERIES.cpu,
          labels: key('batch-0'),
          samples: [
            { t: at(-2), v: 0 },
            { t: at(-1), v: 30 },
            { t: at(0), v: 90 },
          ],
        },
      ],
    },
  ]);

  it('reads the other files as before: rate() over at least 10 minutes, their own time range', async () => {
    await mkdir(join(dir, 'history'));
    await writeFile(join(dir, 'history', 'usage.om'), historyToOpenMetrics(fetched));
    await writeFile(join(dir, 'batch.om'), foreign);
    const source = new OpenMetricsHistorySource({ dir });
    expect(await source.coveredRange()).toEqual({ start: at(-2), end: END });
    const read = await source.fetch({ namespaces: [], start: at(0), end: END, stepSeconds: STEP });
    // 90 s over the 10 minutes before START, and 60 s extrapolated over the 10 minutes after
    // its last sample: read per step, as the export's series are, it would be 0.2 and nothing.
    expect(read.containers.find((c) => c.key.pod === 'batch-0')?.cpu).toEqual([
      { t: at(0), v: 90 / 600 },
      { t: at(1), v: 0.2 },
    ]);
    expectSameSamples(read.containers.find((c) => c.key.pod === 'api-0')?.cpu, containers[0].cpu);
  });

  it('is an InputError naming the file when the export says no single positive step', async () => {
    const file = join(dir, 'usage.om');
    await writeFile(
      file,
      `# TYPE ${EXPORT_STEP_SERIES} gauge\n${EXPORT_STEP_SERIES} 300 ${START}\n${EXPORT_STEP_SERIES} 60 ${END}\n# EOF\n`,
    );
    const error = await new OpenMetricsHistorySource({ dir })
      .coveredRange()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      `${file}: ${EXPORT_STEP_SERIES} must be one positive number of seconds, found 300, 60`,
    );
  });
});
