// Edge cases of the plan path that used to crash (an internal error with a stack trace) or put
// NaN, Infinity or negative figures into the model, the manifests or the cost table.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { buildPlan } from '../../src/plan/plan.js';

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
