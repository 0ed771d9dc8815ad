// The soak through the analyzer: since when a workload runs today's resources, read from its
// controller's revisions where the snapshot has them, else from its live pods.
import { describe, expect, it } from 'vitest';
import {
  container,
  deployment,
  ownedBy,
  pod,
  snapshotOf,
  statefulSet,
} from '../../../test/support/objects.js';
import type { KubeObject } from '../../cluster/types.js';
import type { Sample, UsageHistory } from '../../metrics/types.js';
import { DEFAULT_POLICY } from '../../policy/defaults.js';
import { inventoryAnalyzer } from '../inventory/index.js';
import { rightsizingAnalyzer } from './index.js';

const STEP = 300;
const END = 2_000_000_000;
const HOUR = 3600;
const DAY = 24 * HOUR;

/** Two days of CPU around 0.2 cores: a 2-core request is cut by the step, to 1400m. */
function cpuSeries(): Sample[] {
  const n = (48 * HOUR) / STEP;
  return Array.from({ length: n }, (_, i) => ({ t: END - (n - 1 - i) * STEP, v: 0.2 }));
}

function historyOf(pods: readonly string[]): UsageHistory {
  return {
    source: 'test',
    confidence: 'high',
    window: { start: END - 48 * HOUR, end: END, stepSeconds: STEP },
    containers: pods.map((p) => ({
      key: { namespace: 'shop', pod: p, container: 'app' },
      cpu: cpuSeries(),
      memory: [],
    })),
    events: [],
  };
}

const iso = (unix: number): string => new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
const spec = (cpu: string, image = 'app:1') => ({
  containers: [{ ...container('app', { cpu }), image }],
});

const web = deployment({ name: 'web', namespace: 'shop', replicas: 1, ...spec('2') });

/** A ReplicaSet of `web` at `revision`, created at `created`, running `cpu`. */
function replicaSet(
  hash: string,
  revision: number,
  created: number,
  cpu: string,
  extra: Record<string, string> = {},
): KubeObject {
  return ownedBy(
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `web-${hash}`,
        namespace: 'shop',
        uid: `rs-${hash}`,
        creationTimestamp: iso(created),
        annotations: { 'deployment.kubernetes.io/revision': String(revision), ...extra },
      },
      spec: { template: { spec: spec(cpu, `app:${revision}`) } },
    },
    web,
  );
}

function livePod(name: string, owner: KubeObject, created: number, cpu: string): KubeObject {
  return ownedBy(
    {
      ...pod(name, 'shop', spec(cpu)),
      metadata: { ...pod(name, 'shop').metadata, creationTimestamp: iso(created) },
    },
    owner,
  );
}

function plan(objects: readonly KubeObject[], pods: readonly string[]) {
  const snapshot = snapshotOf(objects);
  const workloads =
    inventoryAnalyzer.analyze({ snapshot, policy: DEFAULT_POLICY, workloads: [] }).workloads ?? [];
  const out = rightsizingAnalyzer.analyze({
    snapshot,
    policy: DEFAULT_POLICY,
    workloads,
    history: historyOf(pods),
  });
  const change = out.changes?.find((c) => c.concern === 'rightsizing');
  return { change, notes: out.notes ?? [] };
}

