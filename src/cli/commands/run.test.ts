import { afterEach, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { smallModel } from '../../charts/fixtures/small-model.js';
import { DashboardBoard } from '../../dashboard/server.js';
import { serializeModel } from '../../model/serialize.js';
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

  it('serves the dashboard of the last pass beside them, for GET and HEAD only', async () => {
    const board = new DashboardBoard('every 1h');
    server = await serveHealth(loopMetrics(), 0, '127.0.0.1', board);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/api/model`)).status).toBe(503);
    expect(await (await fetch(`${base}/`)).text()).toContain('No plan yet.');

    board.planned(smallModel());
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain('<h1>prod-eu</h1>');
    expect(page).toContain('every 1h');
    expect(await (await fetch(`${base}/api/model`)).text()).toBe(serializeModel(smallModel()));

    board.failed('git push: remote hung up');
    const failed = await (await fetch(`${base}/`)).text();
    expect(failed).toContain('id="replan-error"');
    expect(failed).toContain('<h1>prod-eu</h1>');
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
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
