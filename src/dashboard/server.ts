/**
 * The dashboard's HTTP server: the page at `/`, the model at `/api/model`, `/healthz`, the
 * Prometheus registry it is given at `/metrics`, and the page's own files (assets.ts). Read-only
 * by construction: GET and HEAD only (405 otherwise), and nothing but the model, which holds no
 * Secret value, is ever shown.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { ConflictError, errorMessage, InputError } from '../errors.js';
import { serializeModel } from '../model/serialize.js';
import type { DesiredState } from '../model/types.js';
import { ASSETS } from './assets.js';
import { renderDashboard, type DashboardView } from './render.js';

/**
 * The plan the dashboard shows. A failed attempt is recorded beside the last good plan, never
 * instead of it: the page keeps what it knew and says what went wrong since.
 */
export class DashboardBoard {
  private plan: DashboardView['plan'];
  private failure: DashboardView['failure'];

  /** `cadence`: how often the plan is remade, for the reader (e.g. `every 15m`). */
  constructor(private readonly cadence?: string) {}

  planned(model: DesiredState, warnings: readonly string[] = [], at = new Date()): void {
    this.plan = { model, plannedAt: at, warnings };
    this.failure = undefined;
  }

  failed(message: string, at = new Date()): void {
    this.failure = { message, at };
  }

  get model(): DesiredState | undefined {
    return this.plan?.model;
  }

  view(workloadFilter?: string): DashboardView {
    return {
      ...(this.plan ? { plan: this.plan } : {}),
      ...(this.failure ? { failure: this.failure } : {}),
      ...(this.cadence !== undefined ? { cadence: this.cadence } : {}),
      ...(workloadFilter !== undefined ? { workloadFilter } : {}),
    };
  }
}

/**
 * No inline script or style, no other origin: the page loads its own files only. Stricter than
 * `default-src 'self'`, so markup that ever slipped past escaping still could run nothing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export interface DashboardServerOptions {
  /** The registry `/metrics` exposes (the loop's, src/cli/commands/run.ts). */
  readonly registry: Registry;
  readonly board: DashboardBoard;
}

export function createDashboardServer({ registry, board }: DashboardServerOptions): Server {
  return createServer((req, res) => {
    route(req, res, registry, board).catch((e: unknown) => {
      // Headers already sent (a body that failed mid-way): the connection is all that is left.
      if (res.headersSent) res.destroy();
      else send(req, res, 500, { 'content-type': 'text/plain' }, `${errorMessage(e)}\n`);
    });
  });
}

/**
 * The whole answer at once: its body is made before anything is written (so a failure can still
 * be a 500), and HEAD gets the same headers, Content-Length included, without the body.
 */
function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body = '',
): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...COMMON_HEADERS, ...headers, 'content-length': bytes.length });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

/**
 * The path and query of an origin-form request target (`/path?query`). Split by hand rather than
 * resolved as a URL: `//host/path` would otherwise become another host's `/path`, and `//` an
 * invalid URL; both are just paths that match no route.
 */
function requestTarget(target: string): { path: string; query: URLSearchParams } {
  const mark = target.indexOf('?');
  return mark < 0
    ? { path: target, query: new URLSearchParams() }
    : { path: target.slice(0, mark), query: new URLSearchParams(target.slice(mark + 1)) };
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  registry: Registry,
  board: DashboardBoard,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(req, res, 405, { allow: 'GET, HEAD' });
    return;
  }
  const { path, query } = requestTarget(req.url ?? '/');
  const asset = ASSETS.get(path);
  if (asset) {
    send(req, res, 200, { 'content-type': asset.contentType }, asset.body);
    return;
  }
  switch (path) {
    case '/healthz':
      send(req, res, 200, { 'content-type': 'text/plain' }, 'ok\n');
      return;
    case '/metrics':
      send(req, res, 200, { 'content-type': registry.contentType }, await registry.metrics());
      return;
    case '/api/model': {
      const model = board.model;
      if (model === undefined) {
        send(req, res, 503, { 'content-type': 'text/plain' }, 'no plan yet\n');
        return;
      }
      send(req, res, 200, { 'content-type': 'application/json' }, serializeModel(model));
      return;
    }
    case '/': {
      const filter = query.get('workload') ?? undefined;
      send(
        req,
        res,
        200,
        {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': CONTENT_SECURITY_POLICY,
        },
        renderDashboard(board.view(filter)),
      );
      return;
    }
    default:
      send(req, res, 404, { 'content-type': 'text/plain' }, 'not found\n');
  }
}

/**
 * Listens on `port` of `host`, by default every address, IPv6 and IPv4 (`0.0.0.0` would be IPv4
 * only: a pod's probes and scrapes in an IPv6 cluster would be refused).
 */
export function listen(server: Server, port: number, host?: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, port, host)));
    server.listen({ port, ...(host !== undefined ? { host } : {}) }, () => resolve(server));
  });
}

/** Why `listen` failed, in the user's terms: a port taken is a conflict, a wrong `--host` bad input. */
function listenError(e: NodeJS.ErrnoException, port: number, host?: string): Error {
  if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
    return new ConflictError(
      `cannot serve the dashboard, /healthz and /metrics on port ${port}: ${e.code}`,
      { cause: e },
    );
  }
  if (e.code === 'EADDRNOTAVAIL') {
    return new InputError(`--host "${host}" is not an address of this machine (${e.code})`, {
      cause: e,
    });
  }
  if (e.code === 'ENOTFOUND') {
    return new InputError(`--host "${host}" is not a name this machine can resolve (${e.code})`, {
      cause: e,
    });
  }
  return e;
}

/** `http://host:port/` of a listening server, for the user to open. */
export function serverUrl(server: Server, host?: string): string {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  // Every address: the machine's own name for itself reaches it.
  const shown =
    host === undefined || host === '' || host === '::' || host === '0.0.0.0' ? 'localhost' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`;
}
