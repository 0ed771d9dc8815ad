// The generated tree of the bundled example, checked by the real API server: every object
// (adopted manifests, bootstrap, partial objects for foreign owners) passes
// `kubectl apply --server-side --dry-run=server` with the admin identity.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { SnapshotClusterSource } from '../../src/cluster/snapshot/index.js';
import { managerOf, isManagedElsewhere } from '../../src/analyzers/inventory/managers.js';
import { cleanManifest } from '../../src/analyzers/takeover/clean.js';
import { testKubeconfigs } from '../support/cluster.js';
import { tars } from './run-tars.js';

function kubectl(kubeconfig: string, args: string[], input?: string): string {
  return execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });
}

describe('generated tree against the real API server', () => {
  it('passes server-side dry run, bootstrap included', async () => {
    const { admin } = testKubeconfigs();
    const out = mkdtempSync(join(tmpdir(), 'tars-dry-run-'));
    const plan = tars(['plan', '--snapshot', 'examples/online-boutique', '--out', out, '--quiet']);
    expect(plan.code, plan.stderr).toBe(0);
    const tree = join(out, 'online-boutique');
    const rendered = kubectl(admin, ['kustomize', tree]);
    const docs = parseAllDocuments(rendered).map(
      (d) => d.toJSON() as { kind: string; metadata: { name: string } },
    );

    // What a dry run cannot create for real: the namespaces, and the objects other tools
    // (Helm, Argo CD) already applied in a real cluster, which the tree only patches.
    const namespaces = docs.filter((d) => d.kind === 'Namespace');
    kubectl(
      admin,
      ['apply', '--server-side', '--field-manager=test-setup', '-f', '-'],
      namespaces.map((n) => stringify(n)).join('---\n'),
    );
    const snapshot = await SnapshotClusterSource.fromDirectory('examples/online-boutique').read();
    const foreign = snapshot.objects
      .filter((o) => ['Deployment', 'Service'].includes(o.kind) && isManagedElsewhere(managerOf(o)))
      .map((o) => cleanManifest(o));
    expect(foreign.length).toBeGreaterThan(0);
    const foreignFile = join(out, 'foreign.yaml');
    writeFileSync(foreignFile, foreign.map((o) => stringify(o)).join('---\n'));
    kubectl(admin, [
      'apply',
      '--server-side',
      '--field-manager=helm',
      '--force-conflicts',
      '-f',
      foreignFile,
    ]);

    // Argo CD's server-side sync forces conflicts; the test cluster's own binding of the tars
    // ClusterRole is one.
    const result = kubectl(admin, [
      'apply',
      '--server-side',
      '--dry-run=server',
      '--field-manager=argocd-controller',
      '--force-conflicts',
      '-k',
      tree,
    ]);
    const applied = result.split('\n').filter((l) => l.trim() !== '');
    expect(applied.length).toBe(docs.length);
    for (const line of applied)
      expect(line).toMatch(/(serverside-applied|unchanged|configured|created) \(server dry run\)$/);
    expect(result).toContain('cronjob.batch/tars');
    expect(result).toContain('deployment.apps/frontend');
  });
});
