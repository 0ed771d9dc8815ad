// Helpers for takeover tests against the real API server (test/support/cluster.ts): read the
// cluster as TARS does, plan the takeover, apply manifests as Argo CD's server-side sync does.
import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { buildInventory } from '../../src/analyzers/inventory/index.js';
import { planTakeover } from '../../src/analyzers/takeover/index.js';
import { LiveClusterSource } from '../../src/cluster/live/index.js';
import type { ClusterSnapshot, KubeObject } from '../../src/cluster/types.js';
import type { Change, Finding } from '../../src/model/types.js';
import { DEFAULT_POLICY } from '../../src/policy/defaults.js';
import { testKubeconfigs } from '../support/cluster.js';

export type Json = Record<string, unknown>;

export function kubectl(args: string[], input?: string): string {
  return execFileSync('kubectl', ['--kubeconfig', testKubeconfigs().admin, ...args], {
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });
}

export function create(objects: Json[]): void {
  kubectl(['create', '-f', '-'], objects.map((o) => stringify(o)).join('---\n'));
}

/** What TARS reads (its own identity, so never a Secret), narrowed to `namespaces`. */
export async function readLive(namespaces: string[]): Promise<ClusterSnapshot> {
  const snapshot = await LiveClusterSource.fromConfig({
    kubeconfig: testKubeconfigs().readonly,
  }).read();
  const objects = snapshot.objects.filter((o) =>
    o.kind === 'Namespace'
      ? namespaces.includes(o.metadata.name)
      : o.metadata.namespace === undefined || namespaces.includes(o.metadata.namespace),
  );
  return { ...snapshot, objects };
}

export interface Plan {
  changes: Change[];
  findings: Finding[];
}

export function plan(snapshot: ClusterSnapshot): Plan {
  const inventory = buildInventory({ snapshot, policy: DEFAULT_POLICY, workloads: [] });
  const out = planTakeover({ snapshot, policy: DEFAULT_POLICY, workloads: inventory.workloads });
  return {
    changes: [...(out.changes ?? [])],
    findings: [...inventory.findings, ...(out.findings ?? [])],
  };
}

export const names = (p: Plan): string[] =>
  p.changes.map((c) => `${c.target.kind}/${c.target.name}`);

export function manifestOf(p: Plan, kind: string, name: string): Json {
  const change = p.changes.find((c) => c.target.kind === kind && c.target.name === name);
  expect(change, `${kind}/${name} adopted`).toBeDefined();
  return change!.manifest;
}

export const yamlOf = (manifests: Json[]): string =>
  manifests.map((m) => stringify(m)).join('---\n');

/** `kubectl apply` as Argo CD's server-side sync does it. */
export function applyAsArgoCd(manifests: Json[], dryRun = false): string[] {
  const out = kubectl(
    [
      'apply',
      '--server-side',
      '--field-manager=argocd-controller',
      '--force-conflicts',
      ...(dryRun ? ['--dry-run=server'] : []),
      '-f',
      '-',
    ],
    yamlOf(manifests),
  );
  return out.split('\n').filter((l) => l.trim() !== '');
}

export function resourceArg(ref: { apiVersion: string; kind: string; name: string }): string {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

/** The live objects, by `Kind/name`. */
export function liveObjects(ns: string, refs: Change['target'][]): Map<string, KubeObject> {
  const list = JSON.parse(kubectl(['get', '-n', ns, '-o', 'json', ...refs.map(resourceArg)])) as {
    items: KubeObject[];
  };
  return new Map(list.items.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
}

export function withoutBookkeeping(obj: KubeObject): Json {
  const copy = structuredClone(obj) as Json & { metadata: Json };
  delete copy.metadata.managedFields;
  delete copy.metadata.resourceVersion;
  return copy;
}

/** The object as a recreation from Git should give it back: what the API server allocates aside. */
export function desired(obj: KubeObject): Json {
  const copy = structuredClone(obj) as Json & { metadata: Json };
  for (const key of [
    'managedFields',
    'resourceVersion',
    'uid',
    'creationTimestamp',
    'namespace',
    'generation',
  ])
    delete copy.metadata[key];
  const annotations = copy.metadata.annotations as Record<string, string> | undefined;
  delete annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  delete annotations?.['deployment.kubernetes.io/revision'];
  if (annotations !== undefined && Object.keys(annotations).length === 0)
    delete copy.metadata.annotations;
  delete copy.status;
  const spec = copy.spec as Json | undefined;
  if (obj.kind === 'Service' && spec !== undefined && spec.clusterIP !== 'None') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  return copy;
}
