/**
 * A cluster read from disk: the directory tree `tars snapshot --out DIR` writes, or any tree of
 * `kubectl get -o yaml|json` output. Objects come back in a fixed order whatever the file layout,
 * so two plans of the same snapshot are byte-identical.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { InputError } from '../../errors.js';
import { OPTIONAL_API_GROUPS } from '../types.js';
import type { ClusterSnapshot, ClusterSource, KubeObject, SkippedKind } from '../types.js';
import {
  displayPath,
  formatPath,
  locateAjvErrors,
  syntaxErrorLine,
  yamlErrorText,
} from '../../util/yaml-locate.js';
import { parseSnapshotFile } from './parse.js';
import type { SourcedObject } from './parse.js';
import { CLUSTER_INFO_FILE, validateClusterInfo } from './schema.js';

const OBJECT_FILE = /\.(ya?ml|json)$/i;

export class SnapshotClusterSource implements ClusterSource {
  private constructor(private readonly dir: string) {}

  /** Fails at once (InputError) when `dir` is not a directory, before any reading starts. */
  static fromDirectory(dir: string): SnapshotClusterSource {
    if (!existsSync(dir))
      throw new InputError(`snapshot directory ${displayPath(dir)} does not exist`);
    if (!statSync(dir).isDirectory()) {
      throw new InputError(`snapshot ${displayPath(dir)} is not a directory`);
    }
    return new SnapshotClusterSource(path.resolve(dir));
  }

  describe(): string {
    return `snapshot ${displayPath(this.dir)}`;
  }

  async read(progress?: (message: string) => void): Promise<ClusterSnapshot> {
    const files = await objectFiles(this.dir);
    const sourced: SourcedObject[] = [];
    let droppedSecrets = 0;
    const secretFiles: string[] = [];
    for (const file of files) {
      const shown = displayPath(file);
      const parsed = parseSnapshotFile(shown, await readFile(file, 'utf8'));
      sourced.push(...parsed.objects);
      if (parsed.droppedSecrets > 0) {
        droppedSecrets += parsed.droppedSecrets;
        secretFiles.push(shown);
      }
    }
    if (droppedSecrets > 0) {
      progress?.(
        `dropped ${droppedSecrets} Secret${droppedSecrets === 1 ? '' : 's'} unread (TARS never reads Secrets): ${secretFiles.join(', ')}`,
      );
    }
    const objects = sortedUnique(sourced);
    const info = await readClusterInfo(this.dir);
    progress?.(`read ${objects.length} objects from ${files.length} files in ${this.describe()}`);
    return {
      clusterName: info?.name ?? path.basename(this.dir),
      source: 'snapshot',
      objects,
      apiGroups: info?.apiGroups ?? inferApiGroups(objects),
      skipped: info?.skipped ?? [],
    };
  }
}

/** Every object file under `dir`, in a fixed order; hidden entries, `*.om` and the root `cluster.yaml` left out. */
async function objectFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true });
    entries.sort((a, b) => compareStrings(a.name, b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(current, entry.name);
      const isDir = entry.isDirectory() || (entry.isSymbolicLink() && statSync(full).isDirectory());
      if (isDir) await walk(full);
      else if (
        OBJECT_FILE.test(entry.name) &&
        !(current === dir && entry.name === CLUSTER_INFO_FILE)
      ) {
        found.push(full);
      }
    }
  };
  await walk(dir);
  return found;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function identity(object: KubeObject): string {
  return `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
}

/** Sorted by apiVersion, kind, namespace, name; the same object twice is an error naming both places. */
function sortedUnique(sourced: readonly SourcedObject[]): KubeObject[] {
  const seen = new Map<string, SourcedObject>();
  for (const item of sourced) {
    const key = identity(item.object);
    const first = seen.get(key);
    if (first !== undefined) {
      throw new InputError(
        `duplicate object ${key}: in ${first.file} (document ${first.document}) and ${item.file} (document ${item.document})`,
      );
    }
    seen.set(key, item);
  }
  const keyed = sourced.map(({ object: o }) => ({
    object: o,
    key: [o.apiVersion, o.kind, o.metadata.namespace ?? '', o.metadata.name],
  }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      const order = compareStrings(a.key[i], b.key[i]);
      if (order !== 0) return order;
    }
    return 0;
  });
  return keyed.map((k) => k.object);
}

/** Without `cluster.yaml`, the optional APIs the objects themselves prove are served. */
function inferApiGroups(objects: readonly KubeObject[]): string[] {
  const optional = new Set<string>(OPTIONAL_API_GROUPS);
  const groups = new Set<string>();
  for (const object of objects) {
    const slash = object.apiVersion.indexOf('/');
    const group = slash === -1 ? '' : object.apiVersion.slice(0, slash);
    if (optional.has(group)) groups.add(group);
  }
  return [...groups].sort(compareStrings);
}

interface ClusterInfoRead {
  name: string;
  apiGroups: string[];
  skipped: SkippedKind[];
}

async function readClusterInfo(dir: string): Promise<ClusterInfoRead | undefined> {
  const file = path.join(dir, CLUSTER_INFO_FILE);
  if (!existsSync(file)) return undefined;
  const shown = displayPath(file);
  const lineCounter = new LineCounter();
  const text = await readFile(file, 'utf8');
  const docs = parseAllDocuments(text, { lineCounter });
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (doc === undefined || (Array.isArray(docs) && docs.length > 1)) {
    throw new InputError(`${shown}: must hold exactly one ClusterInfo document`);
  }
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    throw new InputError(
      `${shown}:${syntaxErrorLine(text, lineCounter, syntax)}: invalid YAML: ${yamlErrorText(syntax.message)}`,
    );
  }
  const value: unknown = doc.toJS();
  if (!validateClusterInfo(value)) {
    const [problem] = locateAjvErrors(validateClusterInfo.errors ?? [], doc, lineCounter);
    const where = problem?.line === undefined ? shown : `${shown}:${problem.line}`;
    throw new InputError(
      `${where}: ${problem ? `${formatPath(problem.path)}: ${problem.message}` : 'invalid ClusterInfo'}`,
    );
  }
  return {
    name: value.name,
    apiGroups: [...new Set(value.apiGroups ?? [])].sort(compareStrings),
    skipped: value.skipped ?? [],
  };
}
