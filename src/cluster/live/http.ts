import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

import type { KubeConfig } from '@kubernetes/client-node';

import { nextDelayMs, isRetryableStatus, retryAfterMs } from './retry.js';
import type { RetryPolicy } from './retry.js';

/** A non-2xx answer from the API server, with its Status message when it sent one. */
export class ApiStatusError extends Error {
  override readonly name = 'ApiStatusError';
  constructor(
    readonly status: number,
    readonly path: string,
    readonly reason: string,
    /** The server's Retry-After, in milliseconds, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(`GET ${path}: ${status} ${reason}`);
  }
}

/** The server could not be reached or the connection broke (refused, reset, TLS, timeout). */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`GET ${path}: ${reason}`, options);
  }
}

export interface KubeHttpOptions {
  readonly retry: RetryPolicy;
  /** Per attempt; a request that takes longer is abandoned and retried. */
  readonly requestTimeoutMs: number;
  /** Sockets kept open per server; matches the list concurrency. */
  readonly maxSockets: number;
}

/** Connection errors worth another attempt: the server may be restarting or a proxy hiccupped. */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

/**
 * GET-only JSON client for the Kubernetes API. Raw requests rather than client-node's typed
 * APIs so objects come back exactly as the server prints them, and so status codes and
 * Retry-After are visible for the retry policy. Credentials come from client-node's KubeConfig
 * on every request (exec plugins and token files refresh themselves there).
 */
export class KubeHttpClient {
  private readonly agent: http.Agent;
  readonly server: URL;

  constructor(
    private readonly kc: KubeConfig,
    private readonly options: KubeHttpOptions,
  ) {
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new Error('kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
    this.agent =
      this.server.protocol === 'http:'
        ? new http.Agent(agentOptions)
        : new https.Agent(agentOptions);
  }

  /** GET with retries on 429, 5xx, timeouts and broken connections. Throws after the last attempt. */
  async getJson(path: string, query: Record<string, string | undefined> = {}): Promise<unknown> {
    const { retry } = this.options;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.getOnce(path, query);
      } catch (e) {
        const last = attempt + 1 >= retry.maxAttempts;
        if (e instanceof ApiStatusError && isRetryableStatus(e.status) && !last) {
          await sleep(nextDelayMs(attempt, retry, e.retryAfterMs));
          continue;
        }
        if (e instanceof TransportError && e.retryable && !last) {
          await sleep(nextDelayMs(attempt, retry, undefined));
          continue;
        }
        throw e;
      }
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private async getOnce(path: string, query: Record<string, string | undefined>): Promise<unknown> {
    const url = new URL(this.server.href.replace(/\/$/, '') + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const options: https.RequestOptions = {
      method: 'GET',
      headers: { Accept: 'application/json', 'User-Agent': 'tars' },
    };
    await this.kc.applyToHTTPSOptions(options);
    options.agent = this.agent;
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise<unknown>((resolve, reject) => {
      const req = transport.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => reject(transportError(path, err)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            try {
              resolve(JSON.parse(text));
            } catch (err) {
              reject(new TransportError(path, `answer is not JSON: ${String(err)}`, true));
            }
            return;
          }
          const reason = statusReason(text, res.statusMessage);
          const retryAfter = retryAfterMs(headerValue(res.headers['retry-after']));
          reject(new ApiStatusError(status, path, reason, retryAfter));
        });
      });
      req.setTimeout(this.options.requestTimeoutMs, () => {
        req.destroy(
          Object.assign(new Error(`no answer within ${this.options.requestTimeoutMs} ms`), {
            code: 'ETIMEDOUT',
          }),
        );
      });
      req.on('error', (err) => reject(transportError(path, err)));
      req.end();
    });
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function transportError(path: string, err: Error & { code?: string }): TransportError {
  const code = err.code ?? '';
  const reason = code && !err.message.includes(code) ? `${code} ${err.message}` : err.message;
  return new TransportError(path, reason, RETRYABLE_CODES.has(code), { cause: err });
}

/** The message of a metav1.Status body, else the HTTP reason phrase. */
function statusReason(body: string, fallback: string | undefined): string {
  try {
    const parsed = JSON.parse(body) as { kind?: string; message?: string };
    if (parsed.kind === 'Status' && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: a proxy or load balancer answered; its reason phrase is all we have.
  }
  return fallback ?? 'no reason given';
}
