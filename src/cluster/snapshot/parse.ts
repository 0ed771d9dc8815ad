/**
 * Turns the text of one snapshot file into Kubernetes objects, checking each document's envelope.
 * A file may hold one object, several YAML documents, or a `kind: List` (or a typed list such as
 * `PodList`) as `kubectl get -o yaml|json` prints it. Secrets are dropped here, before anything
 * else looks at them.
 */
import type { ValidateFunction } from 'ajv';
import { loadAll, YAMLException } from 'js-yaml';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { Document } from 'yaml';
import { errorMessage, InputError } from '../../errors.js';
import type { KubeObject } from '../types.js';
import {
  describeAjvError,
  formatPath,
  lineOf,
  offsetOfPath,
  syntaxErrorLine,
  yamlErrorText,
} from '../../util/yaml-locate.js';
import type { PathSegment } from '../../util/yaml-locate.js';
import { validateListEnvelope, validateObjectEnvelope } from './schema.js';

export interface SourcedObject {
  readonly object: KubeObject;
  /** The file as shown in messages. */
  readonly file: string;
  /** 1-based index of the YAML document within the file. */
  readonly document: number;
}

export interface ParsedFile {
  readonly objects: SourcedObject[];
  /** Secrets found and dropped unread. */
  droppedSecrets: number;
}

/** Where a document's fields are, found lazily: only an error needs a line number. */
type LineFinder = (path: readonly PathSegment[]) => number | undefined;

interface DocumentContext {
  readonly file: string;
  readonly document: number;
  readonly lineOf: LineFinder;
}

