/**
 * Helpers for tests against the real API server that test/global-setup.ts provides.
 * Remember: no controller-manager and no kubelet run there. Deployments get no ReplicaSets or
 * Pods, namespaces get no `default` ServiceAccount, deleted namespaces stay Terminating,
 * unless a test does that work itself.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  AuthorizationV1Api,
  KubeConfig,
  KubernetesObjectApi,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { inject } from 'vitest';

import {
  createIfMissing,
  ensureNamespace,
  ensureServiceAccount,
  writeServiceAccountKubeconfig,
} from '../cluster/identities.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Kubeconfig with cluster-admin rights (system:masters), for arranging test data. */
    adminKubeconfig: string;
    /** Kubeconfig of the identity bound to the ClusterRole TARS ships (src/bootstrap/rbac.ts). */
    readonlyKubeconfig: string;
  }
}

export interface TestKubeconfigs {
  readonly admin: string;
  readonly readonly: string;
}

export function testKubeconfigs(): TestKubeconfigs {
  return { admin: inject('adminKubeconfig'), readonly: inject('readonlyKubeconfig') };
}

export function kubeConfigFrom(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

export function adminKubeConfig(): KubeConfig {
  return kubeConfigFrom(testKubeconfigs().admin);
}

/** `prefix-<random>`: tests share one API server, so every test works in its own names. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A fresh namespace with its `default` ServiceAccount (nothing else would create it here). */
export async function createTestNamespace(prefix = 'test'): Promise<string> {
  const name = uniqueName(prefix);
  await ensureNamespace(adminKubeConfig(), name);
  return name;
}

/** Creates each object with the admin identity, in order (namespaces before their contents). */
export async function createObjects(
  objects: (KubernetesObject & Record<string, unknown>)[],
): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(adminKubeConfig());
  for (const object of objects) await api.create(object);
}

const IDENTITY_NAMESPACE = 'tars-test-identities';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/**
 * A ServiceAccount bound to a ClusterRole with exactly `rules`, and a kubeconfig for it in a
 * temporary file. For tests of what TARS does with less than its shipped permissions.
 */
export async function restrictedIdentity(prefix: string, rules: PolicyRule[]): Promise<string> {
  const admin = adminKubeConfig();
  const name = uniqueName(prefix);
  await ensureNamespace(admin, IDENTITY_NAMESPACE);
  await ensureServiceAccount(admin, IDENTITY_NAMESPACE, name);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await createIfMissing(() => rbac.createClusterRole({ body: { metadata: { name }, rules } }));
  await createIfMissing(() =>
    rbac.createClusterRoleBinding({
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: IDENTITY_NAMESPACE }],
      },
    }),
  );
  const path = join(mkdtempSync(join(tmpdir(), 'tars-identity-')), 'kubeconfig');
  await writeServiceAccountKubeconfig(admin, IDENTITY_NAMESPACE, name, path, 3600);
  return path;
}

export interface AccessQuestion {
  verb: string;
  resource: string;
  group?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** `kubectl auth can-i` for the identity of `kubeconfig`, via SelfSubjectAccessReview. */
export async function canI(kubeconfig: string, question: AccessQuestion): Promise<boolean> {
  const api = kubeConfigFrom(kubeconfig).makeApiClient(AuthorizationV1Api);
  const review = await api.createSelfSubjectAccessReview({
    body: {
      spec: {
        resourceAttributes: {
          verb: question.verb,
          resource: question.resource,
          group: question.group ?? '',
          subresource: question.subresource,
          namespace: question.namespace,
          name: question.name,
        },
      },
    },
  });
  return review.status?.allowed === true;
}
