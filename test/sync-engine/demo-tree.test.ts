/**
 * The demo's real generated tree (`npm run demo`: plan of examples/online-boutique under
 * policies/, then `kubectl kustomize generated/<cluster>`) synced by Argo CD's sync engine into a
 * Kubernetes API server that already runs the demo's workloads, as the cluster TARS planned from
 * would: all waves apply in order, and a second sync is a no-op.
 *
 * This test starts its own test cluster instead of using the shared one: the tree's bootstrap
 * holds the `tars-readonly` ClusterRole and its ClusterRoleBinding, which the shared cluster binds
 * to the read-only identity other tests use, and Argo CD's server-side sync forces conflicts, so
 * it would rebind that identity under their feet.
 *
 * Health: the engine's own checks, as in waves.test.ts; the rollout stand-in plays the
 * controllers the test cluster lacks (Deployment rollouts, the load balancer's address).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';

import { isManagedElsewhere, managerOf } from '../../src/analyzers/inventory/managers.js';
import { cleanManifest } from '../../src/analyzers/takeover/clean.js';
import { synthesize } from '../../src/charts/synthesize.js';
import { SnapshotClusterSource } from '../../src/cluster/snapshot/index.js';
import type { KubeObject } from '../../src/cluster/types.js';
import { buildPlan } from '../../src/plan/plan.js';
import { startTestCluster, stopTestCluster } from '../cluster/test-cluster.js';
import type { TestCluster } from '../cluster/test-cluster.js';
import { kubeConfigFrom } from '../support/cluster.js';
import { startRolloutStandIn } from '../sync/rollout-stand-in.js';
import type { RolloutRecord, RolloutStandIn } from '../sync/rollout-stand-in.js';
import { ensureSyncBinary, syncManifests } from '../sync/sync.js';
import type { SyncedResource, SyncResult } from '../sync/sync.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const EXAMPLE = join(REPO, 'examples', 'online-boutique');
const APP = 'tars-online-boutique';

function kubectl(kubeconfig: string, args: string[], input?: string): string {
  return execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });
}

/** What `npm run demo` writes, rendered the way Argo CD renders a kustomize source. */
async function renderDemoTree(): Promise<{ yaml: string; clusterDir: string }> {
  const { model } = await buildPlan(
    { snapshot: EXAMPLE, policies: join(REPO, 'policies'), historySeconds: 14 * 86_400 },
    () => {},
  );
  const out = mkdtempSync(join(tmpdir(), 'tars-sync-demo-'));
  const { clusterDir } = await synthesize(model, out);
  return { yaml: kubectl('/dev/null', ['kustomize', clusterDir]), clusterDir };
}

/**
 * The live state the demo was planned from, as its tools applied it: Helm- and Argo CD-owned
 * objects by server-side apply under their own manager, the rest with `kubectl apply`.
 */
async function loadLiveState(kubeconfig: string): Promise<string[]> {
  const snapshot = await SnapshotClusterSource.fromDirectory(EXAMPLE).read();
  const namespaces = snapshot.objects
    .filter((o) => o.kind === 'Namespace' && !o.metadata.name.startsWith('kube-'))
    .filter((o) => o.metadata.name !== 'default');
  const names = new Set(namespaces.map((n) => n.metadata.name));
  const kinds = ['ServiceAccount', 'ConfigMap', 'Service', 'Deployment'];
  const inNamespaces = snapshot.objects.filter(
    (o) =>
      kinds.includes(o.kind) &&
      names.has(o.metadata.namespace ?? '') &&
      o.metadata.name !== 'kube-root-ca.crt',
  );
  const asYaml = (objects: KubeObject[]): string =>
    objects.map((o) => stringify(cleanManifest(o))).join('---\n');
  const foreign = inNamespaces.filter((o) => isManagedElsewhere(managerOf(o)));
  const byKubectl = inNamespaces.filter((o) => !isManagedElsewhere(managerOf(o)));
  kubectl(kubeconfig, ['apply', '-f', '-'], asYaml(namespaces));
  kubectl(kubeconfig, ['apply', '-f', '-'], asYaml(byKubectl));
  kubectl(
    kubeconfig,
    ['apply', '--server-side', '--field-manager=helm', '-f', '-'],
    asYaml(foreign),
  );
  return [...names];
}

