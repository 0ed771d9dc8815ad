/**
 * A small client for the Prometheus HTTP query API (`/api/v1/query`, `/api/v1/query_range`),
 * nothing else, so it works against Prometheus, Thanos Query and Mimir alike. Requests are POSTed
 * as forms (long namespace matchers fit). Timeouts, 429 and 5xx are retried with exponential
 * backoff and full jitter; a refused connection or unknown host fails at once. Credentials (the
 * bearer token, header values, user:password in the URL) never appear in a message.
 */
import { InputError, SourceUnreachableError } from '../../errors.js';
import {
  validateEnvelope,
  validateMatrix,
  validateVector,
  type ApiResponse,
  type MatrixSeries,
  type VectorSample,
} from './schema.js';

/** How TARS authenticates to Prometheus (Thanos, Mimir). */
export interface PrometheusAuth {
  readonly bearerToken?: string;
  /** Extra request headers, e.g. `X-Scope-OrgID` for Mimir. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface PrometheusConfig extends PrometheusAuth {
  /** API root, e.g. `http://prometheus:9090` or `https://mimir/prometheus`. */
  readonly url: string;
}

export interface RetryOptions {
  /** Per-request timeout. Default 60 s. */
  readonly timeoutMs?: number;
  /** Tries per request, the first included. Default 4. */
  readonly attempts?: number;
  /** First backoff; doubles each retry, with full jitter. Default 500 ms. */
  readonly baseDelayMs?: number;
  /** Longest single backoff. Default 8 s. */
  readonly maxDelayMs?: number;
}

/** The query asked for more than the server allows in one response: split the window. */
export class QueryTooLargeError extends Error {
  override readonly name = 'QueryTooLargeError';
}

/** Prometheus answered, but rejected the query (a bug on our side, not the user's). */
export class PrometheusQueryError extends Error {
  override readonly name = 'PrometheusQueryError';
}

export interface RangeResult {
  readonly series: MatrixSeries[];
  readonly warnings: readonly string[];
}

/** Messages Prometheus, Thanos and Mimir use when a query would be too big. */
const TOO_LARGE =
  /too many samples|exceeded maximum resolution|maximum resolution|exceeds the limit|max-total-query-length|too many chunks|too large/i;
/** Connection errors that no retry fixes. */
const FATAL_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

/** `Prometheus http://host:9090/path`, without user info, query or fragment. */
export function describePrometheus(url: URL): string {
  const path = url.pathname.replace(/\/+$/, '');
  return `Prometheus ${url.protocol}//${url.host}${path}`;
}

export function parsePrometheusUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError('--prometheus must be an http(s) URL, e.g. http://prometheus:9090');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(`--prometheus must be an http(s) URL, not ${url.protocol}`);
  }
  return url;
}

export class PrometheusClient {
  readonly description: string;
  private readonly base: URL;
  private readonly headers: Record<string, string>;
  private readonly retry: Required<RetryOptions>;

  constructor(config: PrometheusConfig, retry: RetryOptions = {}) {
    const url = parsePrometheusUrl(config.url);
    this.description = describePrometheus(url);
    this.headers = { ...config.headers, Accept: 'application/json' };
    if (url.username !== '' || url.password !== '') {
      const basic = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      this.headers.Authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
    }
    if (config.bearerToken !== undefined)
      this.headers.Authorization = `Bearer ${config.bearerToken}`;
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    this.base = url;
    this.retry = {
      timeoutMs: retry.timeoutMs ?? 60_000,
      attempts: Math.max(1, retry.attempts ?? 4),
      baseDelayMs: retry.baseDelayMs ?? 500,
      maxDelayMs: retry.maxDelayMs ?? 8_000,
    };
  }

  /** `signal`: the caller gives up (a sibling query failed for good); no retry follows. */
  async queryRange(
    query: string,
    start: number,
    end: number,
    step: number,
    signal?: AbortSignal,
  ): Promise<RangeResult> {
    const form = { query, start: String(start), end: String(end), step: String(step) };
    const response = await this.request('api/v1/query_range', form, signal);
    if (response.data?.resultType !== 'matrix' || !validateMatrix(response.data.result)) {
      throw this.notTheApi('a query_range answer that is not a matrix');
    }
    return { series: response.data.result, warnings: response.warnings ?? [] };
  }

  async query(query: string, time: number): Promise<VectorSample[]> {
    const response = await this.request('api/v1/query', { query, time: String(time) });
    if (response.data?.resultType !== 'vector' || !validateVector(response.data.result)) {
      throw this.notTheApi('a query answer that is not a vector');
    }
    return response.data.result;
  }

