import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { stringify } from 'yaml';

/** Where a token kubeconfig points and how it trusts the server. */
export interface TokenKubeconfig {
  readonly name: string;
  readonly server: string;
  /** PEM of the CA, embedded as certificate-authority-data. */
  readonly caPem?: string;
  readonly insecureSkipTlsVerify?: boolean;
  readonly user: string;
  readonly token: string;
}

/** Writes a one-context kubeconfig with a bearer token, readable only by its owner. */
export function writeTokenKubeconfig(path: string, config: TokenKubeconfig): void {
  const cluster: Record<string, unknown> = { server: config.server };
  if (config.caPem !== undefined) {
    cluster['certificate-authority-data'] = Buffer.from(config.caPem).toString('base64');
  }
  if (config.insecureSkipTlsVerify) cluster['insecure-skip-tls-verify'] = true;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: config.name, cluster }],
    users: [{ name: config.user, user: { token: config.token } }],
    contexts: [{ name: config.name, context: { cluster: config.name, user: config.user } }],
    'current-context': config.name,
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, stringify(doc), { mode: 0o600 });
}