function documentError(
  ctx: DocumentContext,
  path: readonly PathSegment[],
  message: string,
): InputError {
  const line = ctx.lineOf(path);
  const where = `${ctx.file}: document ${ctx.document}${line === undefined ? '' : ` (line ${line})`}`;
  const what = path.length === 0 ? message : `${formatPath(path)} ${message}`;
  return new InputError(`${where}: ${what}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function check(
  validate: ValidateFunction,
  value: unknown,
  ctx: DocumentContext,
  prefix: readonly PathSegment[],
): void {
  if (validate(value)) return;
  const first = validate.errors?.[0];
  if (first === undefined) throw documentError(ctx, prefix, 'is not a valid Kubernetes object');
  const problem = describeAjvError(first);
  throw documentError(ctx, [...prefix, ...problem.path], problem.message);
}

function isSecret(value: unknown): boolean {
  return isPlainObject(value) && value['kind'] === 'Secret';
}

/** `kind: List`, or a typed list (`PodList`) whose items the API server prints without a kind. */
function isList(value: Record<string, unknown>): boolean {
  const kind = value['kind'];
  if (kind === 'List') return true;
  return typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value['items']);
}

/**
 * Items of a typed list (`DeploymentList` straight from the API) lack apiVersion and kind: they
 * are the list's. A plain `List` mixes kinds, so there each item must say what it is.
 */
function withListIdentity(item: unknown, list: Record<string, unknown>): unknown {
  const listKind = list['kind'] as string;
  if (listKind === 'List' || !isPlainObject(item)) return item;
  return {
    apiVersion: list['apiVersion'],
    kind: listKind.slice(0, -'List'.length),
    ...item,
  };
}

interface DocumentObjects {
  objects: KubeObject[];
  droppedSecrets: number;
}

function objectsOfDocument(value: unknown, ctx: DocumentContext): DocumentObjects {
  if (!isPlainObject(value)) {
    throw documentError(
      ctx,
      [],
      'is not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)',
    );
  }
  if (isSecret(value)) return { objects: [], droppedSecrets: 1 };
  if (!isList(value)) {
    check(validateObjectEnvelope, value, ctx, []);
    return { objects: [value as KubeObject], droppedSecrets: 0 };
  }
  check(validateListEnvelope, value, ctx, []);
  const result: DocumentObjects = { objects: [], droppedSecrets: 0 };
  (value['items'] as unknown[]).forEach((rawItem, index) => {
    const item = withListIdentity(rawItem, value);
    if (isSecret(item)) {
      result.droppedSecrets++;
      return;
    }
    check(validateObjectEnvelope, item, ctx, ['items', index]);
    result.objects.push(item as KubeObject);
  });
  return result;
}

function yamlLineFinder(doc: Document, lineCounter: LineCounter): LineFinder {
  return (path) => {
    const offset = offsetOfPath(doc, path);
    return offset === undefined ? undefined : lineOf(lineCounter, offset);
  };
}

/**
 * Line finders for the documents of `text`, built on first use: only an error needs them, and
 * the `yaml` parse that keeps source ranges is several times slower than the one that found it.
 */
function lazyLineFinders(text: string, documentCount: number): (index: number) => LineFinder {
  let documents: { docs: Document[]; lineCounter: LineCounter } | undefined;
  return (index) => (path) => {
    if (documents === undefined) {
      const lineCounter = new LineCounter();
      const parsed = parseAllDocuments(text, { lineCounter });
      documents = { docs: Array.isArray(parsed) ? parsed : [], lineCounter };
    }
    const doc = documents.docs[index];
    // Both parsers split documents alike; should they ever disagree, no line beats a wrong one.
    if (doc === undefined || documents.docs.length !== documentCount) return undefined;
    return yamlLineFinder(doc, documents.lineCounter)(path);
  };
}

/**
 * js-yaml reads big `kubectl get -o yaml` dumps several times faster than `yaml`, which is kept
 * for locating problems. Core schema (no timestamps, no merge keys), like `yaml`'s default.
 */
function parseYaml(file: string, text: string): ParsedFile {
  let values: unknown[];
  try {
    values = loadAll(text, { maxAliases: 100, maxDepth: 512 });
  } catch (e) {
    throw yamlSyntaxError(file, text, e);
  }
  const lineFinder = lazyLineFinders(text, values.length);
  const parsed: ParsedFile = { objects: [], droppedSecrets: 0 };
  values.forEach((value, index) => {
    if (value === null || value === undefined) return; // an empty document, e.g. a trailing `---`
    const document = index + 1;
    const ctx = { file, document, lineOf: lineFinder(index) };
    collect(parsed, objectsOfDocument(value, ctx), file, document);
  });
  return parsed;
}

/** Names document and line of a syntax error, in `yaml`'s words when it agrees there is one. */
function yamlSyntaxError(file: string, text: string, e: unknown): InputError {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  const index = Array.isArray(docs) ? docs.findIndex((d) => d.errors.length > 0) : -1;
  const syntax = index === -1 ? undefined : (docs as Document[])[index]?.errors[0];
  if (syntax !== undefined) {
    const line = syntaxErrorLine(text, lineCounter, syntax);
    return new InputError(
      `${file}: document ${index + 1} (line ${line}): invalid YAML: ${yamlErrorText(syntax.message)}`,
      { cause: e },
    );
  }
  // Only the reason: js-yaml's full message quotes the source, which may hold anything.
  const reason = e instanceof YAMLException ? e.reason : errorMessage(e);
  const line = e instanceof YAMLException && e.mark ? ` (line ${e.mark.line + 1})` : '';
  return new InputError(`${file}${line}: invalid YAML: ${reason}`, { cause: e });
}

/** JSON.parse is far faster than any YAML parse on big `kubectl get -o json` dumps. */
function parseJson(file: string, text: string): ParsedFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw jsonSyntaxError(file, text, e);
  }
  const parsed: ParsedFile = { objects: [], droppedSecrets: 0 };
  const ctx = { file, document: 1, lineOf: lazyLineFinders(text, 1)(0) };
  collect(parsed, objectsOfDocument(value, ctx), file, 1);
  return parsed;
}

function jsonSyntaxError(file: string, text: string, e: unknown): InputError {
  const message = e instanceof Error ? e.message : String(e);
  const position = /at position (\d+)/.exec(message)?.[1];
  const line =
    position === undefined
      ? yamlSyntaxLine(text)
      : text.slice(0, Number(position)).split('\n').length;
  // V8 quotes the text around the problem; a snapshot may hold data that has no place in logs.
  const reason = message
    .replace(/^(Unexpected token .*?),? ".*$/s, '$1')
    .replace(/ in JSON at position.*$/s, '');
  const where = line === undefined ? '' : ` (line ${line})`;
  return new InputError(`${file}: document 1${where}: invalid JSON: ${reason}`, { cause: e });
}

/** Where a YAML parser (JSON's superset) stumbles, for JSON errors V8 gives no position for. */
function yamlSyntaxLine(text: string): number | undefined {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  const error = Array.isArray(docs) ? docs.flatMap((d) => d.errors)[0] : undefined;
  return error === undefined ? undefined : lineOf(lineCounter, error.pos[0]);
}

function collect(into: ParsedFile, found: DocumentObjects, file: string, document: number): void {
  for (const object of found.objects) into.objects.push({ object, file, document });
  into.droppedSecrets += found.droppedSecrets;
}

/** Parses one snapshot file; `file` is the name used in messages. */
export function parseSnapshotFile(file: string, text: string): ParsedFile {
  return file.toLowerCase().endsWith('.json') ? parseJson(file, text) : parseYaml(file, text);
}
