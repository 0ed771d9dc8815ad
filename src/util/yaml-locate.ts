/**
 * Maps ajv validation errors back to where they sit in a YAML (or JSON) source, so a user reads
 * `policies/prod.yaml:12: spec.rollout.waveSize: must be >= 1` instead of a JSON pointer.
 *
 * Shared by the policy loader and the snapshot reader: both validate plain JS values (from
 * `doc.toJS()` or `JSON.parse`) and only come here when something is wrong.
 */
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Document, Node, ParsedNode, YAMLError } from 'yaml';

/** A path as messages show it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
    ? relative
    : path.resolve(file);
}

/** One path segment: an object key or an array index. */
export type PathSegment = string | number;

/** An ajv error rephrased for people: which field, what is wrong with it. */
export interface FieldProblem {
  /** Path of the offending field from the document root (for a missing field: the field itself). */
  readonly path: readonly PathSegment[];
  /** What is wrong, e.g. `must be >= 1`, `is required`, `is not a known field`. */
  readonly message: string;
}

export interface LocatedProblem extends FieldProblem {
  /** 1-based line in the source text; undefined when the document has no node there. */
  readonly line: number | undefined;
}

/** Decodes an ajv `instancePath` (a JSON pointer) into segments; numeric segments stay strings. */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `spec.rollout.waveSize`, `items[3].metadata.name`, `metadata.labels["app.kubernetes.io/name"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number' || /^\d+$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(document)' : out;
}

const TYPE_NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function typeMessage(expected: unknown): string {
  const types = Array.isArray(expected) ? expected : String(expected).split(',');
  return `must be ${types.map((t) => TYPE_NOUNS[String(t)] ?? String(t)).join(' or ')}`;
}

/** Known sibling keys from the schema, when ajv ran with `verbose: true`. */
function knownKeys(error: ErrorObject): string[] {
  const schema = error.parentSchema as { properties?: Record<string, unknown> } | undefined;
  return schema?.properties ? Object.keys(schema.properties) : [];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(above + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** A close known key, to turn a typo into a one-glance fix. */
function suggestion(unknown: string, known: readonly string[]): string | undefined {
  const lower = unknown.toLowerCase();
  const scored = known
    .map((k) => ({ k, d: k.toLowerCase() === lower ? 0 : editDistance(lower, k.toLowerCase()) }))
    .filter(({ d }) => d <= Math.max(1, Math.floor(unknown.length / 4)))
    .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k));
  return scored[0]?.k;
}

/** What a custom ajv format (see src/policy/load.ts) asks for, in words. */
const FORMAT_MESSAGES: Readonly<Record<string, string>> = {
  'cluster-name':
    'must be letters, digits, "-", "_" and "." (it names a folder and git branches), without "..", a leading "." or a trailing ".lock"',
  cron: 'must be a cron schedule, e.g. "0 * * * *"',
  'positive-duration': 'must be a duration longer than zero, e.g. 30m',
  'positive-quantity': 'must be a quantity greater than zero, e.g. 10m or 32Mi',
};

/**
 * Rephrases one ajv error. Never quotes the offending value: a snapshot may hold data that must
 * not end up in logs, and the field path is what the user needs.
 */
export function describeAjvError(error: ErrorObject): FieldProblem {
  const path: PathSegment[] = pointerSegments(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return { path, message: typeMessage(params['type']) };
    case 'required':
      return { path: [...path, String(params['missingProperty'])], message: 'is required' };
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const close = suggestion(key, knownKeys(error));
      const hint = close === undefined ? '' : ` (did you mean ${close}?)`;
      return { path: [...path, key], message: `is not a known field${hint}` };
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v));
      return { path, message: `must be one of ${allowed.join(', ')}` };
    }
    case 'const':
      return { path, message: `must be ${JSON.stringify(params['allowedValue'])}` };
    case 'format': {
      const wanted = FORMAT_MESSAGES[String(params['format'])];
      return { path, message: wanted ?? error.message ?? 'has the wrong format' };
    }
    case 'minLength':
      if (params['limit'] === 1) return { path, message: 'must not be empty' };
      return { path, message: error.message ?? 'is too short' };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** Line numbers (1-based) of a YAML source, from the LineCounter the parser filled. */
export function lineOf(lineCounter: LineCounter, offset: number): number {
  return Math.max(1, lineCounter.linePos(offset).line);
}

/**
 * Start offset of the node at `path` in `doc`: for a map entry the key's offset (where a reader
 * looks for the field), for a sequence item the item's. When the path leaves the document (a
 * missing field) the deepest existing node's offset is returned.
 */
export function offsetOfPath(doc: Document, path: readonly PathSegment[]): number | undefined {
  let node: Node | null | undefined = doc.contents;
  let offset = node?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (pair === undefined) break;
      const key = pair.key as ParsedNode;
      offset = key.range?.[0] ?? offset;
      node = pair.value as Node | null;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (item === undefined) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/**
 * A value matching none of a `oneOf`/`anyOf` yields one error per branch plus one for the
 * choice itself; the reader wants a single line naming the alternatives: `must be a number, or
 * "auto"`.
 */
function collapseAlternatives(errors: readonly ErrorObject[]): FieldProblem[] {
  const choices = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const branchOf = (e: ErrorObject): ErrorObject | undefined =>
    choices.find(
      (c) =>
        c !== e && c.instancePath === e.instancePath && e.schemaPath.startsWith(`${c.schemaPath}/`),
    );
  const branches = new Map<ErrorObject, string[]>();
  for (const error of errors) {
    const choice = branchOf(error);
    if (choice !== undefined) {
      branches.set(choice, [...(branches.get(choice) ?? []), describeAjvError(error).message]);
    }
  }
  return errors.flatMap((error) => {
    if (branchOf(error) !== undefined) return [];
    const described = describeAjvError(error);
    const messages = branches.get(error);
    if (messages === undefined) return [described];
    const [first, ...rest] = messages;
    const message = [first, ...rest.map((m) => m.replace(/^must be /, ''))].join(', or ');
    return [{ ...described, message }];
  });
}

/** Locates each ajv error of `doc`, dropping exact duplicates (ajv repeats some under allErrors). */
export function locateAjvErrors(
  errors: readonly ErrorObject[],
  doc: Document,
  lineCounter: LineCounter,
  pathPrefix: readonly PathSegment[] = [],
): LocatedProblem[] {
  const seen = new Set<string>();
  const located: LocatedProblem[] = [];
  for (const problem of collapseAlternatives(errors)) {
    const path = [...pathPrefix, ...problem.path];
    const offset = offsetOfPath(doc, path);
    const line = offset === undefined ? undefined : lineOf(lineCounter, offset);
    const key = `${line}\0${formatPath(path)}\0${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    located.push({ path, message: problem.message, line });
  }
  return located;
}

/**
 * Parses a single JSON (or YAML) text only to learn where things are: used after a fast
 * `JSON.parse` found a problem and a line number is wanted.
 */
export function parseForLocations(text: string): {
  doc: Document | undefined;
  lineCounter: LineCounter;
} {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  return { doc, lineCounter };
}

/** First line of a yaml parse error, without the `at line N, column M:` tail the library adds. */
export function yamlErrorText(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
}

/**
 * Line of a yaml parse error. Errors found at the end of input (an unclosed bracket) point past
 * the last line; they are reported on the last line that has text, where the reader will look.
 */
export function syntaxErrorLine(text: string, lineCounter: LineCounter, error: YAMLError): number {
  const lastLine = Math.max(1, text.trimEnd().split('\n').length);
  return Math.min(lineOf(lineCounter, error.pos[0]), lastLine);
}
