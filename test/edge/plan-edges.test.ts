// Edge cases of the plan path that used to crash (an internal error with a stack trace) or put
// NaN, Infinity or negative figures into the model, the manifests or the cost table.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import type { ContainerUsage, Sample, UsageHistory } from '../../src/metrics/types.js';
import { serializeModel } from '../../src/model/serialize.js';
import type { DesiredState } from '../../src/model/types.js';
import { validateModel } from '../../src/model/validate.js';
import { analyze } from '../../src/plan/analyze.js';
import { buildPlan } from '../../src/plan/plan.js';
import { DEFAULT_POLICY } from '../../src/policy/defaults.js';
import { container, deployment, node, ownedBy, pod, snapshotOf } from '../support/objects.js';

const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', uid: 'd1' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'web:1',
            resources: { requests: { cpu: '500m', memory: '512Mi' } },
          },
        ],
      },
    },
  },
};

/** A snapshot directory with one Deployment and the given history files. */
function snapshotDir(history: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tars-edge-'));
  writeFileSync(
    join(dir, 'cluster.yaml'),
    'apiVersion: tars.dev/v1alpha1\nkind: ClusterInfo\nname: edge\n',
  );
  writeFileSync(
    join(dir, 'objects.json'),
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [DEPLOYMENT] }),
  );
  mkdirSync(join(dir, 'history'));
  for (const [file, text] of Object.entries(history))
    writeFileSync(join(dir, 'history', file), text);
  return dir;
}

const END = 1_800_000_000;
const LABELS = '{container="app",namespace="shop",pod="web-6d4f8-bbbbb"}';

/** Two days of 5-minute samples of `name`, timestamps × `scale` (1000: milliseconds). */
function openMetrics(name: string, value: (i: number) => number, scale = 1): string {
  const lines = Array.from(
    { length: 576 },
    (_, i) => `${name}${LABELS} ${value(i)} ${(END - (575 - i) * 300) * scale}`,
  );
  return `${lines.join('\n')}\n# EOF\n`;
}

describe('tars plan on a snapshot whose OpenMetrics history is in milliseconds', () => {
  it('is bad input naming the file and line, not an internal error', async () => {
    // The Prometheus text format (and `promtool tsdb dump`) stamps samples in milliseconds,
    // OpenMetrics in seconds: one such file beside a good one spanned 57,000 years of steps.
    const dir = snapshotDir({
      'cpu.om': openMetrics('container_cpu_usage_seconds_total', (i) => i * 60),
      'memory.om': openMetrics('container_memory_working_set_bytes', () => 2 ** 28, 1000),
    });
    const plan = buildPlan({ snapshot: dir, historySeconds: 14 * 86400 }, () => {});
    await expect(plan).rejects.toThrow(InputError);
    await expect(plan).rejects.toThrow(/memory\.om:1: timestamp 1799827500000 .*milliseconds/);
  });
});

const STEP = 300;
const MI = 2 ** 20;

function series(v: (i: number) => number): Sample[] {
  return Array.from({ length: 576 }, (_, i) => ({ t: END - (575 - i) * STEP, v: v(i) }));
}

const podSpec = {
  containers: [container('app', { cpu: '500m', memory: '512Mi' }, { memory: '512Mi' })],
};
const web = deployment({ name: 'web', namespace: 'shop', replicas: 2, ...podSpec });
const snapshot = snapshotOf([node('n1'), web, ownedBy(pod('web-0', 'shop', podSpec), web)]);

function historyOf(usage: Omit<ContainerUsage, 'key'>): UsageHistory {
  return {
    source: 'test',
    confidence: 'high',
    window: { start: END - 2 * 86400, end: END, stepSeconds: STEP },
    containers: [{ key: { namespace: 'shop', pod: 'web-0', container: 'app' }, ...usage }],
    events: [],
  };
}

/** The model as `tars analyze` writes it and `tars synth` reads it back (validated). */
function written(model: DesiredState): string {
  const text = serializeModel(model);
  validateModel(JSON.parse(text));
  return text;
}

describe('usage samples that are not finite numbers', () => {
  it('are left out, as the Prometheus and OpenMetrics sources leave them out', () => {
    const cpu = series((i) => 0.2 * (1 + 0.05 * (i % 4)));
    const memory = series(() => 200 * MI);
    const odd = (samples: Sample[], v: number): Sample[] =>
      samples.map((s, i) => (i % 7 === 3 ? { ...s, v } : s));
    const wanted = (samples: Sample[]): Sample[] => samples.filter((_, i) => i % 7 !== 3);
    const clean = written(
      analyze({
        snapshot,
        policy: DEFAULT_POLICY,
        history: historyOf({ cpu: wanted(cpu), memory: wanted(memory) }),
      }),
    );
    for (const v of [NaN, Infinity, -Infinity]) {
      const model = analyze({
        snapshot,
        policy: DEFAULT_POLICY,
        history: historyOf({
          cpu: odd(cpu, v),
          memory: odd(memory, v),
          throttled: odd(
            series(() => 0),
            v,
          ),
        }),
      });
      expect(written(model)).toBe(clean);
    }
  });
});

describe('resource quantities too large for a number', () => {
  it('are read as malformed, not as Infinity in the cost report', () => {
    // `1e400` fits the quantity grammar (and the API server's); as a number it is Infinity.
    const huge = {
      containers: [
        {
          name: 'app',
          image: 'app:1',
          resources: { requests: { cpu: '1e400', memory: '1e999' } },
        },
      ],
    };
    const big = deployment({ name: 'web', namespace: 'shop', replicas: 2, ...huge });
    const model = analyze({
      snapshot: snapshotOf([node('n1'), big, ownedBy(pod('web-0', 'shop', huge), big)]),
      policy: DEFAULT_POLICY,
      history: historyOf({ cpu: series(() => 0.2), memory: series(() => 200 * MI) }),
    });
    expect(() => written(model)).not.toThrow();
    expect(model.cost?.today.total).toBe(0);
    expect(model.changes.find((c) => c.concern === 'rightsizing')?.summary).toMatch(
      /CPU request unset → \d+m, memory request unset → \d+Mi/,
    );
  });
});

describe('a snapshot Deployment whose replicas the API server would refuse', () => {
  it.each([-2, 1.5])('with replicas %d counts as the default 1, never a negative cost', (n) => {
    const odd = deployment({ name: 'web', namespace: 'shop', replicas: n, ...podSpec });
    const model = analyze({
      snapshot: snapshotOf([node('n1'), odd, ownedBy(pod('web-0', 'shop', podSpec), odd)]),
      policy: DEFAULT_POLICY,
      history: historyOf({ cpu: series(() => 0.2), memory: series(() => 200 * MI) }),
    });
    expect(() => written(model)).not.toThrow();
    expect(model.workloads[0].replicas).toBe(1);
    expect(model.cost?.today.total).toBeGreaterThan(0);
  });
});