async function waitUntil(what: string, done: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(200);
  }
}

/** Every Deployment's status caught up with its spec, every load balancer has an address. */
async function waitUntilSettled(admin: KubeConfig, namespaces: readonly string[]): Promise<void> {
  const apps = admin.makeApiClient(AppsV1Api);
  const core = admin.makeApiClient(CoreV1Api);
  await waitUntil('the workloads are rolled out', async () => {
    for (const namespace of namespaces) {
      const deployments = await apps.listNamespacedDeployment({ namespace });
      const services = await core.listNamespacedService({ namespace });
      const lagging = deployments.items.some(
        (d) => (d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 1),
      );
      const unaddressed = services.items.some(
        (s) => s.spec?.type === 'LoadBalancer' && !s.status?.loadBalancer?.ingress?.length,
      );
      if (lagging || unaddressed) return false;
    }
    return true;
  });
}

function keyOf(r: { kind: string; namespace?: string; name: string }): string {
  return `${r.kind}/${r.namespace ?? ''}/${r.name}`;
}

/**
 * The etcd revisions that bracket each written resource on the server: when the sync wrote it,
 * and when it was healthy (for workloads and load balancers, the stand-in's status write).
 */
function revisions(
  resource: SyncedResource,
  rollouts: readonly RolloutRecord[],
): { written: bigint; healthy: bigint } {
  const rollout = rollouts.find((r) => keyOf(r) === keyOf(resource));
  const after = BigInt(resource.resourceVersionAfter ?? '0');
  return rollout === undefined
    ? { written: after, healthy: after }
    : {
        written: BigInt(rollout.seenResourceVersion),
        healthy: BigInt(rollout.healthyResourceVersion),
      };
}

/** resourceVersion of each resource as the server holds it now, read with kubectl. */
function liveVersions(
  kubeconfig: string,
  resources: readonly SyncedResource[],
): Map<string, string> {
  const versions = new Map<string, string>();
  for (const r of resources) {
    const target = `${r.kind}${r.group ? `.${r.group}` : ''}/${r.name}`;
    const args = ['get', target, '-o', 'jsonpath={.metadata.resourceVersion}'];
    if (r.namespace) args.push('-n', r.namespace);
    versions.set(keyOf(r), kubectl(kubeconfig, args));
  }
  return versions;
}

