import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { InputError } from '../errors.js';
import { SnapshotClusterSource } from './snapshot/index.js';
import { writeSnapshot } from './snapshot-writer.js';
import type { ClusterSnapshot, KubeObject } from './types.js';

const deploy = (namespace: string, name: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name,
    namespace,
    uid: `uid-${name}`,
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
  },
  spec: { replicas: 1 },
});

const snapshot: ClusterSnapshot = {
  clusterName: 'prod-eu',
  source: 'live',
  objects: [
    deploy('shop', 'web'),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    deploy('shop', 'api'),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' } },
  ],
  apiGroups: ['velero.io', 'argoproj.io'],
  skipped: [{ kind: 'Node', reason: 'forbidden', message: 'may not list nodes' }],
};

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'tars-snapshot-'));
}

describe('writeSnapshot', () => {
  it('writes one sorted List per namespace and kind, cluster.yaml, and no managedFields', async () => {
    const out = join(tmp(), 'snap');
    const files = await writeSnapshot(snapshot, out);
    expect(files).toEqual([
      '_cluster/namespaces.yaml',
      'cluster.yaml',
      'shop/configmaps.yaml',
      'shop/deployments.yaml',
    ]);
    const deployments = parse(readFileSync(join(out, 'shop/deployments.yaml'), 'utf8')) as {
      kind: string;
      items: KubeObject[];
    };
    expect(deployments.kind).toBe('List');
    expect(deployments.items.map((d) => d.metadata.name)).toEqual(['api', 'web']);
    expect(deployments.items[0]?.metadata).not.toHaveProperty('managedFields');
    expect(deployments.items[0]?.metadata.creationTimestamp).toBe('2026-01-01T00:00:00Z');
    expect(parse(readFileSync(join(out, 'cluster.yaml'), 'utf8'))).toEqual({
      apiVersion: 'tars.dev/v1alpha1',
      kind: 'ClusterInfo',
      name: 'prod-eu',
      apiGroups: ['argoproj.io', 'velero.io'],
      skipped: [{ kind: 'Node', reason: 'forbidden', message: 'may not list nodes' }],
    });
    // The input is not modified.
    expect(snapshot.objects[0]?.metadata).toHaveProperty('managedFields');
  });

  it('is byte-identical whatever the input order, and replaces an earlier snapshot', async () => {
    const a = join(tmp(), 'a');
    const b = join(tmp(), 'b');
    await writeSnapshot(snapshot, a);
    await writeSnapshot({ ...snapshot, objects: [...snapshot.objects].reverse() }, b);
    await writeSnapshot(snapshot, b);
    for (const file of ['cluster.yaml', 'shop/deployments.yaml', '_cluster/namespaces.yaml']) {
      expect(readFileSync(join(b, file), 'utf8')).toBe(readFileSync(join(a, file), 'utf8'));
    }
    expect(readdirSync(join(b, '..'))).toEqual(['b']);
  });

  it('reads back through the snapshot source as the same cluster', async () => {
    const out = join(tmp(), 'snap');
    await writeSnapshot(snapshot, out, { extraFiles: { 'history/usage.om': '# EOF\n' } });
    const read = await SnapshotClusterSource.fromDirectory(out).read();
    expect(read.clusterName).toBe('prod-eu');
    expect(read.apiGroups).toEqual(['argoproj.io', 'velero.io']);
    expect(read.skipped).toEqual(snapshot.skipped);
    expect(read.objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/cfg',
      'Deployment/api',
      'Deployment/web',
      'Namespace/shop',
    ]);
    expect(readFileSync(join(out, 'history/usage.om'), 'utf8')).toBe('# EOF\n');
  });

  it('refuses to replace a directory that is not a snapshot', async () => {
    const out = tmp();
    mkdirSync(join(out, 'src'));
    writeFileSync(join(out, 'README.md'), 'mine');
    await expect(writeSnapshot(snapshot, out)).rejects.toThrowError(InputError);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toBe('mine');
  });

  it('an output it cannot write is bad input naming it, with nothing left behind', async () => {
    const parent = tmp();
    writeFileSync(join(parent, 'file'), 'not a directory');
    const out = join(parent, 'file', 'snap');
    const error = await writeSnapshot(snapshot, out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      `cannot write the snapshot to ${out}: ENOTDIR (a parent is not a directory)`,
    );
    expect(readdirSync(parent)).toEqual(['file']);
  });

  it('refuses extra files that would land outside the snapshot', async () => {
    await expect(
      writeSnapshot(snapshot, join(tmp(), 's'), { extraFiles: { '../escape.om': '' } }),
    ).rejects.toThrowError(InputError);
  });
});
