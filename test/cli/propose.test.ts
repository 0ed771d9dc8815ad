// `tars propose` end to end on a real bare repository: phases, waves of at most waveSize
// workloads (lowest risk first), idempotent re-runs, and the next wave only after a merge.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createRemote } from '../gitops/git-fixtures.js';
import { tars } from './run-tars.js';

const EXAMPLE = 'examples/online-boutique';
const CLUSTER = 'online-boutique';

function policies(rollout: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tars-policies-'));
  writeFileSync(
    join(dir, 'policy.yaml'),
    `apiVersion: tars.dev/v1alpha1\nkind: Policy\nmetadata:\n  name: test\nspec:\n  rollout:\n${rollout}`,
  );
  return dir;
}

function propose(repo: string, policyDir: string, env: NodeJS.ProcessEnv, snapshot = EXAMPLE) {
  const run = tars(
    [
      'propose',
      '--snapshot',
      snapshot,
      '--repo',
      repo,
      '--policies',
      policyDir,
      '--output',
      'json',
      '--quiet',
    ],
    env as Record<string, string>,
  );
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as {
    concern: string;
    status: string;
    branch: string;
    message: string;
  }[];
}

interface AppliedChanges {
  changes: {
    id: string;
    concern: string;
    workload?: { name: string };
    target: { kind: string; name: string };
  }[];
}

function workloadsIn(applied: AppliedChanges, concern: string): string[] {
  const names = applied.changes
    .filter((c) => c.concern === concern)
    .map((c) => c.workload?.name ?? c.target.name);
  return [...new Set(names)].sort();
}

