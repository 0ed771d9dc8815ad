/**
 * The next wave waits until the previous one is seen healthy, and a wave TARS cannot see does
 * not count as healthy: `tars propose` against the real API server, run as an identity whose
 * RBAC does not let it list pods, holds the next wave and says which kind it could not list and
 * why. The same run as the shipped identity, which may list pods, lets the wave go: the hold
 * was the blindness, not the workloads.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { tarsClusterRoleRules } from '../../src/bootstrap/rbac.js';
import { tars } from '../cli/run-tars.js';
import { createRemote } from '../gitops/git-fixtures.js';
import { createTestNamespace, restrictedIdentity, testKubeconfigs } from '../support/cluster.js';
import { create, kubectl } from '../takeover/live-support.js';

interface ProposeResult {
  concern: string;
  branch: string;
  status: string;
  message: string;
}

interface AppliedChanges {
  changes: { target: { kind: string; name: string }; workload?: { kind: string; name: string } }[];
}

/** Rollout phase 3, one workload a wave, only `namespace` (the API server is shared). */
function policies(namespace: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tars-policies-'));
  const policy = {
    apiVersion: 'tars.dev/v1alpha1',
    kind: 'Policy',
    metadata: { name: 'test' },
    spec: { namespaces: { include: [namespace] }, rollout: { phase: 3, waveSize: 1 } },
  };
  writeFileSync(join(dir, 'policy.yaml'), stringify(policy));
  return dir;
}

/** A Deployment rolled out and available, as its controller (absent here) would report it. */
function createRolledOut(namespace: string, name: string): void {
  const labels = { app: name };
  create([
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'registry.k8s.io/pause:3.10',
                resources: { requests: { cpu: '10m', memory: '16Mi' } },
              },
            ],
          },
        },
      },
    },
  ]);
  const status = {
    observedGeneration: 1,
    replicas: 1,
    updatedReplicas: 1,
    readyReplicas: 1,
    availableReplicas: 1,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
    ],
  };
  kubectl([
    'patch',
    '-n',
    namespace,
    `deployment/${name}`,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status }),
  ]);
}

describe('tars propose when it cannot see the previous wave', () => {
  it('holds the next wave while its identity may not list pods, naming the kind and why', async () => {
    const ns = await createTestNamespace('hold-unseen');
    for (const name of ['cart', 'web']) createRolledOut(ns, name);
    const withoutPods = tarsClusterRoleRules().map((rule) => ({
      ...rule,
      resources: rule.apiGroups.includes('')
        ? rule.resources.filter((r) => r !== 'pods')
        : rule.resources,
    }));
    const noPods = await restrictedIdentity('no-pods', withoutPods);
    const shipped = testKubeconfigs().readonly;
    const remote = createRemote();
    const policyDir = policies(ns);

    const propose = (kubeconfig: string): ProposeResult => {
      const run = tars(
        [
          'propose',
          '--kubeconfig',
          kubeconfig,
          '--repo',
          remote.bare,
          '--policies',
          policyDir,
          '--output',
          'json',
          '--quiet',
        ],
        remote.env as Record<string, string>,
      );
      expect(run.code, run.stderr).toBe(0);
      const results = JSON.parse(run.stdout) as ProposeResult[];
      return results.find((r) => r.concern === 'takeover')!;
    };

    // Wave 1 (one Deployment) is proposed and merged (a fast-forward by the server).
    const first = propose(shipped);
    expect(first.status).toBe('created');
    const wave1 = JSON.parse(
      [...remote.tree(first.branch, 'generated').entries()].find(([path]) =>
        path.endsWith('.tars/changes.json'),
      )![1],
    ) as AppliedChanges;
    const merged = [
      ...new Set(
        wave1.changes
          .map((c) => c.workload ?? c.target)
          .filter((ref) => ref.kind === 'Deployment')
          .map((ref) => ref.name),
      ),
    ];
    expect(merged).toHaveLength(1);
    remote.setRef('refs/heads/main', remote.sha(first.branch)!);
    const mergedAt = remote.sha(first.branch);

    // Without pods, its health cannot be told: held, and the message says what to grant.
    const held = propose(noPods);
    expect(held.status).toBe('held');
    expect(held.message).toContain(
      `cannot see the pods of apps/Deployment ${ns}/${merged[0]}: may not list pods: pods is forbidden`,
    );
    expect(held.message).toMatch(/cannot list resource "pods"/);
    expect(remote.sha(first.branch)).toBe(mergedAt);

    // Seen with the pods (none are stuck: no kubelet runs here), the next wave goes.
    expect(propose(shipped).status).toBe('updated');
  });
});