describe('the soak, from what the snapshot says about since when today’s resources run', () => {
  it('resources unchanged for months, pods restarted yesterday (a rollout restart): cut', () => {
    const old = replicaSet('6d4f8', 1, END - 90 * DAY, '2');
    const restarted = replicaSet('7b9c2', 2, END - 20 * HOUR, '2', {
      'kubectl.kubernetes.io/restartedAt': iso(END - 20 * HOUR),
    });
    const { change, notes } = plan(
      [web, old, restarted, livePod('web-7b9c2-aaaaa', restarted, END - 20 * HOUR, '2')],
      ['web-7b9c2-aaaaa', 'web-6d4f8-zzzzz'],
    );
    expect(change?.summary).toMatch(/CPU request 2 → 1400m/);
    expect(notes.join('\n')).not.toMatch(/soak/);
  });

  it('a ReplicaSet with new resources created 3h ago: the cut waits, and the plan says so', () => {
    const before = replicaSet('6d4f8', 1, END - 90 * DAY, '3');
    const now = replicaSet('7b9c2', 2, END - 3 * HOUR, '2');
    const { change, notes } = plan(
      [web, before, now, livePod('web-7b9c2-aaaaa', now, END - 3 * HOUR, '2')],
      ['web-7b9c2-aaaaa'],
    );
    expect(change).toBeUndefined();
    expect(notes).toContain(
      "right-sizing: cuts held for 1 container(s) until today's resources have run the 24h soak (rightsizing.soak): shop/web app (3h)",
    );
  });

  it('without revisions, the oldest live pod running today’s resources tells', () => {
    const rs = ownedBy(
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'web-6d4f8', namespace: 'shop', uid: 'rs1' },
        spec: { template: { spec: spec('2') } },
      },
      web,
    );
    const recent = plan(
      [web, rs, livePod('web-6d4f8-aaaaa', rs, END - 3 * HOUR, '2')],
      ['web-6d4f8-aaaaa'],
    );
    expect(recent.change).toBeUndefined();
    const older = plan(
      [
        web,
        rs,
        livePod('web-6d4f8-aaaaa', rs, END - 3 * HOUR, '2'),
        livePod('web-6d4f8-bbbbb', rs, END - 30 * HOUR, '2'),
      ],
      ['web-6d4f8-aaaaa', 'web-6d4f8-bbbbb'],
    );
    expect(older.change?.summary).toMatch(/CPU request 2 → 1400m/);
    // A pod with a memory request from the namespace's LimitRange still runs today's CPU.
    const defaulted = ownedBy(
      {
        ...pod('web-6d4f8-ccccc', 'shop', {
          containers: [{ ...container('app', { cpu: '2', memory: '64Mi' }), image: 'app:1' }],
        }),
        metadata: {
          ...pod('web-6d4f8-ccccc', 'shop').metadata,
          creationTimestamp: iso(END - 30 * HOUR),
        },
      },
      rs,
    );
    expect(plan([web, rs, defaulted], ['web-6d4f8-ccccc']).change?.summary).toMatch(
      /CPU request 2 → 1400m/,
    );
    // A pod still running other resources is not today's: they have not run at all yet.
    const pending = plan(
      [web, rs, livePod('web-6d4f8-bbbbb', rs, END - 30 * HOUR, '3')],
      ['web-6d4f8-bbbbb'],
    );
    expect(pending.change).toBeUndefined();
    expect(pending.notes.join('\n')).toMatch(/shop\/web app \(0m\)/);
  });

  it('a ReplicaSet a rollback brought back is older than its turn: its pods tell instead', () => {
    const other = replicaSet('7b9c2', 2, END - 10 * DAY, '3');
    const back = replicaSet('6d4f8', 3, END - 90 * DAY, '2', {
      'deployment.kubernetes.io/revision-history': '1',
    });
    const { change } = plan(
      [web, other, back, livePod('web-6d4f8-aaaaa', back, END - 2 * HOUR, '2')],
      ['web-6d4f8-aaaaa'],
    );
    expect(change).toBeUndefined();
  });

  it('a StatefulSet: its ControllerRevisions, over an image bump that kept the resources', () => {
    const db = statefulSet({ name: 'db', namespace: 'shop', replicas: 1, ...spec('2') });
    const revision = (n: number, created: number, cpu: string): KubeObject =>
      ownedBy(
        {
          apiVersion: 'apps/v1',
          kind: 'ControllerRevision',
          metadata: { name: `db-${n}`, namespace: 'shop', creationTimestamp: iso(created) },
          revision: n,
          data: { spec: { template: { $patch: 'replace', spec: spec(cpu, `app:${n}`) } } },
        },
        db,
      );
    const dbPod = (created: number) => livePod('db-0', db, created, '2');
    const history = (objects: KubeObject[]) => plan(objects, ['db-0']);
    // Resources since revision 2 (40 days), image bumped by revision 3 an hour ago: cut.
    const bumped = history([
      db,
      revision(1, END - 90 * DAY, '3'),
      revision(2, END - 40 * DAY, '2'),
      revision(3, END - HOUR, '2'),
      dbPod(END - HOUR),
    ]);
    expect(bumped.change?.summary).toMatch(/CPU request 2 → 1400m/);
    // Revision 2 is gone: what it ran is unknown, so the clock starts at revision 3, an hour ago.
    const changed = history([
      db,
      revision(1, END - 90 * DAY, '2'),
      revision(3, END - HOUR, '2'),
      dbPod(END - HOUR),
    ]);
    expect(changed.change).toBeUndefined();
  });
});
