import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

import { stringify } from 'yaml';

import { InputError } from '../errors.js';
import { kindInfo } from './kinds.js';
import type { ClusterSnapshot, KubeObject } from './types.js';

/** The file at the snapshot's root that says which cluster it is and what the source learned. */
export const CLUSTER_INFO_FILE = 'cluster.yaml';
/** Folder for cluster-scoped objects; a namespace can never be called this (no `_` allowed). */
export const CLUSTER_SCOPED_DIR = '_cluster';

export interface WriteSnapshotOptions {
  /** More files for the same atomic write, e.g. usage history `*.om`, by path inside outDir. */
  readonly extraFiles?: Readonly<Record<string, string>>;
}

/**
 * Writes a snapshot as the snapshot source reads it: `<namespace or _cluster>/<plural>.yaml`,
 * each a sorted `kind: List`, plus `cluster.yaml`. The same snapshot always gives the same bytes.
 * The tree is built in a sibling temporary directory and renamed into place, so a reader never
 * sees half a snapshot; an existing directory is only replaced if it is a snapshot itself.
 */
export async function writeSnapshot(
  snapshot: ClusterSnapshot,
  outDir: string,
  options: WriteSnapshotOptions = {},
): Promise<string[]> {
  const target = resolve(outDir);
  await assertReplaceable(target);
  const files = snapshotFiles(snapshot);
  for (const [path, content] of Object.entries(options.extraFiles ?? {})) {
    files.set(safeRelativePath(path), content);
  }
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = join(dirname(target), `.${basename(target)}.tmp-${suffix}`);
  try {
    for (const [path, content] of files) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await writeFile(join(staging, path), content);
    }
    await swapInto(staging, target, suffix);
  } catch (e) {
    throw unwritable(target, e);
  } finally {
    // Where the staging folder could not even be made, removing it fails too (ENOTDIR): that
    // must not hide why the write failed.
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
  return [...files.keys()].sort();
}

/** Why an output path cannot be written, in words; the user chose the path, so bad input. */
const UNWRITABLE: Readonly<Record<string, string>> = {
  ENOTDIR: 'a parent is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
};

function unwritable(target: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === undefined ? undefined : UNWRITABLE[code];
  if (why === undefined) return e;
  return new InputError(`cannot write the snapshot to ${target}: ${code} (${why})`, { cause: e });
}

/** The files of a snapshot, by relative path, in a stable order. Exposed for tests and dry runs. */
export function snapshotFiles(snapshot: ClusterSnapshot): Map<string, string> {
  const groups = new Map<string, KubeObject[]>();
  for (const object of snapshot.objects) {
    const path = fileFor(object);
    const list = groups.get(path) ?? [];
    list.push(withoutManagedFields(object));
    groups.set(path, list);
  }
  const files = new Map<string, string>();
  files.set(CLUSTER_INFO_FILE, toYaml(clusterInfo(snapshot)));
  for (const path of [...groups.keys()].sort()) {
    const items = (groups.get(path) ?? []).sort(byIdentity);
    files.set(path, toYaml({ apiVersion: 'v1', kind: 'List', items }));
  }
  return files;
}

function clusterInfo(snapshot: ClusterSnapshot): Record<string, unknown> {
  return {
    apiVersion: 'tars.dev/v1alpha1',
    kind: 'ClusterInfo',
    name: snapshot.clusterName,
    apiGroups: [...snapshot.apiGroups].sort(),
    skipped: [...snapshot.skipped]
      .sort((a, b) => a.kind.localeCompare(b.kind))
      .map(({ kind, reason, message }) => ({ kind, reason, message })),
  };
}

function fileFor(object: KubeObject): string {
  const folder = object.metadata.namespace || CLUSTER_SCOPED_DIR;
  const info = kindInfo(object.kind);
  // Kinds outside READ_KINDS still get a file; the group keeps same-named kinds apart.
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  const name = info?.plural ?? `${object.kind.toLowerCase()}${group ? '.' + group : ''}`;
  return `${folder}/${name}.yaml`;
}

function byIdentity(a: KubeObject, b: KubeObject): number {
  return (
    compare(a.apiVersion, b.apiVersion) ||
    compare(a.kind, b.kind) ||
    compare(a.metadata.name, b.metadata.name)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** managedFields is bookkeeping for server-side apply and often larger than the object. */
function withoutManagedFields(object: KubeObject): KubeObject {
  if (!('managedFields' in object.metadata)) return object;
  const metadata = { ...object.metadata };
  delete metadata.managedFields;
  return { ...object, metadata };
}

function toYaml(value: unknown): string {
  // lineWidth 0: never fold long strings, so diffs of two snapshots stay line-per-field.
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

function safeRelativePath(path: string): string {
  const normalized = path.replace(/\\/g, '/');
  if (normalized.startsWith('/') || normalized.split('/').some((p) => p === '..' || p === '')) {
    throw new InputError(
      `snapshot file path "${path}" must be relative and stay inside the snapshot`,
    );
  }
  return normalized;
}

/** Refuse to replace a directory that holds something other than an earlier snapshot. */
async function assertReplaceable(target: string): Promise<void> {
  if (!existsSync(target)) return;
  const entries = await readdir(target).catch(() => {
    throw new InputError(`snapshot output ${target} exists and is not a directory`);
  });
  if (entries.length > 0 && !entries.includes(CLUSTER_INFO_FILE)) {
    throw new InputError(
      `snapshot output ${target} is a non-empty directory without ${CLUSTER_INFO_FILE}; ` +
        'refusing to replace it (choose an empty or new directory)',
    );
  }
}

async function swapInto(staging: string, target: string, suffix: string): Promise<void> {
  if (!existsSync(target)) {
    await mkdir(dirname(target), { recursive: true });
    await rename(staging, target);
    return;
  }
  const old = join(dirname(target), `.${basename(target)}.old-${suffix}`);
  await rename(target, old);
  try {
    await rename(staging, target);
  } catch (e) {
    await rename(old, target);
    throw e;
  }
  await rm(old, { recursive: true, force: true });
}