  /** POSTs a form, retrying what a retry can fix. */
  private async request(
    path: string,
    form: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<ApiResponse> {
    const endpoint = new URL(path, this.base);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(endpoint, form, signal);
      if (outcome.kind === 'done') return outcome.response;
      signal?.throwIfAborted();
      if (attempt >= this.retry.attempts) {
        throw new SourceUnreachableError(
          this.description,
          `${outcome.reason} (gave up after ${attempt} attempts)`,
        );
      }
      await sleep(this.backoff(attempt, outcome.retryAfterMs), signal);
    }
  }

  private async attempt(
    endpoint: URL,
    form: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<
    | { kind: 'done'; response: ApiResponse }
    | { kind: 'retry'; reason: string; retryAfterMs?: number }
  > {
    let response: Response;
    let text: string;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: { ...this.headers, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
        signal: AbortSignal.any([
          AbortSignal.timeout(this.retry.timeoutMs),
          ...(signal !== undefined ? [signal] : []),
        ]),
      });
      text = await response.text();
    } catch (e) {
      // Given up by the caller: its reason, not a connection failure to retry.
      signal?.throwIfAborted();
      return { kind: 'retry', reason: this.connectionFailure(e) };
    }
    const status = response.status;
    if (status === 429 || status >= 500) {
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        kind: 'retry',
        reason: `HTTP ${status}${errorText(text)}`,
        ...(Number.isFinite(retryAfter) && retryAfter > 0
          ? { retryAfterMs: retryAfter * 1000 }
          : {}),
      };
    }
    if (status === 401 || status === 403) {
      throw new SourceUnreachableError(
        this.description,
        `refused the request with HTTP ${status} (check the bearer token or headers)`,
      );
    }
    const body = parseJson(text);
    if (!validateEnvelope(body)) {
      if (status === 404) {
        throw new SourceUnreachableError(
          this.description,
          `HTTP 404 for ${endpoint.pathname}: is the URL the root of a Prometheus API?`,
        );
      }
      throw this.notTheApi(`HTTP ${status} with a body that is not a Prometheus API response`);
    }
    if (body.status === 'error' || status >= 400) {
      const message = `${body.errorType ?? 'error'}: ${body.error ?? `HTTP ${status}`}`;
      // A 422 is any execution error; only a size complaint (or a bare 422) is worth splitting.
      const sizeComplaint = TOO_LARGE.test(body.error ?? '');
      if (sizeComplaint || (status === 422 && (body.error ?? '') === '')) {
        throw new QueryTooLargeError(message);
      }
      throw new PrometheusQueryError(
        `${this.description} rejected a query (HTTP ${status}) ${message}`,
      );
    }
    return { kind: 'done', response: body };
  }

  /** Classifies a failed fetch: throws when no retry can help, else says why to retry. */
  private connectionFailure(e: unknown): string {
    if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) {
      return `no answer within ${this.retry.timeoutMs} ms`;
    }
    const code = errorCode(e);
    if (code !== undefined && FATAL_CODES.has(code)) {
      const what =
        code === 'ECONNREFUSED'
          ? 'connection refused'
          : code === 'ENOTFOUND'
            ? `host ${this.base.hostname} not found`
            : 'no route to host';
      throw new SourceUnreachableError(this.description, `${what} (${code})`);
    }
    if (code !== undefined && TLS_CODE.test(code)) {
      throw new SourceUnreachableError(this.description, `TLS failure (${code})`);
    }
    return `connection failed (${code ?? (e instanceof Error ? e.message : String(e))})`;
  }

  private backoff(attempt: number, retryAfterMs?: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    const jittered = Math.random() * ceiling;
    return Math.min(this.retry.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
  }

  private notTheApi(what: string): SourceUnreachableError {
    return new SourceUnreachableError(
      this.description,
      `answered with ${what}: is the URL the root of a Prometheus API?`,
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `: <Prometheus's error>` from an error body, if it is one. */
function errorText(text: string): string {
  const body = parseJson(text);
  if (validateEnvelope(body) && body.error !== undefined) return `: ${body.error}`;
  return '';
}

/** The system error code of a failed fetch (`TypeError: fetch failed` wraps it in `cause`). */
function errorCode(e: unknown): string | undefined {
  let current: unknown = e;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    const candidate = current as { code?: unknown; errors?: unknown[]; cause?: unknown };
    if (typeof candidate.code === 'string' && candidate.code !== 'UND_ERR_SOCKET')
      return candidate.code;
    if (Array.isArray(candidate.errors) && candidate.errors.length > 0) {
      current = candidate.errors[0];
      continue;
    }
    current = candidate.cause;
  }
  return undefined;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = (): void => {
      clearTimeout(timer);
      // The reason the caller aborted with: the error that failed its sibling query.
      reject(signal?.reason instanceof Error ? signal.reason : new Error('given up'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
