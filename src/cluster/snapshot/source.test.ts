import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../errors.js';
import type { ClusterSnapshot } from '../types.js';
import { SnapshotClusterSource } from './source.js';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const shown = (dir: string): string => path.relative(process.cwd(), path.join(FIXTURES, dir));

const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A snapshot directory on disk with the given files (path → text). */
function snapshotDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tars-snapshot-'));
  tempDirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function read(dir: string, notes: string[] = []): Promise<ClusterSnapshot> {
  return SnapshotClusterSource.fromDirectory(dir).read((m) => notes.push(m));
}

async function readError(dir: string): Promise<InputError> {
  const error: unknown = await read(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

const ns = (name: string): string =>
  `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;

describe('SnapshotClusterSource: reading', () => {
  it('reads multi-document YAML, kind: List, typed JSON lists and single JSON objects, in a fixed order', async () => {
    const snapshot = await read(path.join(FIXTURES, 'basic'));
    expect(
      snapshot.objects.map(
        (o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`,
      ),
    ).toEqual([
      'apps/v1 Deployment shop/web',
      'v1 ConfigMap shop/web-config',
      'v1 Namespace /default',
      'v1 Namespace /shop',
      'v1 Pod shop/web-7d4b9c-abcde',
      'v1 Service shop/web',
      'velero.io/v1 Schedule velero/daily',
    ]);
    expect(snapshot.source).toBe('snapshot');
    // A PodList's items carry no kind of their own: they inherit the list's.
    const pod = snapshot.objects.find((o) => o.kind === 'Pod');
    expect(pod?.metadata.ownerReferences?.[0]?.name).toBe('web-7d4b9c');
    expect(
      snapshot.objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'shop')?.metadata
        .labels,
    ).toEqual({
      team: 'web',
    });
  });

  it('without cluster.yaml, names the cluster after the directory and infers optional APIs from the objects', async () => {
    const snapshot = await read(path.join(FIXTURES, 'basic'));
    expect(snapshot.clusterName).toBe('basic');
    expect(snapshot.apiGroups).toEqual(['velero.io']);
    expect(snapshot.skipped).toEqual([]);
  });

  it('takes name, API groups and skipped kinds from cluster.yaml, which is not an object', async () => {
    const snapshot = await read(path.join(FIXTURES, 'with-info'));
    expect(snapshot.clusterName).toBe('prod-eu-1');
    expect(snapshot.apiGroups).toEqual(['argoproj.io', 'velero.io']);
    expect(snapshot.skipped).toEqual([
      {
        kind: 'PriorityClass',
        reason: 'forbidden',
        message: 'priorityclasses.scheduling.k8s.io is forbidden: User "tars" cannot list resource',
      },
    ]);
    expect(snapshot.objects.map((o) => o.kind)).toEqual(['Namespace']);
  });

  it('drops Secrets unread, whole or inside a List, and says so', async () => {
    const notes: string[] = [];
    const snapshot = await read(path.join(FIXTURES, 'basic'), notes);
    expect(snapshot.objects.some((o) => o.kind === 'Secret')).toBe(false);
    expect(JSON.stringify(snapshot)).not.toContain('hunter2');
    expect(notes).toContain(
      `dropped 2 Secrets unread (TARS never reads Secrets): ${shown('basic/apps/list.yaml')}, ${shown('basic/secret.yaml')}`,
    );
  });

  it('gives the same order whatever the file layout', async () => {
    const a = snapshotDir({ 'z.yaml': ns('b'), 'a.yaml': ns('c') + '---\n' + ns('a') });
    const b = snapshotDir({ 'one/all.yaml': [ns('a'), ns('c'), ns('b')].join('---\n') });
    const names = async (dir: string): Promise<string[]> =>
      (await read(dir)).objects.map((o) => o.metadata.name);
    expect(await names(a)).toEqual(['a', 'b', 'c']);
    expect(await names(b)).toEqual(['a', 'b', 'c']);
  });

  it('leaves the root cluster.yaml out of the objects but reads cluster.yaml deeper down', async () => {
    const dir = snapshotDir({ 'team/cluster.yaml': ns('team') });
    const snapshot = await read(dir);
    expect(snapshot.objects.map((o) => o.metadata.name)).toEqual(['team']);
    expect(snapshot.clusterName).toBe(path.basename(dir));
  });

  it('describes itself by directory', () => {
    expect(SnapshotClusterSource.fromDirectory(path.join(FIXTURES, 'basic')).describe()).toBe(
      `snapshot ${shown('basic')}`,
    );
  });
});

