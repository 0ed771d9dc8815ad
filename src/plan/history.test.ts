import { describe, expect, it } from 'vitest';
import { deployment, snapshotOf } from '../../test/support/objects.js';
import { DEFAULT_POLICY } from '../policy/defaults.js';
import type { Policy } from '../policy/types.js';
import { namespacesToQuery, readHistory } from './history.js';

const policy = (namespaces: Partial<Policy['namespaces']>): Policy => ({
  ...DEFAULT_POLICY,
  namespaces: { ...DEFAULT_POLICY.namespaces, ...namespaces },
});

// No Namespace objects: an identity that may not list them still sees what is in them.
const snapshot = snapshotOf(
  [
    deployment({ name: 'web', namespace: 'shop', replicas: 1, containers: [] }),
    deployment({ name: 'agent', namespace: 'kube-system', replicas: 1, containers: [] }),
  ],
  { clusterName: 't' },
);

describe('namespacesToQuery', () => {
  it('takes the namespaces of the objects when there are no Namespace objects', () => {
    expect(namespacesToQuery(snapshot, policy({ include: [], exclude: [] }))).toEqual([
      'kube-system',
      'shop',
    ]);
    expect(namespacesToQuery(snapshot, policy({ include: [], exclude: ['kube-system'] }))).toEqual([
      'shop',
    ]);
  });

  it('reads no history, rather than the whole cluster, when the policy selects nothing', async () => {
    const none = policy({ include: ['elsewhere'], exclude: [] });
    // An address nothing listens on: reading it would fail the plan's history.
    const outcome = await readHistory(
      { prometheus: 'http://127.0.0.1:9', historySeconds: 3600 },
      snapshot,
      none,
      () => {},
    );
    expect(outcome.history).toBeUndefined();
    expect(outcome.unreachable).toEqual([]);
    expect(outcome.notes).toEqual([
      'No usage history read: the policy selects no namespace of this cluster.',
    ]);
  });
});
