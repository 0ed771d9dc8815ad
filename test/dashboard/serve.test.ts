/**
 * `tars serve` over HTTP, the built binary against the bundled example: the dashboard shows the
 * model `tars analyze` writes, answers only GET and HEAD, serves no file outside its own few,
 * escapes text from the cluster, and keeps the last good plan when a re-plan fails.
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../src/model/types.js';
import { tarsAsync } from '../metrics/run-tars-async.js';
import { EXAMPLE, exampleCopy, exampleWithMarkup, MARKUP, startServe } from './serve-process.js';
import { waitFor } from '../support/wait.js';

/** The model `tars analyze` writes for `snapshot`. */
async function analyzed(snapshot: string): Promise<DesiredState> {
  const out = join(mkdtempSync(join(tmpdir(), 'tars-dashboard-model-')), 'model.json');
  const run = await tarsAsync(['analyze', '--snapshot', snapshot, '--out', out, '--quiet']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as DesiredState;
}

interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A raw request, so a path like `/static/../x` reaches the server as written (fetch normalizes it). */
function rawGet(url: string, path: string, method = 'GET'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(url), { path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject).end();
  });
}

function escaped(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

describe('tars serve', () => {
  it('serves the plan of the snapshot: /healthz, the model as JSON, every workload and the cost', async () => {
    const served = await startServe(['--snapshot', EXAMPLE, '--quiet']);
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const health = await fetch(new URL('/healthz', served.url));
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');

    const api = await fetch(new URL('/api/model', served.url));
    expect(api.status).toBe(200);
    expect(api.headers.get('content-type')).toMatch(/^application\/json/);
    const model = (await api.json()) as DesiredState;
    expect(model).toEqual(await analyzed(EXAMPLE));

    const page = await fetch(served.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await page.text();
    expect(html).toContain(`<h1>${model.cluster.name}</h1>`);
    expect(model.workloads.length).toBeGreaterThan(0);
    for (const w of model.workloads) {
      expect(html).toContain(`data-workload="${w.ref.namespace}/${w.ref.name}"`);
    }
    expect(html.match(/<tr\s+class="workload"/g)).toHaveLength(model.workloads.length);
    expect(model.cost).toBeDefined();
    expect(html).toContain(`${model.cost!.today.total.toFixed(2)} ${model.cost!.currency}`);
    expect(html).toContain(`${model.cost!.proposed.total.toFixed(2)} ${model.cost!.currency}`);
    for (const note of model.notes) expect(html).toContain(escaped(note));

    const metrics = await (await fetch(new URL('/metrics', served.url))).text();
    expect(metrics).toContain('tars_runs_total{outcome="success"} 1');

    served.child.kill('SIGTERM');
    expect(await served.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(new URL('/healthz', served.url))).rejects.toThrow();
  });

  it('answers GET and HEAD only, and serves none of the files around its own', async () => {
    const served = await startServe(['--snapshot', EXAMPLE, '--quiet']);
    for (const [method, path] of [
      ['POST', '/'],
      ['PUT', '/api/model'],
      ['DELETE', '/healthz'],
      ['POST', '/metrics'],
    ] as const) {
      const answer = await fetch(new URL(path, served.url), { method });
      expect(answer.status, `${method} ${path}`).toBe(405);
      expect(answer.headers.get('allow')).toBe('GET, HEAD');
    }
    const head = await fetch(served.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    const script = await fetch(new URL('/static/dashboard.js', served.url));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    const packageJson = readFileSync('package.json', 'utf8');
    for (const path of [
      '/static/../package.json',
      '/static/%2e%2e/%2e%2e/package.json',
      '/static/..%2f..%2fpackage.json',
      '/static//etc/passwd',
      '/package.json',
      '/static/',
    ]) {
      const answer = await rawGet(served.url, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body).not.toContain(packageJson.slice(0, 40));
    }
  });

  it('answers HEAD as GET without the body, with the length of the body on both', async () => {
    const served = await startServe(['--snapshot', EXAMPLE, '--quiet']);
    for (const path of [
      '/',
      '/?workload=cart',
      '/healthz',
      '/healthz?probe=1',
      '/metrics',
      '/api/model',
      '/api/model?pretty',
      '/static/dashboard.js',
      '/static/dashboard.css',
      '/static/favicon.svg',
      '/nope',
    ]) {
      const get = await rawGet(served.url, path);
      expect(get.headers['content-length'], `GET ${path}`).toBe(
        String(Buffer.byteLength(get.body)),
      );
      expect(get.headers['x-content-type-options'], `GET ${path}`).toBe('nosniff');
      const head = await rawGet(served.url, path, 'HEAD');
      expect([head.status, head.body], `HEAD ${path}`).toEqual([get.status, '']);
      expect(head.headers['content-length'], `HEAD ${path}`).toBe(get.headers['content-length']);
      expect(head.headers['content-type'], `HEAD ${path}`).toBe(get.headers['content-type']);
    }
  });

  it('answers a path that is not a URL path with 404, not an error', async () => {
    const served = await startServe(['--snapshot', EXAMPLE, '--quiet']);
    for (const path of [
      '//',
      '///',
      '//evil.invalid/healthz',
      '//[',
      'http://evil.invalid/healthz',
    ]) {
      const answer = await rawGet(served.url, path);
      expect([answer.status, answer.body], path).toEqual([404, 'not found\n']);
    }
    expect((await fetch(new URL('/healthz', served.url))).status).toBe(200);
  });

  it('escapes the text it shows from the cluster', async () => {
    const served = await startServe(['--snapshot', exampleWithMarkup(), '--quiet']);
    const model = (await (await fetch(new URL('/api/model', served.url))).json()) as DesiredState;
    expect(model.workloads.map((w) => w.managedBy.name)).toContain(MARKUP);
    const html = await (await fetch(served.url)).text();
    expect(html).toContain(escaped(MARKUP));
    expect(html).not.toContain('<script>window.__tarsInjected');
    expect(html).not.toContain('<img');
  });

  it('keeps the last good plan on the page when a re-plan fails, and shows the error', async () => {
    const snapshot = exampleCopy();
    const served = await startServe(['--snapshot', snapshot, '--refresh', '1s', '--quiet']);
    const before = await (await fetch(new URL('/api/model', served.url))).text();
    const workloads = (JSON.parse(before) as DesiredState).workloads;

    const deployments = join(snapshot, 'deployments.yaml');
    const good = readFileSync(deployments, 'utf8');
    writeFileSync(deployments, 'items: [this is not: yaml\n');
    const html = await waitFor('a failed re-plan on the page', async () => {
      const text = await (await fetch(served.url)).text();
      return text.includes('id="replan-error"') ? text : undefined;
    });
    expect(html).toContain('deployments.yaml');
    for (const w of workloads)
      expect(html).toContain(`data-workload="${w.ref.namespace}/${w.ref.name}"`);
    expect(await (await fetch(new URL('/api/model', served.url))).text()).toBe(before);
    const metrics = await (await fetch(new URL('/metrics', served.url))).text();
    expect(metrics).toMatch(/tars_runs_total\{outcome="failure"\} [1-9]/);
    expect(served.child.exitCode).toBeNull();

    writeFileSync(deployments, good);
    await waitFor('a good re-plan clearing the error', async () => {
      const text = await (await fetch(served.url)).text();
      return text.includes('id="replan-error"') ? undefined : text;
    });
    served.child.kill('SIGINT');
    expect(await served.exited).toEqual({ code: 0, signal: null });
  });

  it('ends at once on SIGTERM during a re-plan waiting on Prometheus: the plan writes nothing', async () => {
    // A Prometheus API with no series until the first plan is on the page, that then never
    // answers: a re-plan stuck for minutes (4 attempts of 60 s each).
    let hang = false;
    let held = 0;
    const prometheus = createServer((req, res) => {
      if (hang) {
        held += 1;
        return;
      }
      const resultType = req.url?.startsWith('/api/v1/query_range') ? 'matrix' : 'vector';
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'success', data: { resultType, result: [] } }));
    });
    await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = prometheus.address() as AddressInfo;
      const served = await startServe([
        '--snapshot',
        EXAMPLE,
        '--prometheus',
        `http://127.0.0.1:${port}`,
        '--refresh',
        '1s',
      ]);
      hang = true;
      await waitFor('a re-plan waiting on Prometheus', () =>
        Promise.resolve(held > 0 || undefined),
      );
      const sent = Date.now();
      served.child.kill('SIGTERM');
      expect(await served.exited, served.stderr).toEqual({ code: 0, signal: null });
      expect(Date.now() - sent).toBeLessThan(5_000);
      await expect(fetch(new URL('/healthz', served.url))).rejects.toThrow();
    } finally {
      prometheus.closeAllConnections();
      await new Promise((resolve) => prometheus.close(resolve));
    }
  });

  it('ends at once on SIGTERM between plans while requests of a degraded plan still hang', async () => {
    // One query refused at once degrades the plan; its sibling queries stay unanswered.
    let queries = 0;
    const prometheus = createServer((_req, res) => {
      queries += 1;
      if (queries === 1) res.writeHead(404).end('404 page not found\n');
    });
    await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = prometheus.address() as AddressInfo;
      const served = await startServe([
        '--snapshot',
        EXAMPLE,
        '--prometheus',
        `http://127.0.0.1:${port}`,
        '--refresh',
        '1h',
      ]);
      expect(queries).toBeGreaterThan(1);
      const sent = Date.now();
      served.child.kill('SIGTERM');
      expect(await served.exited, served.stderr).toEqual({ code: 0, signal: null });
      expect(Date.now() - sent).toBeLessThan(5_000);
    } finally {
      prometheus.closeAllConnections();
      await new Promise((resolve) => prometheus.close(resolve));
    }
  });

  it('listens on this machine only unless --host says otherwise', async () => {
    // The page shows the cluster's inventory and findings: not to the network by default.
    const served = await startServe(['--snapshot', EXAMPLE, '--quiet']);
    const { port } = new URL(served.url);
    expect(served.url).toBe(`http://127.0.0.1:${port}/`);
    const elsewhere = Object.values(networkInterfaces())
      .flat()
      .find((a) => a !== undefined && !a.internal && a.family === 'IPv4');
    if (elsewhere !== undefined) {
      const reached = await fetch(`http://${elsewhere.address}:${port}/healthz`).then(
        () => true,
        () => false,
      );
      expect(reached).toBe(false);
    }
    served.child.kill('SIGTERM');
    expect((await served.exited).code).toBe(0);
  });

  it('refuses a --host that is not an address of this machine as bad input, and a port in use as a conflict', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine.
    const foreign = await tarsAsync([
      'serve',
      '--snapshot',
      EXAMPLE,
      '--host',
      '192.0.2.1',
      '--port',
      '0',
      '--quiet',
    ]);
    expect(foreign.code, foreign.stderr).toBe(2);
    expect(foreign.stderr).toBe(
      'tars: --host "192.0.2.1" is not an address of this machine (EADDRNOTAVAIL)\n',
    );

    const served = await startServe(['--snapshot', EXAMPLE, '--quiet']);
    const { port } = new URL(served.url);
    const second = await tarsAsync(['serve', '--snapshot', EXAMPLE, '--port', port, '--quiet']);
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toBe(
      `tars: cannot serve the dashboard, /healthz and /metrics on port ${port}: EADDRINUSE\n`,
    );
  });

  it('refuses a --refresh or --port it cannot use', async () => {
    const zero = await tarsAsync(['serve', '--snapshot', EXAMPLE, '--refresh', '0s', '--quiet']);
    expect(zero.code, zero.stderr).toBe(2);
    expect(zero.stderr).toBe('tars: --refresh "0s" must be longer than 0s\n');
    const port = await tarsAsync(['serve', '--snapshot', EXAMPLE, '--port', 'x', '--quiet']);
    expect(port.code, port.stderr).toBe(2);
    expect(port.stderr).toBe('tars: --port "x" is not a port number (0 to 65535)\n');
  });
});
