/**
 * A small HTTP proxy in front of the real API server that answers chosen requests itself (a 410,
 * a 429, a 503) or holds them back (a timeout), once, and forwards everything else unchanged.
 * Failure injection against the real server: the requests that do get through are answered by
 * kube-apiserver, so pagination tokens, RBAC and bodies are real.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { KubeConfig } from '@kubernetes/client-node';

import { writeTokenKubeconfig } from '../cluster/kubeconfig.js';

export interface Fault {
  /** Which request to intercept: path and query as the client sent them. */
  readonly match: (url: URL) => boolean;
  /** Answer with this instead of forwarding… */
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** …or forward only after this long (the client's timeout should fire first). */
  readonly delayMs?: number;
  /** How many matching requests to intercept; 1 by default, Infinity for always. */
  readonly times?: number;
}

export interface SeenRequest {
  readonly url: URL;
  /** The injected status, or undefined when the request went to the real server. */
  readonly injected?: number | 'delayed';
}

export interface FaultProxy {
  /** A kubeconfig with the upstream identity's token, pointing at the proxy. */
  readonly kubeconfig: string;
  readonly seen: SeenRequest[];
  inject(fault: Fault): void;
  close(): Promise<void>;
}

/** Starts a proxy for the identity of `upstreamKubeconfig` (a token kubeconfig). */
export async function startFaultProxy(upstreamKubeconfig: string): Promise<FaultProxy> {
  const kc = new KubeConfig();
  kc.loadFromFile(upstreamKubeconfig);
  const cluster = kc.getCurrentCluster();
  const token = kc.getCurrentUser()?.token;
  if (cluster === null || !token)
    throw new Error('upstream kubeconfig needs a cluster and a token');
  const upstream = new URL(cluster.server);
  const tls: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const faults: { fault: Fault; left: number }[] = [];
  const seen: SeenRequest[] = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const active = faults.find((f) => f.left > 0 && f.fault.match(url));
    if (active !== undefined) active.left--;
    const fault = active?.fault;
    if (fault?.status !== undefined) {
      seen.push({ url, injected: fault.status });
      res.writeHead(fault.status, { 'Content-Type': 'application/json', ...fault.headers });
      res.end(JSON.stringify(fault.body ?? {}));
      return;
    }
    seen.push({ url, injected: fault?.delayMs !== undefined ? 'delayed' : undefined });
    const forward = (): void => {
      const upstreamReq = https.request(
        new URL(url.pathname + url.search, upstream),
        { method: req.method, headers: { ...req.headers, host: upstream.host }, ca: tls.ca },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      upstreamReq.on('error', () => res.destroy());
      req.pipe(upstreamReq);
    };
    if (fault?.delayMs !== undefined) setTimeout(forward, fault.delayMs);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'tars-proxy-')), 'kubeconfig');
  writeTokenKubeconfig(kubeconfig, {
    name: 'tars-test-proxy',
    server: `http://127.0.0.1:${port}`,
    // client-node refuses plain http unless TLS verification is off; there is no TLS to verify.
    insecureSkipTlsVerify: true,
    user: 'proxied',
    token,
  });
  return {
    kubeconfig,
    seen,
    inject: (fault) => faults.push({ fault, left: fault.times ?? 1 }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Matches list requests of one resource path, e.g. `/api/v1/configmaps`. */
export function listOf(path: string, predicate: (url: URL) => boolean = () => true) {
  return (url: URL): boolean => url.pathname === path && predicate(url);
}
