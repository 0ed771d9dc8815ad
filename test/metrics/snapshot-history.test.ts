/**
 * A snapshot's history is the live history: `tars plan` against a real Prometheus, and `tars plan
 * --snapshot` of what `tars snapshot --prometheus` wrote at the same moment, propose the same
 * right-sizing. The history is uneven CPU (every step its own), throttling, restarts and OOM
 * kills, as Prometheus serves it after a promtool backfill.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTree, tars, type TarsRun } from '../cli/run-tars.js';
import { createObjects, createTestNamespace, testKubeconfigs } from '../support/cluster.js';
import { container, deployment, statefulSet } from '../support/objects.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { fixtureText, STEP } from './history-fixture.js';
import { snapshotArgs } from './run-tars-async.js';

const SAMPLES = 288; // a day at 5 minutes
const MI = 2 ** 20;

/** The step a plan started now ends its window at (`HISTORY_STEP_SECONDS` in src/plan). */
const windowEnd = (): number => Math.floor(Date.now() / 1000 / STEP) * STEP;

let prometheus: RunningPrometheus;
let namespace: string;
let policies: string;

beforeAll(async () => {
  namespace = await createTestNamespace('fidelity');
  // A day of history ending half an hour ago, read over two days: well inside either window.
  const start = windowEnd() - 1800 - (SAMPLES - 1) * STEP;
  prometheus = await startPrometheus({
    openMetrics: [
      fixtureText({
        start,
        samples: SAMPLES,
        containers: [
          {
            namespace,
            pod: 'api-7c9d5f8b4-x2k4m',
            container: 'api',
            cpu: 0.23,
            memory: 150 * MI,
            throttled: 0.04,
          },
          {
            namespace,
            pod: 'api-7c9d5f8b4-q8w2n',
            container: 'api',
            cpu: 0.31,
            memory: 170 * MI,
            throttled: 0.07,
            restartsAt: [40],
          },
          {
            namespace,
            pod: 'db-0',
            container: 'postgres',
            cpu: 0.3,
            memory: 200 * MI,
            restartsAt: [100, 200],
            oomKilled: true,
          },
        ],
      }),
    ],
  });
  await createObjects([
    deployment({
      name: 'api',
      namespace,
      replicas: 2,
      containers: [container('api', { cpu: '1', memory: '256Mi' }, { cpu: '1', memory: '256Mi' })],
    }),
    statefulSet({
      name: 'db',
      namespace,
      replicas: 1,
      containers: [container('postgres', { cpu: '300m', memory: '256Mi' }, { memory: '256Mi' })],
    }),
  ]);
  // Only this test's namespace: the shared API server holds other tests' workloads too.
  policies = mkdtempSync(join(tmpdir(), 'tars-fidelity-policies-'));
  writeFileSync(
    join(policies, 'only.yaml'),
    [
      'apiVersion: tars.dev/v1alpha1',
      'kind: Policy',
      'metadata:',
      '  name: only-this-test',
      'spec:',
      '  namespaces:',
      `    include: [${namespace}]`,
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await prometheus?.stop();
});

function ok(run: TarsRun): TarsRun {
  expect(run.code, run.stderr).toBe(0);
  return run;
}

interface Planned {
  /** The generated files of the test's namespace, by path. */
  readonly files: Map<string, string>;
  /** The model's right-sizing changes. */
  readonly changes: unknown[];
}

function plan(args: readonly string[], dir: string): Planned {
  const out = join(dir, 'generated');
  const model = join(dir, 'model.json');
  ok(tars(['plan', ...args, '--policies', policies, '--out', out, '--model', model, '--quiet']));
  const files = new Map([...readTree(out)].filter(([path]) => path.split('/').includes(namespace)));
  const { changes } = JSON.parse(readFileSync(model, 'utf8')) as {
    changes: { concern: string }[];
  };
  return { files, changes: changes.filter((c) => c.concern === 'rightsizing') };
}

/**
 * The live plan and the snapshot, taken within one 5-minute step: both then read the same
 * window. Two runs cross a step boundary at most once, so a second try always fits.
 */
function liveAndSnapshot(work: string): { live: Planned; snapshot: string } {
  for (let attempt = 1; ; attempt++) {
    const dir = join(work, `attempt-${attempt}`);
    mkdirSync(dir, { recursive: true });
    const end = windowEnd();
    const live = plan(
      [
        '--kubeconfig',
        testKubeconfigs().readonly,
        '--prometheus',
        prometheus.url,
        '--history',
        '2d',
      ],
      join(dir, 'live'),
    );
    const snapshot = join(dir, 'snapshot');
    ok(tars(snapshotArgs(snapshot, prometheus.url, '2d')));
    if (windowEnd() === end || attempt === 2) return { live, snapshot };
  }
}

describe('tars plan --snapshot of a snapshot written with --prometheus', () => {
  it('proposes the right-sizing the live plan proposes', () => {
    const work = mkdtempSync(join(tmpdir(), 'tars-fidelity-'));
    const { live, snapshot } = liveAndSnapshot(work);
    const fromSnapshot = plan(['--snapshot', snapshot], join(work, 'from-snapshot'));

    // Something to compare: both workloads get a right-sizing patch, db's memory above its kills.
    const patches = [...live.files.keys()].filter((p) => p.endsWith('.rightsizing.yaml'));
    expect(patches.map((p) => p.split('/').at(-1)).sort()).toEqual([
      'deployment-api.rightsizing.yaml',
      'statefulset-db.rightsizing.yaml',
    ]);
    expect(JSON.stringify(live.changes)).toMatch(/2 OOM kill/);

    expect(fromSnapshot.files).toEqual(live.files);
    expect(fromSnapshot.changes).toEqual(live.changes);
  });
});
