/**
 * Reads a policy directory: every `*.yaml` / `*.yml` file in file-name order, each holding one or
 * more `kind: Policy` documents, validated against `schema.ts` with every problem reported as
 * `file:line: field: what is wrong`, then merged over the built-in defaults.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { CronExpressionParser } from 'cron-parser';
import { LineCounter, parseAllDocuments } from 'yaml';
import { InputError } from '../errors.js';
import {
  displayPath,
  formatPath,
  locateAjvErrors,
  syntaxErrorLine,
  yamlErrorText,
} from '../util/yaml-locate.js';
import { DEFAULT_POLICY } from './defaults.js';
import { mergePolicy } from './merge.js';
import type { PolicySpec } from './merge.js';
import { POLICY_FILE_SCHEMA } from './schema.js';
import type { Policy } from './types.js';

const POLICY_FILE = /\.ya?ml$/i;

interface PolicyDocument {
  spec: PolicySpec;
}

// allErrors: a user fixes every problem in one round. verbose: lets messages suggest known keys.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
// Cron schedules are checked by cron-parser, the parser the CronJob's own syntax follows.
ajv.addFormat('cron', (value: string) => {
  try {
    CronExpressionParser.parse(value);
    return true;
  } catch {
    return false;
  }
});
// A duration (its shape is the schema's pattern) longer than zero: some part is not 0.
ajv.addFormat('positive-duration', (value: string) => /[1-9]/.test(value));
// A cluster name is a folder and part of a git branch name: letters, digits, `-`, `_`, `.` (what
// `clusterFolderName` keeps), not starting with `.`, no `..`, not ending in `.lock` (git refuses
// those in a branch name).
ajv.addFormat('cluster-name', (value: string) =>
  /^(?!.*\.\.)(?!.*\.lock$)[-_A-Za-z0-9][-_.A-Za-z0-9]*$/.test(value),
);
// A quantity above zero: a nonzero digit before any suffix (`0.5` yes; `0`, `0m`, `0.0Mi` no).
ajv.addFormat('positive-quantity', (value: string) =>
  /[1-9]/.test(value.replace(/[a-zA-Z]+$/, '')),
);
const validatePolicyDocument = ajv.compile<PolicyDocument>(POLICY_FILE_SCHEMA);

/** One problem found in a policy file, at a line. */
interface Problem {
  readonly line: number;
  readonly text: string;
}

interface FileResult {
  readonly specs: PolicySpec[];
  readonly problems: Problem[];
}

/** The policy files of `dir` (or `dir` itself when it is a file), in file-name order. */
function policyFiles(dir: string): string[] {
  if (!existsSync(dir)) throw new InputError(`policy directory ${displayPath(dir)} does not exist`);
  if (!statSync(dir).isDirectory()) return [dir];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && POLICY_FILE.test(e.name) && !e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => path.join(dir, name));
}

function readPolicyFile(file: string, shown: string): FileResult {
  const text = readFileSync(file, 'utf8');
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  const result: FileResult = { specs: [], problems: [] };
  if (!Array.isArray(docs)) return result; // comments only
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const line = syntaxErrorLine(text, lineCounter, error);
        result.problems.push({
          line,
          text: `${shown}:${line}: invalid YAML: ${yamlErrorText(error.message)}`,
        });
      }
      continue;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue; // an empty document
    if (validatePolicyDocument(value)) {
      result.specs.push(value.spec);
      continue;
    }
    for (const problem of locateAjvErrors(validatePolicyDocument.errors ?? [], doc, lineCounter)) {
      const line = problem.line ?? 1;
      result.problems.push({
        line,
        text: `${shown}:${line}: ${formatPath(problem.path)}: ${problem.message}`,
      });
    }
  }
  // ajv reports in schema order; people read files top to bottom.
  result.problems.sort((a, b) => a.line - b.line);
  return result;
}

/**
 * Validates every policy file in `dir` and merges them over the defaults. Throws one InputError
 * listing every problem in every file: a summary line, then one `file:line: field: message` per
 * problem.
 */
export function validatePolicies(dir: string): { files: string[]; policy: Policy } {
  const files = policyFiles(dir);
  const shownFiles = files.map(displayPath);
  const specs: PolicySpec[] = [];
  const problems: string[] = [];
  const badFiles: string[] = [];
  files.forEach((file, index) => {
    const shown = shownFiles[index];
    const result = readPolicyFile(file, shown);
    specs.push(...result.specs);
    if (result.problems.length > 0) badFiles.push(shown);
    problems.push(...result.problems.map((p) => p.text));
  });
  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 error' : `${problems.length} errors`;
    throw new InputError(
      [`invalid policy: ${count} in ${badFiles.join(', ')}`, ...problems].join('\n'),
    );
  }
  return { files: shownFiles, policy: mergePolicy(DEFAULT_POLICY, ...specs) };
}

/** The policy to run with: the built-in defaults, overridden by the files in `dir` when given. */
export function loadPolicy(dir: string | undefined): Policy {
  if (dir === undefined) return mergePolicy(DEFAULT_POLICY);
  return validatePolicies(dir).policy;
}
