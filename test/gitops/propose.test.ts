/**
 * `propose(model, tree, options)` end to end: a real git remote over HTTP with a token
 * (git http-backend) and the GitHub API (spec-validating fake) on the same host, as for a
 * GitHub Enterprise server. Re-runs are idempotent; new data updates the same branch and pull
 * request; a branch someone else touched is left alone with one explanatory comment.
 */
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SnapshotClusterSource } from '../../src/cluster/snapshot/index.js';
import { propose, type ProposeOptions } from '../../src/gitops/index.js';
import { readPlanHash } from '../../src/gitops/pr-body.js';
import { MODEL_API_VERSION, type Change, type DesiredState } from '../../src/model/types.js';
import { analyze } from '../../src/plan/analyze.js';
import { AUTO_MERGE_LABEL, proposePlan } from '../../src/plan/propose.js';
import { DEFAULT_POLICY } from '../../src/policy/defaults.js';
import type { Policy } from '../../src/policy/types.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http.js';
import { createRemote, TARS_AUTHOR, type RemoteFixture } from './git-fixtures.js';

const TOKEN = 'ghs_e2eToken0123456789abcdef';
const BRANCH = 'tars/prod-eu/rightsizing';

function change(cpu: string): Change {
  return {
    id: 'rightsizing/shop/cart',
    concern: 'rightsizing',
    action: 'patch',
    target: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'cart' },
    manifest: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cart', namespace: 'shop' },
      spec: {
        template: { spec: { containers: [{ name: 'app', resources: { requests: { cpu } } }] } },
      },
    },
    summary: `cpu request to ${cpu}`,
    evidence: { window: '14d', samples: 4032, percentile: 95, confidence: 'high' },
    risk: { score: 0.2, reasons: ['3 replicas'] },
  };
}

function model(cpu: string): DesiredState {
  return {
    apiVersion: MODEL_API_VERSION,
    kind: 'DesiredState',
    cluster: { name: 'prod-eu', source: 'live', apiGroups: [] },
    inputs: { objects: 3, skipped: [], usageHistory: { available: true } },
    workloads: [
      {
        ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'cart' },
        managedBy: { tool: 'argocd', name: 'shop' },
        replicas: 3,
        pods: [],
        containers: [
          { name: 'app', image: 'cart:1', init: false, requests: { cpu: '500m' }, limits: {} },
        ],
      },
    ],
    changes: [change(cpu)],
    findings: [],
    notes: [],
    rollout: { phase: 3, wave: 1 },
  };
}

function tree(cpu: string): ReadonlyMap<'rightsizing', ReadonlyMap<string, string>> {
  return new Map([
    [
      'rightsizing',
      new Map([
        ['kustomization.yaml', 'resources: [shop]\n'],
        ['shop/kustomization.yaml', 'patches: [{path: cart.yaml}]\n'],
        [
          'shop/cart.yaml',
          `spec: {template: {spec: {containers: [{name: app, resources: {requests: {cpu: ${cpu}}}}]}}}\n`,
        ],
      ]),
    ],
  ]);
}

let remote: RemoteFixture;
let git: GitHttpServer;
let github: FakeGitHub;

beforeEach(async () => {
  remote = createRemote({ 'README.md': '# platform\n' }, 'acme/platform.git');
  git = await startGitHttpServer({ projectRoot: remote.root, token: TOKEN });
  github = await startFakeGitHub({ owner: 'acme', repo: 'platform' });
});

afterEach(async () => {
  await git.close();
  await github.close();
  rmSync(remote.root, { recursive: true, force: true });
});

function options(extra: Partial<ProposeOptions> = {}): ProposeOptions {
  return {
    repoUrl: `${git.url}/acme/platform.git`,
    platform: 'github',
    apiUrl: github.url,
    author: TARS_AUTHOR,
    labels: ['tars'],
    env: { ...remote.env, GITHUB_TOKEN: TOKEN },
    monthlySavings: new Map([['rightsizing/shop/cart', 21.9]]),
    ...extra,
  };
}

