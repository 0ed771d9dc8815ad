/**
 * The model's edge check: ajv against `schema.ts` (all errors, each with its field path), then
 * the few rules a schema cannot say: change ids are unique and each change's manifest is the
 * object its target names.
 */
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { InputError } from '../errors.js';
import {
  describeAjvError,
  formatPath,
  locateAjvErrors,
  parseForLocations,
} from '../util/yaml-locate.js';
import type { PathSegment } from '../util/yaml-locate.js';
import { MODEL_SCHEMA } from './schema.js';
import type { Change, DesiredState } from './types.js';

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
const validateSchema = ajv.compile<DesiredState>(MODEL_SCHEMA);

export interface ModelProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** 1-based line in the source text, when the model came from a file. */
  readonly line?: number;
}

function identityProblems(change: Change, index: number): ModelProblem[] {
  const { target, manifest } = change;
  const here = (...rest: PathSegment[]): PathSegment[] => ['changes', index, 'manifest', ...rest];
  const problems: ModelProblem[] = [];
  const compare = (
    actual: unknown,
    expected: unknown,
    path: PathSegment[],
    field: string,
  ): void => {
    if (actual !== expected) {
      problems.push({ path, message: `must equal target.${field} (${JSON.stringify(expected)})` });
    }
  };
  compare(manifest.apiVersion, target.apiVersion, here('apiVersion'), 'apiVersion');
  compare(manifest.kind, target.kind, here('kind'), 'kind');
  compare(manifest.metadata.name, target.name, here('metadata', 'name'), 'name');
  compare(
    manifest.metadata.namespace,
    target.namespace,
    here('metadata', 'namespace'),
    'namespace',
  );
  return problems;
}

/** Rules across fields, run only on a model that already matches the schema. */
export function consistencyProblems(model: DesiredState): ModelProblem[] {
  const problems: ModelProblem[] = [];
  const firstIndexOf = new Map<string, number>();
  model.changes.forEach((change, index) => {
    const first = firstIndexOf.get(change.id);
    if (first === undefined) firstIndexOf.set(change.id, index);
    else
      problems.push({ path: ['changes', index, 'id'], message: `duplicates changes[${first}].id` });
    problems.push(...identityProblems(change, index));
  });
  return problems;
}

function formatProblems(source: string, problems: readonly ModelProblem[]): string {
  const lines = problems.map((p) => {
    const where = p.line === undefined ? '' : `:${p.line}`;
    return `  ${source}${where}: ${formatPath(p.path)}: ${p.message}`;
  });
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return `invalid desired-state model (${count}):\n${lines.join('\n')}`;
}

function schemaProblems(errors: readonly ErrorObject[], sourceText?: string): ModelProblem[] {
  if (sourceText !== undefined) {
    const { doc, lineCounter } = parseForLocations(sourceText);
    if (doc !== undefined) return locateAjvErrors(errors, doc, lineCounter);
  }
  const seen = new Set<string>();
  return errors.map(describeAjvError).filter((p) => {
    const key = `${formatPath(p.path)}\0${p.message}`;
    const fresh = !seen.has(key);
    seen.add(key);
    return fresh;
  });
}

/**
 * Checks `json` against the model schema and the consistency rules; returns it typed, or throws
 * an InputError listing every problem with its field path (and line, when `sourceText` is given).
 * `source` names the input in messages, e.g. the file name.
 */
export function validateModel(json: unknown, source = 'model', sourceText?: string): DesiredState {
  if (!validateSchema(json)) {
    throw new InputError(
      formatProblems(source, schemaProblems(validateSchema.errors ?? [], sourceText)),
    );
  }
  const problems = consistencyProblems(json);
  if (problems.length > 0) throw new InputError(formatProblems(source, problems));
  return json;
}
