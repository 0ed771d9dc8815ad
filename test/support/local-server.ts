/**
 * A throw-away HTTP server on 127.0.0.1 for the fake platforms: any error a handler throws is
 * recorded as a violation (so the test fails on it) and answered with 500.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function listenLocal(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  violations: string[],
): Promise<LocalServer> {
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      violations.push(`fake failed: ${String(e)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