describe('SnapshotClusterSource: bad input', () => {
  it('a missing directory is bad input', () => {
    expect(() => SnapshotClusterSource.fromDirectory('/nonexistent/tars-snapshot')).toThrow(
      new InputError('snapshot directory /nonexistent/tars-snapshot does not exist'),
    );
  });

  it('names file, document, line and field of a bad document', async () => {
    const dir = snapshotDir({
      'pods.yaml': [
        ns('a'),
        ns('b'),
        'apiVersion: v1\nkind: Pod\nmetadata:\n  namespace: a\n  labels:\n    app: web\n  name: 42\n',
      ].join('---\n'),
    });
    const error = await readError(dir);
    // Two 4-line documents and two `---` lines: document 3 starts on line 11; `name: 42` is its 7th.
    expect(error.message).toBe(
      `${dir}/pods.yaml: document 3 (line 17): metadata.name must be a string`,
    );
  });

  it('names a missing field and a non-string label', async () => {
    const missing = snapshotDir({ 'x.yaml': 'apiVersion: v1\nmetadata:\n  name: a\n' });
    expect((await readError(missing)).message).toBe(
      `${missing}/x.yaml: document 1 (line 1): kind is required`,
    );
    const label = snapshotDir({
      'x.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels:\n    tier: web\n    replicas: 3\n',
    });
    expect((await readError(label)).message).toBe(
      `${label}/x.yaml: document 1 (line 7): metadata.labels.replicas must be a string`,
    );
  });

  it('names the item of a List, and rejects List items without a kind', async () => {
    const dir = snapshotDir({
      'list.yaml': [
        'apiVersion: v1',
        'kind: List',
        'items:',
        '  - apiVersion: v1',
        '    kind: ConfigMap',
        '    metadata:',
        '      name: ok',
        '  - apiVersion: v1',
        '    metadata:',
        '      name: no-kind',
        '',
      ].join('\n'),
    });
    expect((await readError(dir)).message).toBe(
      `${dir}/list.yaml: document 1 (line 8): items[1].kind is required`,
    );
  });

  it('locates a bad field in a JSON file', async () => {
    const dir = snapshotDir({
      'cm.json': JSON.stringify(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', annotations: { x: true } } },
        null,
        2,
      ),
    });
    expect((await readError(dir)).message).toBe(
      `${dir}/cm.json: document 1 (line 7): metadata.annotations.x must be a string`,
    );
  });

  it('a document that is not a mapping', async () => {
    const dir = snapshotDir({ 'x.yaml': ns('a') + '---\n- just\n- a list\n' });
    expect((await readError(dir)).message).toBe(
      `${dir}/x.yaml: document 2 (line 6): is not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)`,
    );
  });

  it('YAML syntax errors name file, document and line', async () => {
    const dir = snapshotDir({
      'x.yaml': ns('a') + '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b\n',
    });
    const error = await readError(dir);
    expect(error.message).toMatch(
      new RegExp(`^${dir}/x\\.yaml: document 2 \\(line \\d+\\): invalid YAML: `),
    );
    expect(error.message.split('\n')).toHaveLength(1);
    const duplicateKey = snapshotDir({
      'x.yaml': 'apiVersion: v1\nkind: Namespace\nkind: Pod\nmetadata: {name: a}\n',
    });
    expect((await readError(duplicateKey)).message).toBe(
      `${duplicateKey}/x.yaml: document 1 (line 3): invalid YAML: Map keys must be unique`,
    );
  });

  it('never quotes the source text in a YAML error', async () => {
    const dir = snapshotDir({
      'x.yaml': 'apiVersion: v1\nkind: ConfigMap\ndata:\n  password: hunter2 [\n oops\n',
    });
    const error = await readError(dir);
    expect(error.message).toMatch(
      new RegExp(`^${dir}/x\\.yaml: document 1 \\(line \\d\\): invalid YAML: `),
    );
    expect(error.message).not.toContain('hunter2');
  });

  it('a tag the fast parser rejects is reported with its line', async () => {
    const dir = snapshotDir({
      'x.yaml': `${ns('a')}---\n${ns('b')}  annotations:\n    blob: !!binary aGVsbG8=\n`,
    });
    expect((await readError(dir)).message).toBe(
      `${dir}/x.yaml (line 11): invalid YAML: unknown scalar tag !<tag:yaml.org,2002:binary>`,
    );
  });

  it('JSON syntax errors name file and line without quoting the file', async () => {
    const dir = snapshotDir({
      'x.json': '{\n  "apiVersion": "v1",\n  "kind": "Secret-ish" "value"\n}\n',
    });
    const error = await readError(dir);
    expect(error.message).toBe(
      `${dir}/x.json: document 1 (line 3): invalid JSON: Expected ',' or '}' after property value`,
    );
  });

  it('the same object in two files is an error naming both', async () => {
    const dir = snapshotDir({ 'a.yaml': ns('x'), 'sub/b.yaml': ns('y') + '---\n' + ns('x') });
    expect((await readError(dir)).message).toBe(
      `duplicate object Namespace x: in ${dir}/a.yaml (document 1) and ${dir}/sub/b.yaml (document 2)`,
    );
  });

  it('a bad cluster.yaml names file, line and field', async () => {
    const dir = snapshotDir({
      'cluster.yaml':
        'apiVersion: tars.dev/v1alpha1\nkind: ClusterInfo\nname: c\nskipped:\n  - kind: Pod\n    reason: nope\n    message: m\n',
    });
    expect((await readError(dir)).message).toBe(
      `${dir}/cluster.yaml:6: skipped[0].reason: must be one of "forbidden", "not-served", "error"`,
    );
  });
});
