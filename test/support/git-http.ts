/**
 * A real git smart-HTTP server for tests: Node's http server runs Debian's `git http-backend`
 * as CGI over a directory of bare repositories, on 127.0.0.1 only. Every request must carry the
 * token, as `Authorization: Bearer <token>` or Basic auth whose password is the token; others get
 * 401. `onReceivePackAdvertisement` runs once per push, just before the server tells the client
 * where the refs are, so a test can move a branch between TARS's fetch and push.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';

export interface GitHttpRequestRecord {
  readonly method: string;
  /** Path and query exactly as received (so tests can check no token sits in the URL). */
  readonly url: string;
  readonly authorization: string | undefined;
  readonly status: number;
}

export interface GitHttpServerOptions {
  /** Folder holding `<name>.git` bare repositories. */
  readonly projectRoot: string;
  readonly token: string;
  onReceivePackAdvertisement?: () => Promise<void> | void;
}

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: GitHttpRequestRecord[];
  setReceivePackHook(hook: (() => Promise<void> | void) | undefined): void;
  close(): Promise<void>;
}

function authorized(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  const [scheme, value] = header.split(/\s+/, 2);
  if (scheme === undefined || value === undefined) return false;
  if (scheme.toLowerCase() === 'bearer') return value === token;
  if (scheme.toLowerCase() !== 'basic') return false;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && decoded.slice(colon + 1) === token;
}

/** Splits CGI output into its header block and body, and answers the client. */
function relayCgi(output: Buffer, res: ServerResponse): void {
  let split = output.indexOf('\r\n\r\n');
  let sepLength = 4;
  if (split < 0) {
    split = output.indexOf('\n\n');
    sepLength = 2;
  }
  if (split < 0) {
    res.writeHead(502).end('malformed CGI response');
    return;
  }
  const head = output.subarray(0, split).toString('latin1');
  const body = output.subarray(split + sepLength);
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else headers[name] = value;
  }
  res.writeHead(status, headers).end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function runBackend(
  req: IncomingMessage,
  res: ServerResponse,
  options: GitHttpServerOptions,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const body = await readBody(req);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: options.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    // http-backend only accepts pushes from an authenticated user.
    REMOTE_USER: 'tars-test',
    REMOTE_ADDR: '127.0.0.1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    CONTENT_LENGTH: String(body.length),
    GIT_PROTOCOL:
      typeof req.headers['git-protocol'] === 'string' ? req.headers['git-protocol'] : '',
    HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: options.projectRoot,
  };
  const child = spawn(HTTP_BACKEND, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.resume();
  // The backend may answer (404, 403) without reading the request body.
  child.stdin.on('error', () => undefined);
  child.stdin.end(body);
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  relayCgi(Buffer.concat(out), res);
}

export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const requests: GitHttpRequestRecord[] = [];
  let hook = options.onReceivePackAdvertisement;
  const server: Server = createServer((req, res) => {
    const record = (status: number): void => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        status,
      });
    };
    if (!authorized(req.headers.authorization, options.token)) {
      record(401);
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="tars-test"' }).end('token required\n');
      return;
    }
    record(200);
    const isPushAdvertisement =
      req.method === 'GET' && (req.url ?? '').includes('/info/refs?service=git-receive-pack');
    const run = async (): Promise<void> => {
      if (isPushAdvertisement && hook !== undefined) {
        const once = hook;
        hook = undefined;
        await once();
      }
      await runBackend(req, res, options);
    };
    run().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setReceivePackHook(next) {
      hook = next;
    },
    close: () => {
      // Idempotent: a test may stop the server early to make a push fail.
      closing ??= new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      });
      return closing;
    },
  };
}
