// `tars snapshot` as a support bundle: a live cluster read with the shipped read-only identity
// and Prometheus history, written in the snapshot format that `tars plan --snapshot` reads back.
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { createObjects, createTestNamespace } from '../support/cluster.js';
import { snapshotArgs } from '../metrics/run-tars-async.js';
import { readTree, tars } from './run-tars.js';
import { container, deployment } from '../support/objects.js';

const HISTORY = 'examples/online-boutique/history';

let prometheus: RunningPrometheus;
beforeAll(async () => {
  prometheus = await startPrometheus({
    openMetrics: readdirSync(HISTORY).map((f) => join(HISTORY, f)),
  });
});
afterAll(async () => prometheus.stop());

describe('tars snapshot', () => {
  it('writes the live cluster (never Secrets) and its history; plan reads both back', async () => {
    const ns = await createTestNamespace('snap');
    await createObjects([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: ns },
        data: { MODE: 'prod' },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'password', namespace: ns },
        stringData: { value: 'hunter2-planted' },
      },
      deployment({ name: 'web', namespace: ns, containers: [container('web')] }),
    ]);
    const out = join(mkdtempSync(join(tmpdir(), 'tars-snapshot-')), 'bundle');
    // The demo history is from early November 2026: a 30-day window ending now covers it.
    const run = tars(snapshotArgs(out, prometheus.url, '30d'));
    expect(run.code, run.stderr).toBe(0);

    const files = readTree(out);
    const all = [...files.values()].join('\n');
    expect(all).toContain(`name: ${ns}`);
    expect(all).toMatch(/kind: Deployment[\s\S]*name: web/);
    expect(all).not.toMatch(/^kind: Secret$/m);
    expect(all).not.toContain('hunter2-planted');
    expect(files.get('cluster.yaml')).toMatch(/name: tars-test/);
    const history = readFileSync(join(out, 'history', 'usage.om'), 'utf8');
    expect(history).toMatch(/^container_cpu_usage_seconds_total\{.*namespace="boutique"/m);
    expect(history.trimEnd().endsWith('# EOF')).toBe(true);

    const plan = tars([
      'plan',
      '--snapshot',
      out,
      '--out',
      join(out, '..', 'generated'),
      '--quiet',
    ]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).not.toContain('Right-sizing skipped');
    expect(plan.stdout).toMatch(/tars-test \(snapshot, \d+ objects\)/);
  });
});
