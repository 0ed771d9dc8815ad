// `tars propose` end to end on a real bare repository: phases, waves of at most waveSize
// workloads (fixes of observed failures first, then lowest risk), idempotent re-runs, the next
// wave only after a merge, and no right-sizing cut repeated before the soak.
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

interface RightsizingPatch {
  id: string;
  concern: string;
  target: { kind: string; name: string };
  manifest: { spec: { template: { spec: PodSpec } } };
}
type Resources = Record<'requests' | 'limits', Record<string, string> | undefined>;
interface PodSpec {
  containers?: { name: string; resources?: Partial<Resources> }[];
  initContainers?: { name: string; resources?: Partial<Resources> }[];
}
interface Listed {
  metadata: {
    name: string;
    uid?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid: string }[];
  };
  spec: PodSpec & {
    replicas?: number;
    selector?: { matchLabels: Record<string, string> };
    template?: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
  status?: Record<string, unknown>;
}

/** Sets a patch's container resources on a pod spec, as the merge of the patch does. */
function applyResources(spec: PodSpec, patch: PodSpec): void {
  for (const list of ['containers', 'initContainers'] as const) {
    for (const patched of patch[list] ?? []) {
      const target = spec[list]!.find((c) => c.name === patched.name)!;
      const resources = (target.resources ??= {});
      for (const kind of ['requests', 'limits'] as const)
        if (patched.resources?.[kind] !== undefined)
          resources[kind] = { ...resources[kind], ...patched.resources[kind] };
    }
  }
}

const REVISION = 'deployment.kubernetes.io/revision';

/**
 * What the cluster holds once the right-sizing `changes` are synced at `at`: each Deployment's
 * template runs the merged resources under a new revision, by a new ReplicaSet whose pods
 * replaced the current one's; that one is scaled to zero.
 */
function rollOut(snapshot: string, changes: readonly RightsizingPatch[], at: string): void {
  const read = (file: string) =>
    parse(readFileSync(join(snapshot, file), 'utf8')) as { items: Listed[] };
  const write = (file: string, list: { items: Listed[] }) =>
    writeFileSync(join(snapshot, file), stringify(list));
  const deployments = read('deployments.yaml');
  const replicaSets = read('replicasets.yaml');
  const pods = read('pods.yaml');
  for (const change of changes.filter((c) => c.target.kind === 'Deployment')) {
    const name = change.target.name;
    const patch = change.manifest.spec.template.spec;
    const deployment = deployments.items.find((d) => d.metadata.name === name)!;
    applyResources(deployment.spec.template!.spec, patch);
    const revisionOf = (o: Listed) => Number(o.metadata.annotations?.[REVISION]);
    const old = replicaSets.items
      .filter((o) => o.metadata.ownerReferences?.[0]?.name === name)
      .sort((a, b) => revisionOf(b) - revisionOf(a))[0];
    const revision = String(revisionOf(old) + 1);
    deployment.metadata.annotations![REVISION] = revision;
    old.spec.replicas = 0;
    const hash = 'z9w8v7t6s5';
    const rs: Listed = structuredClone(old);
    rs.metadata = {
      ...rs.metadata,
      name: `${name}-${hash}`,
      uid: `${name}-rs-2`,
      creationTimestamp: at,
      labels: { ...rs.metadata.labels, 'pod-template-hash': hash },
      annotations: { ...rs.metadata.annotations, [REVISION]: revision },
    };
    rs.spec.replicas = deployment.spec.replicas;
    rs.spec.selector!.matchLabels['pod-template-hash'] = hash;
    rs.spec.template!.metadata.labels['pod-template-hash'] = hash;
    applyResources(rs.spec.template!.spec, patch);
    replicaSets.items.push(rs);
    for (const pod of pods.items.filter(
      (p) => p.metadata.ownerReferences?.[0]?.name === old.metadata.name,
    )) {
      pod.metadata = {
        ...pod.metadata,
        name: `${name}-${hash}-q2q2q`,
        uid: `${name}-pod-2`,
        creationTimestamp: at,
        labels: { ...pod.metadata.labels, 'pod-template-hash': hash },
        ownerReferences: [
          { ...pod.metadata.ownerReferences![0], name: rs.metadata.name, uid: rs.metadata.uid! },
        ],
      };
      applyResources(pod.spec, patch);
    }
  }
  write('deployments.yaml', deployments);
  write('replicasets.yaml', replicaSets);
  write('pods.yaml', pods);
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

  it('phase 3 right-sizing: the OOM fix in wave 1; once wave 1 runs, no second cut without a soak', () => {
    const remote = createRemote();
    const policy = policies('    phase: 3\n    waveSize: 5\n');
    // The whole example, usage history included: right-sizing needs it.
    const snapshot = mkdtempSync(join(tmpdir(), 'tars-snapshot-'));
    cpSync(EXAMPLE, snapshot, { recursive: true });
    const branch = `tars/${CLUSTER}/rightsizing`;
    const record = () =>
      JSON.parse(remote.tree(branch, `generated/${CLUSTER}`).get('.tars/changes.json')!) as {
        changes: (AppliedChanges['changes'][number] & RightsizingPatch)[];
      };

    const first = propose(remote.bare, policy, remote.env, snapshot);
    expect(first.find((r) => r.concern === 'rightsizing')).toMatchObject({ status: 'created' });
    const wave1 = record().changes.filter((c) => c.concern === 'rightsizing');
    const wave1Workloads = workloadsIn(record(), 'rightsizing');
    expect(wave1Workloads).toHaveLength(5);
    // cartservice is OOM-killed and currencyservice throttled: their raises go first.
    expect(wave1Workloads).toEqual(expect.arrayContaining(['cartservice', 'currencyservice']));

    // Wave 1 merges and Argo CD syncs it: new ReplicaSets and pods, created an hour before the
    // snapshot's usage ends, run the merged resources. The usage history stays the same.
    remote.setRef('refs/heads/main', remote.sha(branch)!);
    rollOut(snapshot, wave1, '2026-11-07T23:00:00Z');
    // The plan says why they get no change: the cut waits for the soak.
    const out = mkdtempSync(join(tmpdir(), 'tars-out-'));
    const plan = tars([
      'plan',
      '--snapshot',
      snapshot,
      '--policies',
      policy,
      '--out',
      out,
      '--model',
      join(out, 'model.json'),
      '--quiet',
    ]);
    expect(plan.code, plan.stderr).toBe(0);
    const { notes } = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as {
      notes: string[];
    };
    const held = notes.find((n) => n.includes('soak'));
    expect(held).toMatch(
      /^right-sizing: cuts held for 5 container\(s\) until today's resources have run the 24h soak \(rightsizing.soak\): /,
    );
    for (const name of wave1Workloads)
      expect(held).toMatch(new RegExp(`boutique/${name} \\S+ \\(55m\\)`));

    const next = propose(remote.bare, policy, remote.env, snapshot);
    expect(next.find((r) => r.concern === 'rightsizing')).toMatchObject({ status: 'updated' });
    const after = record().changes.filter((c) => c.concern === 'rightsizing');
    // Wave 1's workloads keep the changes that merged: no further cut on the same history.
    for (const merged of wave1)
      expect(after.find((c) => c.id === merged.id)?.manifest).toEqual(merged.manifest);
    const wave2 = workloadsIn(record(), 'rightsizing').filter((w) => !wave1Workloads.includes(w));
    expect(wave2).toHaveLength(5);
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
