/**
 * vitest globalSetup: a real Kubernetes API for the suite. Either the cluster given as
 * TARS_TEST_KUBECONFIG (its admin identity; the tars identity is derived as a ServiceAccount
 * bound to the shipped ClusterRole), or the project's own test cluster in .tars-test/cluster,
 * started here and stopped at teardown. Tests get both kubeconfigs through `inject` (see
 * test/support/cluster.ts) and the env vars TARS_ADMIN_KUBECONFIG / TARS_READONLY_KUBECONFIG.
 */
import { join, resolve } from 'node:path';

import type { TestProject } from 'vitest/node';

import {
  ensureNamespace,
  ensureServiceAccount,
  loadAdmin,
  writeServiceAccountKubeconfig,
} from './cluster/identities.js';
import { acquireTestCluster, applyTarsRbac, releaseTestCluster } from './cluster/test-cluster.js';

const TARS_NAMESPACE = 'tars-test';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = project.config.root;
  const external = process.env.TARS_TEST_KUBECONFIG;
  if (external) {
    const readonly = await deriveTarsIdentity(external, join(root, '.tars-test', 'external'));
    share(project, resolve(external), readonly);
    return async () => {};
  }
  const dir = join(root, '.tars-test', 'cluster');
  const log = (message: string): void => void process.stderr.write(`test-cluster: ${message}\n`);
  const cluster = await acquireTestCluster(dir, log);
  share(project, cluster.adminKubeconfig, cluster.tarsKubeconfig);
  return () => releaseTestCluster(dir, log);
}

function share(project: TestProject, admin: string, readonly: string): void {
  project.provide('adminKubeconfig', admin);
  project.provide('readonlyKubeconfig', readonly);
  process.env.TARS_ADMIN_KUBECONFIG = admin;
  process.env.TARS_READONLY_KUBECONFIG = readonly;
}

/** On a foreign cluster there is no token file to add a user to: a ServiceAccount it is. */
async function deriveTarsIdentity(adminKubeconfig: string, outDir: string): Promise<string> {
  const admin = loadAdmin(adminKubeconfig);
  await ensureNamespace(admin, TARS_NAMESPACE);
  await ensureServiceAccount(admin, TARS_NAMESPACE, 'tars');
  await applyTarsRbac(adminKubeconfig, {
    kind: 'ServiceAccount',
    name: 'tars',
    namespace: TARS_NAMESPACE,
  });
  const path = join(outDir, 'tars.kubeconfig');
  await writeServiceAccountKubeconfig(admin, TARS_NAMESPACE, 'tars', path);
  return path;
}
