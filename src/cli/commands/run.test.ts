import { afterEach, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loopMetrics, recordProposals, serveHealth } from './run.js';

let server: Server | undefined;
afterEach(() => server?.close());

describe('the loop health endpoints', () => {
  it('answers /healthz and exposes pass counts on /metrics', async () => {
    const metrics = loopMetrics();
    server = await serveHealth(metrics, 0, '127.0.0.1');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
    metrics.runs.inc({ outcome: 'success' });
    metrics.runs.inc({ outcome: 'failure' });
    metrics.runs.inc({ outcome: 'success' });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('tars_runs_total{outcome="success"} 2');
    expect(text).toContain('tars_runs_total{outcome="failure"} 1');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('serves IPv6 as well as IPv4 by default (probes of a pod in an IPv6 cluster)', async () => {
    server = await serveHealth(loopMetrics(), 0);
    const { port } = server.address() as AddressInfo;
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text()).toBe('ok\n');
    expect(await (await fetch(`http://[::1]:${port}/healthz`)).text()).toBe('ok\n');
  });

  it('shows each concern with the status of the last pass only', async () => {
    const metrics = loopMetrics();
    recordProposals(metrics, [
      { concern: 'takeover', status: 'updated' },
      { concern: 'rightsizing', status: 'created' },
    ]);
    recordProposals(metrics, [
      { concern: 'takeover', status: 'held' },
      { concern: 'rightsizing', status: 'unchanged' },
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('tars_proposal_status{concern="takeover",status="held"} 1');
    expect(text).toContain('tars_proposal_status{concern="rightsizing",status="unchanged"} 1');
    expect(text).not.toContain('status="updated"');
    expect(text).not.toContain('status="created"');
  });
});