describe("sync of the demo's generated tree into a cluster running the demo", () => {
  const dir = join(REPO, '.tars-test', `sync-demo-${process.pid}`);
  let cluster: TestCluster;
  let standIn: RolloutStandIn;
  let tree: { yaml: string; clusterDir: string };
  let first: SyncResult;
  let rolloutsBefore = 0;
  const namespaces: string[] = [];

  beforeAll(async () => {
    await ensureSyncBinary();
    tree = await renderDemoTree();
    cluster = await startTestCluster(dir);
    const admin = kubeConfigFrom(cluster.adminKubeconfig);
    const treeNamespaces = parseAllDocuments(tree.yaml)
      .map((d) => d.toJSON() as KubeObject)
      .filter((o) => o.kind === 'Namespace')
      .map((o) => o.metadata.name);
    namespaces.push(...treeNamespaces);
    standIn = startRolloutStandIn(admin, { namespaces: () => namespaces, rolloutMs: 500 });
    for (const name of await loadLiveState(cluster.adminKubeconfig)) {
      if (!namespaces.includes(name)) namespaces.push(name);
    }
    // The running demo is healthy before TARS's tree arrives.
    await waitUntilSettled(admin, namespaces);
    rolloutsBefore = standIn.records.length;
  }, 1_800_000);

  afterAll(async () => {
    await standIn?.stop();
    if (cluster !== undefined) await stopTestCluster(dir);
    rmSync(dir, { recursive: true, force: true });
    if (tree !== undefined)
      rmSync(resolve(tree.clusterDir, '..'), { recursive: true, force: true });
  }, 120_000);

  it('applies every wave in order, each after the one before is healthy', async () => {
    const file = join(resolve(tree.clusterDir, '..'), 'rendered.yaml');
    writeFileSync(file, tree.yaml);

    first = await syncManifests({ kubeconfig: cluster.adminKubeconfig, file, app: APP });

    expect(first.error).toBeUndefined();
    expect(first.phase).toBe('Succeeded');
    const documents = parseAllDocuments(tree.yaml).length;
    expect(first.resources).toHaveLength(documents);
    for (const resource of first.resources) {
      expect([keyOf(resource), resource.status]).toEqual([keyOf(resource), 'Synced']);
      expect(resource.serverSideApply).toBe(true);
    }
    const waves = [...new Set(first.resources.map((r) => r.wave))].sort((a, b) => a - b);
    expect(waves.length).toBeGreaterThanOrEqual(3);
    expect(first.waves.map((w) => w.wave)).toEqual(waves);

    // The engine's writes came wave by wave.
    const writes = [...first.applied].sort((a, b) => a.seq - b.seq);
    expect(writes.map((w) => w.wave)).toEqual(writes.map((w) => w.wave).sort((a, b) => a - b));
    expect(writes.every((w) => w.verb === 'server-side-apply')).toBe(true);
    expect(new Set(writes.map(keyOf))).toEqual(new Set(first.resources.map(keyOf)));

    // The server's record: whatever a wave changed, it changed after the previous wave had
    // been written and become healthy.
    const rollouts = standIn.records.slice(rolloutsBefore);
    const changed = first.resources.filter((r) => r.action !== 'unchanged');
    expect(changed.length).toBeGreaterThan(0);
    for (const earlier of changed) {
      for (const later of changed.filter((r) => r.wave > earlier.wave)) {
        const a = revisions(earlier, rollouts);
        const b = revisions(later, rollouts);
        expect([keyOf(earlier), keyOf(later), a.healthy < b.written]).toEqual([
          keyOf(earlier),
          keyOf(later),
          true,
        ]);
      }
    }
    // The demo's workloads existed: TARS's changes configure them, the bootstrap is new.
    const actions = new Map(first.resources.map((r) => [keyOf(r), r.action]));
    expect(actions.get('Namespace//tars')).toBe('created');
    expect(actions.get('CronJob/tars/tars')).toBe('created');
    expect(actions.get('Deployment/boutique/frontend')).toBe('configured');
  });

  it('a second sync of the same tree changes nothing', async () => {
    expect(first?.phase).toBe('Succeeded');
    // The last wave is not waited for (as in Argo CD): let the stand-in finish its rollouts, so
    // any write seen below is the sync's own.
    await waitUntilSettled(kubeConfigFrom(cluster.adminKubeconfig), namespaces);
    const settled = liveVersions(cluster.adminKubeconfig, first.resources);

    const second = await syncManifests({
      kubeconfig: cluster.adminKubeconfig,
      manifestsYaml: tree.yaml,
      app: APP,
    });

    expect(second.phase).toBe('Succeeded');
    expect(second.resources).toHaveLength(first.resources.length);
    const notUnchanged = second.resources.filter(
      (r) => r.action !== 'unchanged' || r.resourceVersionAfter !== r.resourceVersionBefore,
    );
    expect(notUnchanged.map((r) => `${keyOf(r)}: ${r.action}`)).toEqual([]);
    for (const resource of second.resources) {
      expect([keyOf(resource), resource.resourceVersionBefore]).toEqual([
        keyOf(resource),
        settled.get(keyOf(resource)),
      ]);
    }
  });
});
