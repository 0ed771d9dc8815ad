/**
 * The identity TARS ships for itself is read-only: asked of the real API server's authorizer
 * (SelfSubjectAccessReview with the tars identity) and tried for real where it matters.
 */
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';

import { READ_KINDS } from '../../src/cluster/kinds.js';
import type { AccessQuestion } from '../support/cluster.js';
import {
  canI,
  createObjects,
  createTestNamespace,
  kubeConfigFrom,
  testKubeconfigs,
} from '../support/cluster.js';

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

/** Each question with the authorizer's answer, asked in parallel; a failure names the question. */
async function answers(
  questions: AccessQuestion[],
  ask: (q: AccessQuestion) => Promise<boolean>,
): Promise<(AccessQuestion & { allowed: boolean })[]> {
  return Promise.all(questions.map(async (q) => ({ ...q, allowed: await ask(q) })));
}

describe('the tars identity', () => {
  let ns: string;
  let tars: string;

  beforeAll(async () => {
    tars = testKubeconfigs().readonly;
    ns = await createTestNamespace('rbac');
    await createObjects([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db-password', namespace: ns },
        stringData: { password: 'hunter2' },
      },
    ]);
  });

  const ask = (q: AccessQuestion): Promise<boolean> => canI(tars, { namespace: ns, ...q });

  it('may get, list and watch every kind TARS reads', async () => {
    const questions = READ_KINDS.flatMap((info) =>
      ['get', 'list', 'watch'].map((verb) => ({
        verb,
        resource: info.plural,
        group: info.group,
        namespace: info.namespaced ? ns : undefined,
      })),
    );
    expect(await answers(questions, (q) => canI(tars, q))).toEqual(
      questions.map((q) => ({ ...q, allowed: true })),
    );
  });

  it('may not create, update or delete anything', async () => {
    const resources: AccessQuestion[] = [
      ...READ_KINDS.map((i) => ({ verb: '', resource: i.plural, group: i.group })),
      { verb: '', resource: 'secrets' },
      { verb: '', resource: 'customresourcedefinitions', group: 'apiextensions.k8s.io' },
      { verb: '', resource: 'applications', group: 'argoproj.io' },
    ];
    const questions = resources.flatMap((r) => WRITE_VERBS.map((verb) => ({ ...r, verb })));
    expect(await answers(questions, ask)).toEqual(questions.map((q) => ({ ...q, allowed: false })));
  });

  it('may not read Secrets, exec into pods, escalate, bind or impersonate', async () => {
    const forbidden: AccessQuestion[] = [
      { verb: 'get', resource: 'secrets' },
      { verb: 'list', resource: 'secrets' },
      { verb: 'watch', resource: 'secrets' },
      { verb: 'list', resource: 'secrets', namespace: '' },
      { verb: 'create', resource: 'pods', subresource: 'exec' },
      { verb: 'get', resource: 'pods', subresource: 'exec' },
      { verb: 'create', resource: 'pods', subresource: 'attach' },
      { verb: 'create', resource: 'pods', subresource: 'portforward' },
      { verb: 'create', resource: 'serviceaccounts', subresource: 'token' },
      { verb: 'get', resource: 'nodes', subresource: 'proxy', namespace: '' },
      { verb: 'escalate', resource: 'clusterroles', group: 'rbac.authorization.k8s.io' },
      { verb: 'bind', resource: 'clusterroles', group: 'rbac.authorization.k8s.io' },
      { verb: 'impersonate', resource: 'users', namespace: '' },
      { verb: 'impersonate', resource: 'serviceaccounts' },
    ];
    expect(await answers(forbidden, ask)).toEqual(forbidden.map((q) => ({ ...q, allowed: false })));
  });

  it('is refused by the server when it tries to write or read a Secret', async () => {
    const core = kubeConfigFrom(tars).makeApiClient(CoreV1Api);
    const status = (e: unknown): number | undefined =>
      e instanceof ApiException ? e.code : undefined;
    const attempts = [
      () => core.readNamespacedSecret({ name: 'db-password', namespace: ns }),
      () => core.listSecretForAllNamespaces(),
      () =>
        core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'sneaky' } } }),
      () => core.deleteNamespacedServiceAccount({ name: 'default', namespace: ns }),
      () =>
        core.patchNamespace({
          name: ns,
          body: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }],
        }),
    ];
    for (const attempt of attempts) {
      expect(status(await attempt().catch((e: unknown) => e))).toBe(403);
    }
  });
});
