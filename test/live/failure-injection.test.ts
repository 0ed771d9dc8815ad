/**
 * The live source against the real API server behind a proxy that injects one failure at a
 * time: an expired continue token (410), load shedding (429 with Retry-After), a 503, a request
 * that hangs past the client timeout, and a kind that keeps failing.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { LiveClusterSource } from '../../src/cluster/live/index.js';
import { exitCodeFor, SourceUnreachableError } from '../../src/errors.js';
import { kindInfo } from '../../src/cluster/kinds.js';
import type { KindInfo } from '../../src/cluster/kinds.js';
import type { KubeObject } from '../../src/cluster/types.js';
import { createObjects, createTestNamespace, testKubeconfigs } from '../support/cluster.js';
import type { FaultProxy } from './fault-proxy.js';
import { listOf, startFaultProxy } from './fault-proxy.js';
import { container, deployment } from '../support/objects.js';

const kinds = (...names: string[]): KindInfo[] => names.map((n) => kindInfo(n) as KindInfo);
const fastRetry = { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 2000 };

describe('live source with injected failures', () => {
  let ns: string;
  let proxy: FaultProxy;
  const names = Array.from({ length: 30 }, (_, i) => `cm-${String(i).padStart(2, '0')}`);

  beforeAll(async () => {
    ns = await createTestNamespace('faults');
    await createObjects([
      ...names.map((name) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: ns },
      })),
      deployment({ name: 'web', namespace: ns, containers: [container('web')] }),
    ]);
  });
  beforeEach(async () => {
    proxy = await startFaultProxy(testKubeconfigs().readonly);
  });
  afterEach(async () => {
    await proxy.close();
  });

  const mine = (objects: readonly KubeObject[]): string[] =>
    objects.filter((o) => o.metadata.namespace === ns).map((o) => `${o.kind}/${o.metadata.name}`);

  it('relists from the first page when a continue token has expired (410 Gone)', async () => {
    proxy.inject({
      match: listOf('/api/v1/configmaps', (u) => u.searchParams.has('continue')),
      status: 410,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'Expired',
        code: 410,
        message: 'The provided continue parameter is too old to display a consistent list result.',
      },
    });
    const messages: string[] = [];
    const snapshot = await LiveClusterSource.fromConfig({
      kubeconfig: proxy.kubeconfig,
      pageSize: 7,
      kinds: kinds('ConfigMap'),
    }).read((m) => messages.push(m));

    expect(mine(snapshot.objects).sort()).toEqual(names.map((n) => `ConfigMap/${n}`));
    const uids = snapshot.objects.map((o) => o.metadata.uid);
    expect(new Set(uids).size).toBe(uids.length);
    const lists = proxy.seen.filter((r) => r.url.pathname === '/api/v1/configmaps');
    expect(lists.filter((r) => r.injected === 410)).toHaveLength(1);
    // First page, second page (410), then the first page again, then on to the end.
    expect(lists.map((r) => r.url.searchParams.has('continue')).slice(0, 3)).toEqual([
      false,
      true,
      false,
    ]);
    expect(lists.length).toBeGreaterThanOrEqual(2 + Math.ceil(30 / 7));
    expect(messages.some((m) => m.includes('expired'))).toBe(true);
  });

  it('waits as long as Retry-After says on 429 and then reads the kind', async () => {
    proxy.inject({
      match: listOf('/apis/apps/v1/deployments'),
      status: 429,
      headers: { 'Retry-After': '1' },
      body: { kind: 'Status', apiVersion: 'v1', code: 429, message: 'Too many requests' },
    });
    const started = Date.now();
    const snapshot = await LiveClusterSource.fromConfig({
      kubeconfig: proxy.kubeconfig,
      kinds: kinds('Deployment'),
      retry: fastRetry,
    }).read();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(mine(snapshot.objects)).toEqual(['Deployment/web']);
    expect(snapshot.skipped).toEqual([]);
    const lists = proxy.seen.filter((r) => r.url.pathname === '/apis/apps/v1/deployments');
    expect(lists.map((r) => r.injected)).toEqual([429, undefined]);
  });

  it('retries a 503 and a request that outlives the timeout', async () => {
    proxy.inject({ match: listOf('/apis/apps/v1/deployments'), status: 503, body: {} });
    proxy.inject({ match: listOf('/api/v1/configmaps'), delayMs: 3000 });
    const snapshot = await LiveClusterSource.fromConfig({
      kubeconfig: proxy.kubeconfig,
      kinds: kinds('Deployment', 'ConfigMap'),
      retry: fastRetry,
      requestTimeoutMs: 500,
    }).read();
    expect(mine(snapshot.objects)).toContain('Deployment/web');
    expect(mine(snapshot.objects).filter((o) => o.startsWith('ConfigMap/'))).toHaveLength(30);
    const deployments = proxy.seen.filter((r) => r.url.pathname === '/apis/apps/v1/deployments');
    expect(deployments.map((r) => r.injected)).toEqual([503, undefined]);
    const configmaps = proxy.seen.filter((r) => r.url.pathname === '/api/v1/configmaps');
    expect(configmaps.map((r) => r.injected)).toEqual(['delayed', undefined]);
  });

  it('gives up on a kind that keeps failing after bounded attempts, and reports it', async () => {
    proxy.inject({
      match: listOf('/api/v1/services'),
      status: 500,
      body: { kind: 'Status', apiVersion: 'v1', code: 500, message: 'etcd is sad' },
      times: Infinity,
    });
    const snapshot = await LiveClusterSource.fromConfig({
      kubeconfig: proxy.kubeconfig,
      kinds: kinds('Service', 'Deployment'),
      retry: { ...fastRetry, maxAttempts: 3 },
    }).read();
    expect(snapshot.skipped.map(({ kind, reason }) => ({ kind, reason }))).toEqual([
      { kind: 'Service', reason: 'error' },
    ]);
    expect(snapshot.skipped[0]?.message).toContain('etcd is sad');
    expect(mine(snapshot.objects)).toEqual(['Deployment/web']);
    expect(proxy.seen.filter((r) => r.url.pathname === '/api/v1/services')).toHaveLength(3);
  });

  it('discovery that keeps failing (an overloaded API server) is the cluster unreachable, exit 3', async () => {
    proxy.inject({
      match: (u) => u.pathname === '/apis',
      status: 503,
      body: { kind: 'Status', apiVersion: 'v1', code: 503, message: 'the server is overloaded' },
      times: Infinity,
    });
    const error: unknown = await LiveClusterSource.fromConfig({
      kubeconfig: proxy.kubeconfig,
      kinds: kinds('Deployment'),
      retry: { ...fastRetry, maxAttempts: 2 },
    })
      .read()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnreachableError);
    expect((error as Error).message).toMatch(
      /^cluster https?:\/\/127\.0\.0\.1:\d+ is unreachable: GET \/apis: 503 the server is overloaded$/,
    );
    expect(exitCodeFor(error)).toBe(3);
  });
});
