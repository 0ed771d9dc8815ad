/**
 * Honest failure injection: a tiny HTTP proxy in front of a real Prometheus. For each request a
 * rule may answer in Prometheus's place (an error status, a slow answer, a body that is not the
 * API), or change the form it forwards (so that Prometheus itself answers a query it rejects);
 * everything else is forwarded unchanged.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  readonly path: string;
  readonly form: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  /** 1 for the first request the proxy sees. */
  readonly n: number;
}

export interface Injected {
  readonly status: number;
  readonly body: string;
  readonly delayMs?: number;
}

/** Forward this form instead of the one the client sent; Prometheus answers it. */
export interface Rewritten {
  readonly forward: URLSearchParams;
}

export type Rule = (request: ProxiedRequest) => Injected | Rewritten | undefined;

export interface FailureProxy {
  readonly url: string;
  /** Every request, and what answered it. */
  readonly log: { request: ProxiedRequest; injected: boolean; status: number }[];
  /** Requests whose connection is still open (not answered, and not given up by the client). */
  open(): number;
  close(): Promise<void>;
}

export function prometheusError(errorType: string, error: string): string {
  return JSON.stringify({ status: 'error', errorType, error });
}

export async function startFailureProxy(target: string, rule: Rule): Promise<FailureProxy> {
  const log: FailureProxy['log'] = [];
  let n = 0;
  let open = 0;
  const server = createServer((req, res) => {
    open++;
    res.on('close', () => open--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString();
        const url = new URL(req.url ?? '/', 'http://proxy');
        const form = new URLSearchParams(req.method === 'POST' ? raw : url.search);
        const request: ProxiedRequest = { path: url.pathname, form, headers: req.headers, n: ++n };
        const outcome = rule(request);
        const injected = outcome !== undefined && 'status' in outcome ? outcome : undefined;
        const sent =
          outcome !== undefined && 'forward' in outcome ? outcome.forward.toString() : raw;
        if (injected !== undefined) {
          if (injected.delayMs !== undefined) {
            const delayMs = injected.delayMs;
            // A client that gives up ends the wait: no timer outlives the request.
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, delayMs);
              res.on('close', () => {
                clearTimeout(timer);
                resolve();
              });
            });
          }
          log.push({ request, injected: true, status: injected.status });
          if (res.destroyed) return;
          res.writeHead(injected.status, { 'Content-Type': 'application/json' });
          res.end(injected.body);
          return;
        }
        const upstream = await fetch(`${target}${url.pathname}${url.search}`, {
          method: req.method ?? 'GET',
          headers: {
            'Content-Type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded',
          },
          ...(req.method === 'POST' ? { body: sent } : {}),
        });
        const body = await upstream.text();
        log.push({ request, injected: false, status: upstream.status });
        res.writeHead(upstream.status, { 'Content-Type': 'application/json' });
        res.end(body);
      })().catch((e: unknown) => {
        res.writeHead(599);
        res.end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    open: () => open,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/** Steps a range query asks for. */
export function pointsOf(form: URLSearchParams): number {
  const start = Number(form.get('start'));
  const end = Number(form.get('end'));
  const step = Number(form.get('step'));
  return Math.floor((end - start) / step) + 1;
}