describe('propose', () => {
  it('opens one pull request, changes nothing on a re-run, and updates branch and pull request on new data', async () => {
    const baseBefore = remote.sha('main');
    const [first] = await propose(model('200m'), tree('200m'), options());
    expect(first).toMatchObject({ concern: 'rightsizing', status: 'created', branch: BRANCH });
    expect(first?.pullRequest).toMatchObject({ platform: 'github', number: 1, created: true });
    const pull = github.pulls.get(1);
    expect(pull).toMatchObject({
      head: BRANCH,
      base: 'main',
      title: first?.title,
      labels: ['tars'],
    });
    expect(readPlanHash(pull?.body ?? '')).toBe(first?.planHash);
    expect(pull?.body).toContain(
      '| Deployment shop/cart | Argo CD application "shop"; the lasting change belongs in that application\'s source | cpu request to 200m | app: cpu request 500m → 200m |',
    );
    expect(pull?.body).toContain('21.90 USD');

    const callsBefore = github.calls.length;
    const [again] = await propose(model('200m'), tree('200m'), options());
    expect(again?.status).toBe('unchanged');
    expect(again?.commit).toBe(first?.commit);
    expect(again?.pullRequest).toMatchObject({ number: 1, created: false, updated: false });
    expect(github.calls.slice(callsBefore)).not.toContain('pulls/create');
    expect(github.calls.slice(callsBefore)).not.toContain('pulls/update');
    expect(github.pulls.size).toBe(1);

    const [updated] = await propose(model('150m'), tree('150m'), options());
    expect(updated?.status).toBe('updated');
    expect(updated?.pullRequest).toMatchObject({ number: 1, created: false, updated: true });
    expect(github.pulls.size).toBe(1);
    expect(readPlanHash(github.pulls.get(1)?.body ?? '')).toBe(updated?.planHash);
    expect(updated?.planHash).not.toBe(first?.planHash);
    expect(remote.log(`main..${BRANCH}`)).toHaveLength(1);
    expect(remote.sha('main')).toBe(baseBefore);
    expect(github.violations).toEqual([]);
    expect(github.authorizations.every((a) => a === `token ${TOKEN}`)).toBe(true);
  });

  it('leaves a branch someone else pushed to alone and says so once on the pull request', async () => {
    await propose(model('200m'), tree('200m'), options());
    const foreign = remote.pushCommit({
      branch: BRANCH,
      files: { 'generated/prod-eu/shop/cart.yaml': 'hand: edited\n' },
      author: { name: 'Dana', email: 'dana@example.test' },
    });
    const [skipped] = await propose(model('150m'), tree('150m'), options());
    expect(skipped?.status).toBe('skipped-foreign-commits');
    expect(skipped?.pullRequest?.number).toBe(1);
    await propose(model('150m'), tree('150m'), options());
    expect(remote.sha(BRANCH)).toBe(foreign);
    const comments = [...github.comments.values()].filter((c) => c.issue === 1);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('left it alone');
    expect(github.violations).toEqual([]);
  });

  it('with platform none pushes the branch and returns the text to print', async () => {
    const [result] = await propose(model('200m'), tree('200m'), options({ platform: 'none' }));
    expect(result?.status).toBe('created');
    expect(result?.pullRequest).toMatchObject({
      platform: 'none',
      number: null,
      title: result?.title,
      body: result?.body,
    });
    expect(result?.body).toContain('<!-- tars:plan-hash=');
    expect(github.calls).toEqual([]);
  });

  it('refuses an empty tree, which would empty the cluster folder', async () => {
    await expect(
      propose(model('200m'), new Map([['rightsizing', new Map()]]), options()),
    ).rejects.toThrow(/refusing to propose an empty tree/);
  });
});

describe('phase 4 auto-merge label', () => {
  const phase4 = (autoMergeRiskBelow: number): Policy => ({
    ...DEFAULT_POLICY,
    rollout: { phase: 4, waveSize: 3, autoMergeRiskBelow },
  });

  it('comes off an open wave that no longer qualifies, or is held, and back on when it does again', async () => {
    const snapshot = await SnapshotClusterSource.fromDirectory('examples/online-boutique').read();
    const run = async (policy: Policy, s = snapshot) => {
      const results = await proposePlan(analyze({ snapshot: s, policy }), policy, options());
      return results.find((r) => r.concern === 'takeover')!;
    };
    const labels = (number: number | null | undefined) => github.pulls.get(number ?? -1)?.labels;

    const wave1 = await run(phase4(1));
    expect(wave1.status).toBe('created');
    expect(labels(wave1.pullRequest?.number)).toContain(AUTO_MERGE_LABEL);
    // The threshold is lowered: the same wave, still open, must not auto-merge any more.
    const strict = await run(phase4(0.01));
    expect(strict.status).toBe('unchanged');
    expect(labels(strict.pullRequest?.number)).not.toContain(AUTO_MERGE_LABEL);
    expect(labels(strict.pullRequest?.number)).toContain('tars');
    expect((await run(phase4(1))).pullRequest?.number).toBe(wave1.pullRequest?.number);
    expect(labels(wave1.pullRequest?.number)).toContain(AUTO_MERGE_LABEL);

    // Wave 1 merges and wave 2 opens, labelled; then a wave-1 workload crash-loops: the next
    // wave is held, and its open pull request must not auto-merge meanwhile.
    const branch = 'tars/online-boutique/takeover';
    github.pulls.get(wave1.pullRequest!.number!)!.state = 'closed';
    remote.setRef('refs/heads/main', remote.sha(branch)!);
    const wave2 = await run(phase4(1));
    expect(wave2.status).toBe('updated');
    expect(labels(wave2.pullRequest?.number)).toContain(AUTO_MERGE_LABEL);
    const record = JSON.parse(
      remote.tree('main', 'generated/online-boutique').get('.tars/changes.json')!,
    ) as { changes: Change[] };
    const victim = record.changes.find((c) => c.target.kind === 'Deployment')!.target.name;
    const crashing = {
      ...snapshot,
      objects: snapshot.objects.map((o) => {
        if (o.kind !== 'Pod' || !o.metadata.name.startsWith(`${victim}-`)) return o;
        const pod = structuredClone(o);
        const statuses = (pod.status as { containerStatuses: Record<string, unknown>[] })
          .containerStatuses;
        statuses[0].state = { waiting: { reason: 'CrashLoopBackOff' } };
        return pod;
      }),
    };
    const held = await run(phase4(1), crashing);
    expect(held.status).toBe('held');
    expect(labels(wave2.pullRequest?.number)).not.toContain(AUTO_MERGE_LABEL);
    expect(github.violations).toEqual([]);
  });
});