describe('tars propose', () => {
  it('phase 3: waves of at most waveSize workloads, the next one only after a merge', () => {
    const remote = createRemote();
    const policy = policies('    phase: 3\n    waveSize: 3\n');
    const baseBefore = remote.sha('main');

    const first = propose(remote.bare, policy, remote.env);
    const byConcern = new Map(first.map((r) => [r.concern, r]));
    expect(byConcern.get('bootstrap')?.status).toBe('created');
    expect(byConcern.get('takeover')).toMatchObject({
      status: 'created',
      branch: `tars/${CLUSTER}/takeover`,
    });
    expect(remote.sha('main')).toBe(baseBefore);

    const branch = `tars/${CLUSTER}/takeover`;
    const wave1 = JSON.parse(
      remote.tree(branch, `generated/${CLUSTER}`).get('.tars/changes.json')!,
    ) as AppliedChanges;
    const firstWave = workloadsIn(wave1, 'takeover');
    expect(firstWave).toHaveLength(3);
    expect(remote.tree(branch, `generated/${CLUSTER}`).has('kustomization.yaml')).toBe(true);

    // Nothing new: nothing pushed.
    const commitBefore = remote.sha(branch);
    const again = propose(remote.bare, policy, remote.env);
    expect(again.every((r) => r.status === 'unchanged')).toBe(true);
    expect(remote.sha(branch)).toBe(commitBefore);

    // The wave merges (fast-forward by the server); the next run proposes three more.
    remote.setRef('refs/heads/main', remote.sha(branch)!);
    const next = propose(remote.bare, policy, remote.env);
    expect(next.find((r) => r.concern === 'takeover')?.status).toBe('updated');
    const wave2 = JSON.parse(
      remote.tree(branch, `generated/${CLUSTER}`).get('.tars/changes.json')!,
    ) as AppliedChanges;
    const both = workloadsIn(wave2, 'takeover');
    expect(both).toHaveLength(6);
    for (const name of firstWave) expect(both).toContain(name);
    // Only the new wave differs from base.
    expect(remote.log(`main..${branch}`)).toHaveLength(1);
  });

  it('phase 3: a merged wave whose workload crash-loops holds the next one, which goes once it runs', () => {
    const remote = createRemote();
    const policy = policies('    phase: 3\n    waveSize: 3\n');
    // The example's objects (not its usage history: takeover needs none), to break a pod in.
    const snapshot = mkdtempSync(join(tmpdir(), 'tars-snapshot-'));
    cpSync(EXAMPLE, snapshot, { recursive: true, filter: (src) => !src.includes('history') });

    propose(remote.bare, policy, remote.env, snapshot);
    const branch = `tars/${CLUSTER}/takeover`;
    const wave1 = JSON.parse(
      remote.tree(branch, `generated/${CLUSTER}`).get('.tars/changes.json')!,
    ) as AppliedChanges;
    remote.setRef('refs/heads/main', remote.sha(branch)!);
    const mergedAt = remote.sha(branch);

    const victim = workloadsIn(wave1, 'takeover')[0];
    const podsFile = join(snapshot, 'pods.yaml');
    const original = readFileSync(podsFile, 'utf8');
    type PodList = {
      items: {
        metadata: { name: string };
        status: { containerStatuses: Record<string, unknown>[] };
      }[];
    };
    const pods = parse(original) as PodList;
    const pod = pods.items.find((p) => p.metadata.name.startsWith(`${victim}-`))!;
    pod.status.containerStatuses[0].state = { waiting: { reason: 'CrashLoopBackOff' } };
    writeFileSync(podsFile, stringify(pods));

    const held = propose(remote.bare, policy, remote.env, snapshot);
    const takeover = held.find((r) => r.concern === 'takeover')!;
    expect(takeover.status).toBe('held');
    expect(takeover.message).toMatch(
      new RegExp(
        `boutique/${victim} is unhealthy: pod ${victim}-\\S+ container \\S+: CrashLoopBackOff`,
      ),
    );
    expect(remote.sha(branch)).toBe(mergedAt);
    // The table, even with --quiet, says why: a hold is an answer, not progress.
    const table = tars(
      ['propose', '--snapshot', snapshot, '--repo', remote.bare, '--policies', policy, '--quiet'],
      remote.env as Record<string, string>,
    );
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/takeover\s+held\s+tars\/online-boutique\/takeover/);
    expect(table.stdout).toContain(`takeover: ${takeover.message}`);

    // The pod runs again: wave 2 goes out.
    writeFileSync(podsFile, original);
    const next = propose(remote.bare, policy, remote.env, snapshot);
    expect(next.find((r) => r.concern === 'takeover')?.status).toBe('updated');
  });

  it('a cluster named like an EKS ARN gets the folder `tars plan` writes, and a branch of it', () => {
    const remote = createRemote();
    const snapshot = mkdtempSync(join(tmpdir(), 'tars-snapshot-'));
    cpSync(EXAMPLE, snapshot, { recursive: true, filter: (src) => !src.includes('history') });
    const arn = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod';
    writeFileSync(
      join(snapshot, 'cluster.yaml'),
      `apiVersion: tars.dev/v1alpha1\nkind: ClusterInfo\nname: "${arn}"\napiGroups: []\nskipped: []\n`,
    );
    const folder = 'arn-aws-eks-eu-west-1-123456789012-cluster-prod';
    const results = propose(
      remote.bare,
      policies('    phase: 3\n    waveSize: 3\n'),
      remote.env,
      snapshot,
    );
    expect(results.find((r) => r.concern === 'takeover')).toMatchObject({
      status: 'created',
      branch: `tars/${folder}/takeover`,
    });
    const tree = remote.tree(`tars/${folder}/takeover`, 'generated');
    expect(tree.has(`${folder}/.tars/changes.json`)).toBe(true);
    expect(tree.has(`${folder}/kustomization.yaml`)).toBe(true);
    // Wave 1 merges; the next run reads the record back from the same folder: wave 2.
    remote.setRef('refs/heads/main', remote.sha(`tars/${folder}/takeover`)!);
    const again = propose(
      remote.bare,
      policies('    phase: 3\n    waveSize: 3\n'),
      remote.env,
      snapshot,
    );
    expect(again.find((r) => r.concern === 'takeover')?.status).toBe('updated');
    const record = JSON.parse(
      remote.tree(`tars/${folder}/takeover`, `generated/${folder}`).get('.tars/changes.json')!,
    ) as { waves: Record<string, number> };
    expect(new Set(Object.values(record.waves))).toEqual(new Set([1, 2]));
  });

  it('phase 1 proposes only the bootstrap; phase 2 proposes nothing', () => {
    const remote = createRemote();
    const phase1 = propose(remote.bare, policies('    phase: 1\n'), remote.env);
    expect(phase1.map((r) => r.concern)).toEqual(['bootstrap']);
    const tree = remote.tree(`tars/${CLUSTER}/bootstrap`, `generated/${CLUSTER}/bootstrap`);
    expect([...tree.keys()]).toContain('cronjob-tars.yaml');

    const fresh = createRemote();
    expect(propose(fresh.bare, policies('    phase: 2\n'), fresh.env)).toEqual([]);
    expect(fresh.sha(`tars/${CLUSTER}/bootstrap`)).toBeUndefined();
  });

  it('prints the pull-request title and body when there is no platform', () => {
    const remote = createRemote();
    const run = tars(
      [
        'propose',
        '--snapshot',
        EXAMPLE,
        '--repo',
        remote.bare,
        '--policies',
        policies('    phase: 1\n'),
        '--quiet',
      ],
      remote.env as Record<string, string>,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/bootstrap\s+created\s+tars\/online-boutique\/bootstrap/);
    expect(run.stdout).toMatch(/^# .+/m);
    expect(run.stdout).toContain('<!-- tars:plan-hash=');
  });

  it('run --once is one propose pass (what the bootstrap CronJob runs)', () => {
    const remote = createRemote();
    const run = tars(
      [
        'run',
        '--once',
        '--snapshot',
        EXAMPLE,
        '--repo',
        remote.bare,
        '--policies',
        policies('    phase: 1\n'),
        '--output',
        'json',
        '--quiet',
      ],
      remote.env as Record<string, string>,
    );
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { status: string }[]).map((r) => r.status)).toEqual([
      'created',
    ]);
    expect(remote.sha(`tars/${CLUSTER}/bootstrap`)).toBeDefined();
  });

  it('never prints the git token, even when the push fails', () => {
    const token = 'tars-test-token-0123456789abcdef';
    const run = tars(
      [
        'propose',
        '--snapshot',
        EXAMPLE,
        '--repo',
        `https://x-access-token:${token}@127.0.0.1:9/nope.git`,
        '--policies',
        policies('    phase: 1\n'),
      ],
      { TARS_GIT_TOKEN: token, GITHUB_TOKEN: token },
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/unreachable|failed/);
    expect(run.stdout + run.stderr).not.toContain(token);
  });
});
