/**
 * ServiceAccount identities for tests: the only kind of identity that works the same on the
 * test cluster and on any cluster given as TARS_TEST_KUBECONFIG (tokens via TokenRequest).
 */
import { readFileSync } from 'node:fs';

import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';

import { writeTokenKubeconfig } from './kubeconfig.js';

export function loadAdmin(adminKubeconfig: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfig);
  return kc;
}

/** Creates the object unless it exists (409 is success here). */
export async function createIfMissing(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e) {
    if (!(e instanceof ApiException && e.code === 409)) throw e;
  }
}

/** Namespace plus its `default` ServiceAccount: no controller-manager runs here to create it. */
export async function ensureNamespace(admin: KubeConfig, name: string): Promise<void> {
  const core = admin.makeApiClient(CoreV1Api);
  await createIfMissing(() => core.createNamespace({ body: { metadata: { name } } }));
  await ensureServiceAccount(admin, name, 'default');
}

export async function ensureServiceAccount(
  admin: KubeConfig,
  namespace: string,
  name: string,
): Promise<void> {
  const core = admin.makeApiClient(CoreV1Api);
  await createIfMissing(() =>
    core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } }),
  );
}

/**
 * Writes a kubeconfig for `namespace/name` with a fresh bound token, pointing at the same server
 * and CA as the admin kubeconfig.
 */
export async function writeServiceAccountKubeconfig(
  admin: KubeConfig,
  namespace: string,
  name: string,
  path: string,
  expirationSeconds = 4 * 3600,
): Promise<void> {
  const core = admin.makeApiClient(CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
  const cluster = admin.getCurrentCluster();
  if (cluster === null) throw new Error('admin kubeconfig has no current cluster');
  writeTokenKubeconfig(path, {
    name: admin.getContextObject(admin.getCurrentContext())?.cluster ?? cluster.name,
    server: cluster.server,
    caPem: caPemOf(cluster),
    insecureSkipTlsVerify: cluster.skipTLSVerify,
    user: `${namespace}-${name}`,
    token,
  });
}

function caPemOf(cluster: { caData?: string; caFile?: string }): string | undefined {
  if (cluster.caData) return Buffer.from(cluster.caData, 'base64').toString('utf8');
  if (cluster.caFile) return readFileSync(cluster.caFile, 'utf8');
  return undefined;
}
