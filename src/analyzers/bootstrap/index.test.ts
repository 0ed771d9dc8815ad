import { describe, expect, it } from 'vitest';
import { hpa, snapshotOf } from '../../../test/support/objects.js';
import type { ClusterSnapshot } from '../../cluster/types.js';
import { DEFAULT_POLICY } from '../../policy/defaults.js';
import type { Policy } from '../../policy/types.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy } from '../../policy/load.js';
import { objectNameFor, planBootstrap } from './index.js';

function loadPolicyText(text: string): Policy {
  const dir = mkdtempSync(join(tmpdir(), 'tars-policy-'));
  writeFileSync(join(dir, 'policy.yaml'), text);
  return loadPolicy(dir);
}

const hpaOfWeb = hpa({ namespace: 'shop', deployment: 'web', minReplicas: 2, maxReplicas: 5 });

function snapshot(apiGroups: string[]): ClusterSnapshot {
  return snapshotOf([hpaOfWeb], { clusterName: 'prod', apiGroups });
}

function run(apiGroups: string[], bootstrap: Partial<Policy['bootstrap']>) {
  const policy = { ...DEFAULT_POLICY, bootstrap: { ...DEFAULT_POLICY.bootstrap, ...bootstrap } };
  return planBootstrap({ snapshot: snapshot(apiGroups), policy, workloads: [] }, policy.bootstrap);
}

const kinds = (out: ReturnType<typeof run>) =>
  (out.changes ?? []).map((c) => `${c.target.kind}/${c.target.name}`);

describe('bootstrap', () => {
  it('installs TARS read-only, with the token Secret referenced and never created', () => {
    const out = run([], {});
    expect(kinds(out)).toEqual([
      'Namespace/tars',
      'ServiceAccount/tars',
      'ClusterRole/tars-readonly',
      'ClusterRoleBinding/tars-readonly',
      'ConfigMap/tars-policy',
      'CronJob/tars',
    ]);
    const role = out.changes!.find((c) => c.target.kind === 'ClusterRole')!.manifest as unknown as {
      rules: { resources: string[]; verbs: string[] }[];
    };
    for (const rule of role.rules) {
      expect(rule.verbs).toEqual(['get', 'list', 'watch']);
      expect(rule.resources).not.toContain('secrets');
    }
    const cron = JSON.stringify(out.changes!.find((c) => c.target.kind === 'CronJob')!.manifest);
    expect(cron).toContain('"secretKeyRef":{"name":"tars-git","key":"token"}');
    expect(cron).toContain('"args":["run","--once","--policies","/etc/tars/policies"');
    expect(JSON.stringify(out.changes)).not.toMatch(/"kind":"Secret"/);
    // The in-cluster run gets this plan's policy, with the cluster name pinned.
    const policyFile = (
      out.changes!.find((c) => c.target.name === 'tars-policy')!.manifest as unknown as {
        data: Record<string, string>;
      }
    ).data['policy.yaml'];
    expect(loadPolicyText(policyFile).cluster.name).toBe('prod');
    expect(out.findings!.map((f) => f.check)).toEqual(['bootstrap.no-repository']);
  });

  it('points an Argo CD Application at the tree, ignoring replicas of HPA-scaled workloads', () => {
    const out = run(['argoproj.io'], { repoURL: 'https://git.example/platform.git' });
    expect(kinds(out)).toContain('Application/tars-prod');
    const app = out.changes!.find((c) => c.target.name === 'tars-prod')!.manifest as unknown as {
      spec: Record<string, unknown>;
    };
    expect(app.spec).toMatchObject({
      source: {
        repoURL: 'https://git.example/platform.git',
        path: 'generated/prod',
        targetRevision: 'main',
      },
      syncPolicy: { syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'] },
      ignoreDifferences: [
        {
          group: 'apps',
          kind: 'Deployment',
          namespace: 'shop',
          name: 'web',
          jsonPointers: ['/spec/replicas'],
        },
      ],
    });
    expect(out.findings).toEqual([]);
  });

  it('names everything after the cluster folder when the context is an EKS ARN', () => {
    const arn = 'arn:aws:eks:eu-west-1:123456789012:cluster/Prod_East';
    const policy = {
      ...DEFAULT_POLICY,
      bootstrap: { ...DEFAULT_POLICY.bootstrap, repoURL: 'https://git.example/platform.git' },
    };
    const input = {
      snapshot: snapshotOf([hpaOfWeb], { clusterName: arn, apiGroups: ['argoproj.io'] }),
      policy,
      workloads: [],
    };
    const out = planBootstrap(input, policy.bootstrap);
    const folder = 'arn-aws-eks-eu-west-1-123456789012-cluster-Prod_East';
    // The in-cluster run's policy passes `tars validate`, and plans into the same folder.
    const policyFile = (
      out.changes!.find((c) => c.target.name === 'tars-policy')!.manifest as unknown as {
        data: Record<string, string>;
      }
    ).data['policy.yaml'];
    expect(loadPolicyText(policyFile).cluster.name).toBe(folder);
    const apps = out.changes!.filter((c) => c.target.kind === 'Application');
    const paths = apps.map((a) => (a.manifest.spec as { source: { path: string } }).source.path);
    expect(paths.sort()).toEqual([`generated/${folder}`, `generated/${folder}/bootstrap`]);
    // Object names: DNS labels of at most 63 characters, a hash keeping the cut one unique.
    for (const a of apps) {
      expect(a.target.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(a.target.name.length).toBeLessThanOrEqual(63);
    }
    expect(objectNameFor(folder)).toMatch(/^tars-arn-aws-eks-eu-west-1-[-a-z0-9]*-[0-9a-f]{8}$/);
    expect(objectNameFor(`${folder}2`)).not.toBe(objectNameFor(folder));
    expect(objectNameFor('prod')).toBe('tars-prod');
  });

  it('emits Flux objects with the workloads depending on the bootstrap', () => {
    const out = run(['source.toolkit.fluxcd.io', 'kustomize.toolkit.fluxcd.io'], {
      gitops: 'flux',
      repoURL: 'ssh://git@git.example/platform.git',
    });
    expect(kinds(out)).toEqual(
      expect.arrayContaining([
        'GitRepository/tars-prod',
        'Kustomization/tars-prod-bootstrap',
        'Kustomization/tars-prod',
      ]),
    );
    const tree = out.changes!.find(
      (c) => c.target.kind === 'Kustomization' && c.target.name === 'tars-prod',
    )!.manifest as unknown as { spec: Record<string, unknown> };
    expect(tree.spec).toMatchObject({
      path: './generated/prod',
      prune: true,
      interval: '10m',
      dependsOn: [{ name: 'tars-prod-bootstrap' }],
    });
  });

  it('emits no CRD kind the cluster does not serve, and says so', () => {
    const argo = run([], { repoURL: 'https://git.example/p.git' });
    expect(kinds(argo).some((k) => k.startsWith('Application/'))).toBe(false);
    expect(argo.findings!.map((f) => f.check)).toEqual(['bootstrap.argocd-missing']);
    const flux = run(['source.toolkit.fluxcd.io'], {
      gitops: 'flux',
      repoURL: 'https://git.example/p.git',
    });
    expect(flux.findings!.map((f) => f.check)).toEqual(['bootstrap.flux-missing']);
  });

  it('refuses objects the published CRD schemas reject', () => {
    expect(() =>
      run(['source.toolkit.fluxcd.io', 'kustomize.toolkit.fluxcd.io'], {
        gitops: 'flux',
        repoURL: 'https://x/p.git',
        interval: 'often',
      }),
    ).toThrow();
  });
});
