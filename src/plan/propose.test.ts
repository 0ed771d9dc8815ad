import { describe, expect, it } from 'vitest';
import { SnapshotClusterSource } from '../cluster/snapshot/index.js';
import { OpenMetricsHistorySource } from '../metrics/openmetrics/source.js';
import type { KubeObject } from '../cluster/types.js';
import type { ProposalContent, ProposalHold } from '../gitops/delivery.js';
import type { Change } from '../model/types.js';
import { DEFAULT_POLICY } from '../policy/defaults.js';
import type { Policy } from '../policy/types.js';
import { analyze } from './analyze.js';
import {
  APPLIED_CHANGES_FILE,
  AUTO_MERGE_LABEL,
  concernRenderer,
  concernsForPhase,
} from './propose.js';

const EXAMPLE = 'examples/online-boutique';
const snapshot = await SnapshotClusterSource.fromDirectory(EXAMPLE).read();

function policyWith(rollout: Partial<Policy['rollout']>): Policy {
  return { ...DEFAULT_POLICY, rollout: { ...DEFAULT_POLICY.rollout, ...rollout } };
}

const emptyBase = () => Promise.resolve(undefined);

/** The proposal a renderer made; fails the test when it held or had nothing. */
function proposal(rendered: ProposalContent | ProposalHold | undefined): ProposalContent {
  if (rendered === undefined || 'hold' in rendered)
    throw new Error(`expected a proposal, got ${JSON.stringify(rendered)}`);
  return rendered;
}

describe('concernRenderer', () => {
  it('phase 4 labels a wave for auto-merge only when every change is under the threshold', async () => {
    const model = analyze({ snapshot, policy: policyWith({ phase: 4 }) });
    const lenient = await concernRenderer(
      model,
      'takeover',
      policyWith({ phase: 4, autoMergeRiskBelow: 1 }),
    )(emptyBase);
    expect(proposal(lenient).labels).toEqual([AUTO_MERGE_LABEL]);
    const strict = await concernRenderer(
      model,
      'takeover',
      policyWith({ phase: 4, autoMergeRiskBelow: 0.01 }),
    )(emptyBase);
    expect(proposal(strict).labels).toBeUndefined();
    const phase3 = await concernRenderer(
      model,
      'takeover',
      policyWith({ phase: 3, autoMergeRiskBelow: 1 }),
    )(emptyBase);
    expect(proposal(phase3).labels).toBeUndefined();
  });

  it('proposes nothing once base holds every change', async () => {
    const policy = policyWith({ waveSize: 100 });
    const model = analyze({ snapshot, policy });
    const all = await concernRenderer(model, 'takeover', policy)(emptyBase);
    const applied = proposal(all).files.get(APPLIED_CHANGES_FILE)!;
    const base = (rel: string) =>
      Promise.resolve(rel === APPLIED_CHANGES_FILE ? applied : undefined);
    expect(await concernRenderer(model, 'takeover', policy)(base)).toBeUndefined();
  });

  it('rejects a corrupt record on the base branch with a clear error', async () => {
    const model = analyze({ snapshot, policy: DEFAULT_POLICY });
    const base = () => Promise.resolve('{"changes": [{"id": 1}]}');
    await expect(concernRenderer(model, 'takeover', DEFAULT_POLICY)(base)).rejects.toThrow(
      /\.tars\/changes\.json on the base branch/,
    );
    const badWave = () => Promise.resolve('{"changes": [], "waves": {"takeover/x": 0}}');
    await expect(concernRenderer(model, 'takeover', DEFAULT_POLICY)(badWave)).rejects.toThrow(
      '.tars/changes.json on the base branch: waves["takeover/x"]: must be >= 1',
    );
  });
});

describe('the next wave waits until the merged ones are healthy', async () => {
  const policy = policyWith({ phase: 3, waveSize: 3 });
  // The example's own usage history, so right-sizing has something to propose.
  const usage = new OpenMetricsHistorySource({ dir: EXAMPLE });
  const range = (await usage.coveredRange())!;
  const history = await usage.fetch({ namespaces: ['boutique'], ...range, stepSeconds: 300 });
  const plan = (s: typeof snapshot) => analyze({ snapshot: s, policy, history });

  /** Wave 1 of a concern, rendered and then taken as merged: the base's record. */
  async function mergedWave1(concern: 'takeover' | 'rightsizing') {
    const wave1 = proposal(await concernRenderer(plan(snapshot), concern, policy)(emptyBase));
    const record = wave1.files.get(APPLIED_CHANGES_FILE)!;
    const merged = JSON.parse(record) as { changes: Change[] };
    const base = (rel: string) =>
      Promise.resolve(rel === APPLIED_CHANGES_FILE ? record : undefined);
    return { merged: merged.changes, base };
  }

  /** The snapshot with `edit` applied to a deep copy of the objects it selects. */
  function edited(select: (o: KubeObject) => boolean, edit: (o: KubeObject) => void) {
    return {
      ...snapshot,
      objects: snapshot.objects.map((o) => {
        if (!select(o)) return o;
        const copy = structuredClone(o);
        edit(copy);
        return copy;
      }),
    };
  }

  /** What Argo CD's sync of a merged right-sizing patch leaves: the live template runs it. */
  function runMergedResources(deployment: KubeObject, change: Change): void {
    type Containers = { containers: { name: string; resources?: Record<string, object> }[] };
    const wanted = (change.manifest.spec as { template: { spec: Containers } }).template.spec
      .containers;
    const live = (deployment.spec as { template: { spec: Containers } }).template.spec.containers;
    for (const w of wanted) {
      const c = live.find((l) => l.name === w.name)!;
      c.resources = {
        requests: { ...c.resources?.requests, ...w.resources?.requests },
        limits: { ...c.resources?.limits, ...w.resources?.limits },
      };
    }
  }

  /** The snapshot with the pods of `victim` waiting in CrashLoopBackOff. */
  function crashLooping(victim: Change['target']) {
    return edited(
      (o) =>
        o.kind === 'Pod' &&
        o.metadata.namespace === victim.namespace &&
        o.metadata.name.startsWith(`${victim.name}-`),
      (pod) => {
        const statuses = (pod.status as { containerStatuses: Record<string, unknown>[] })
          .containerStatuses;
        statuses[0].state = { waiting: { reason: 'CrashLoopBackOff' } };
      },
    );
  }

  it('holds while a merged workload crash-loops, and proposes wave 2 once it runs', async () => {
    const { merged, base } = await mergedWave1('takeover');
    const victim = merged[0].workload ?? merged[0].target;
    const held = await concernRenderer(plan(crashLooping(victim)), 'takeover', policy)(base);
    expect(held).toEqual({
      hold: [
        expect.stringMatching(
          new RegExp(
            `^${victim.namespace}/${victim.name} is unhealthy: pod ${victim.name}-\\S+ container \\S+: CrashLoopBackOff$`,
          ),
        ),
      ],
      removeLabels: [AUTO_MERGE_LABEL],
    });
    const healthy = proposal(await concernRenderer(plan(snapshot), 'takeover', policy)(base));
    expect(healthy.body).toContain('wave 2.');
  });

  it('watches the previous wave: a workload an older wave touched does not hold wave 3', async () => {
    const { merged: wave1, base: base1 } = await mergedWave1('takeover');
    const record2 = proposal(
      await concernRenderer(plan(snapshot), 'takeover', policy)(base1),
    ).files.get(APPLIED_CHANGES_FILE)!;
    const { changes, waves } = JSON.parse(record2) as {
      changes: Change[];
      waves: Record<string, number>;
    };
    const wave1Ids = new Set(wave1.map((c) => c.id));
    expect(Object.keys(waves).sort()).toEqual(changes.map((c) => c.id).sort());
    for (const c of changes) expect(waves[c.id]).toBe(wave1Ids.has(c.id) ? 1 : 2);
    const base2 = (text: string) => (rel: string) =>
      Promise.resolve(rel === APPLIED_CHANGES_FILE ? text : undefined);
    const target = (c: Change) => c.workload ?? c.target;
    const older = target(wave1[0]);
    const previous = target(changes.find((c) => waves[c.id] === 2)!);

    const olderBroken = plan(crashLooping(older));
    const wave3 = proposal(await concernRenderer(olderBroken, 'takeover', policy)(base2(record2)));
    expect(wave3.body).toContain('wave 3.');
    const held = await concernRenderer(
      plan(crashLooping(previous)),
      'takeover',
      policy,
    )(base2(record2));
    expect(held).toEqual({
      hold: [expect.stringContaining(`${previous.namespace}/${previous.name} is unhealthy`)],
      removeLabels: [AUTO_MERGE_LABEL],
    });
    // A record from before waves were kept watches every merged workload.
    const unnumbered = JSON.stringify({ ...JSON.parse(record2), waves: undefined });
    const conservative = await concernRenderer(olderBroken, 'takeover', policy)(base2(unnumbered));
    expect(conservative).toEqual({
      hold: [expect.stringContaining(`${older.namespace}/${older.name} is unhealthy`)],
      removeLabels: [AUTO_MERGE_LABEL],
    });
  });

  it('holds a merged right-sizing wave until the cluster runs the merged resources', async () => {
    const { merged, base } = await mergedWave1('rightsizing');
    const notSynced = await concernRenderer(plan(snapshot), 'rightsizing', policy)(base);
    const hold = notSynced !== undefined && 'hold' in notSynced ? notSynced.hold : [];
    expect(hold.length).toBeGreaterThan(0);
    for (const reason of hold) expect(reason).toMatch(/is not live yet \(running /);
    // Argo CD syncs the merge: the workloads run the merged resources.
    const patches = new Map(merged.map((c) => [`${c.target.namespace}/${c.target.name}`, c]));
    const synced = edited(
      (o) => o.kind === 'Deployment' && patches.has(`${o.metadata.namespace}/${o.metadata.name}`),
      (deployment) => {
        const change = patches.get(`${deployment.metadata.namespace}/${deployment.metadata.name}`)!;
        runMergedResources(deployment, change);
      },
    );
    const next = await concernRenderer(plan(synced), 'rightsizing', policy)(base);
    expect(proposal(next).body).toContain('wave 2.');
  });
  it("holds a concern's wave on its own merges only: a right-sizing patch of an adopted workload does not hold takeover", async () => {
    const everything = policyWith({ phase: 3, waveSize: 100 });
    const { base: takeoverBase } = await mergedWave1('takeover');
    // Right-sizing of every workload merges on top of takeover's wave 1, which adopted some of them.
    const rightsized = proposal(
      await concernRenderer(plan(snapshot), 'rightsizing', everything)(takeoverBase),
    ).files.get(APPLIED_CHANGES_FILE)!;
    const base = (rel: string) =>
      Promise.resolve(rel === APPLIED_CHANGES_FILE ? rightsized : undefined);
    const merged = (JSON.parse(rightsized) as { changes: Change[] }).changes;
    const adopted = new Set(
      merged
        .filter((c) => c.concern === 'takeover')
        .map((c) => `${c.target.namespace}/${c.target.name}`),
    );
    const patches = new Map(
      merged
        .filter((c) => c.concern === 'rightsizing')
        .map((c) => [`${c.target.namespace}/${c.target.name}`, c]),
    );
    expect([...adopted].filter((key) => patches.has(key)).length).toBeGreaterThan(0);

    // Argo CD syncs the tree: adopted workloads carry its tracking id, and every patched one runs
    // the right-sized resources (the adopted manifest's values overridden by the patch).
    const synced = edited(
      (o) => o.kind === 'Deployment' && patches.has(`${o.metadata.namespace}/${o.metadata.name}`),
      (deployment) => {
        const key = `${deployment.metadata.namespace}/${deployment.metadata.name}`;
        if (adopted.has(key))
          deployment.metadata.annotations = {
            ...deployment.metadata.annotations,
            'argocd.argoproj.io/tracking-id': `tars:apps/Deployment:${key}`,
          };
        runMergedResources(deployment, patches.get(key)!);
      },
    );
    const next = await concernRenderer(plan(synced), 'takeover', policy)(base);
    expect(proposal(next).body).toContain('wave 2.');
  });
});

describe('a wave of 200 workloads', async () => {
  // The example's shop in 17 namespaces with long names, its usage history with them: 204
  // workloads right-sized in one wave.
  const copies = Array.from({ length: 17 }, (_, i) => `boutique-team-${i}-production-eu-west`);
  const copy = <T>(value: T, namespace: string): T =>
    JSON.parse(
      JSON.stringify(value)
        .replaceAll('"boutique"', JSON.stringify(namespace))
        .replaceAll('.boutique.', `.${namespace}.`),
    ) as T;
  const inBoutique = (o: KubeObject) =>
    o.metadata.namespace === 'boutique' ||
    (o.kind === 'Namespace' && o.metadata.name === 'boutique');
  const large = {
    ...snapshot,
    objects: snapshot.objects.flatMap((o) =>
      inBoutique(o) ? copies.map((ns) => copy(o, ns)) : [o],
    ),
  };
  const usage = new OpenMetricsHistorySource({ dir: EXAMPLE });
  const range = (await usage.coveredRange())!;
  const history = await usage.fetch({ namespaces: ['boutique'], ...range, stepSeconds: 300 });
  const largeHistory = {
    ...history,
    containers: history.containers.flatMap((c) =>
      copies.map((namespace) => ({ ...c, key: { ...c.key, namespace } })),
    ),
    events: history.events.flatMap((e) =>
      copies.map((namespace) => ({ ...e, key: { ...e.key, namespace } })),
    ),
  };

  it('keeps the pull request under the platform limit with its cost, rollout and rollback sections and whole table rows', async () => {
    const policy = policyWith({ phase: 3, waveSize: 250 });
    const model = analyze({ snapshot: large, policy, history: largeHistory });
    const text = proposal(await concernRenderer(model, 'rightsizing', policy)(emptyBase));
    expect(text.title).toBe('tars(online-boutique): right-sizing for 204 objects');
    // GitHub refuses a body over 65,536 characters.
    expect(text.body.length).toBeLessThanOrEqual(65_536);
    expect(text.body).toContain('### Cost');
    expect(text.body).toMatch(/^\| This wave \| /m);
    expect(text.body).toContain('Phase 3 (gradual migration), wave 1.');
    expect(text.body).toContain('### How to roll back');
    expect(text.body).toMatch(/…and \d+ more changes of this kind, all in the diff\./);
    expect(text.body.trimEnd()).toMatch(/<!-- tars:plan-hash=[0-9a-f]{64} -->$/);
    for (const line of text.body.split('\n').filter((l) => l.startsWith('|')))
      expect(line.endsWith(' |'), line).toBe(true);
  });
});

describe('concernsForPhase', () => {
  it('follows the four phases', () => {
    const model = analyze({ snapshot, policy: DEFAULT_POLICY });
    expect(concernsForPhase(model, 1)).toEqual(['bootstrap']);
    expect(concernsForPhase(model, 2)).toEqual([]);
    expect(concernsForPhase(model, 3)).toEqual(concernsForPhase(model, 4));
    expect(concernsForPhase(model, 3).slice(0, 2)).toEqual(['bootstrap', 'takeover']);
  });
});
