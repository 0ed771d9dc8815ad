import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InputError } from '../errors.js';
import { DEFAULT_POLICY } from './defaults.js';
import { loadPolicy, validatePolicies } from './load.js';
import { POLICY_FILE_SCHEMA, POLICY_SECTION_SCHEMAS } from './schema.js';

const FIXTURES = path.relative(process.cwd(), path.join(import.meta.dirname, 'fixtures'));
const REPO_POLICIES = path.join(import.meta.dirname, '..', '..', 'policies');

const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function policyDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tars-policy-'));
  tempDirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function loadError(dir: string): string[] {
  try {
    loadPolicy(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message.split('\n');
  }
  throw new Error(`expected ${dir} to be rejected`);
}

const header = 'apiVersion: tars.dev/v1alpha1\nkind: Policy\nmetadata:\n  name: t\n';

describe('loadPolicy', () => {
  it('without a directory gives the built-in defaults, as a copy', () => {
    const policy = loadPolicy(undefined);
    expect(policy).toStrictEqual(DEFAULT_POLICY);
    expect(policy).not.toBe(DEFAULT_POLICY);
    (policy.namespaces.exclude as string[]).push('mine');
    expect(DEFAULT_POLICY.namespaces.exclude).not.toContain('mine');
  });

  it('the documented policies/default.yaml is exactly the built-in defaults', () => {
    expect(loadPolicy(REPO_POLICIES)).toStrictEqual(DEFAULT_POLICY);
  });

  it('policies/default.yaml has every section and mentions every field', () => {
    const text = readFileSync(path.join(REPO_POLICIES, 'default.yaml'), 'utf8');
    const spec = (parse(text) as { spec: Record<string, unknown> }).spec;
    expect(Object.keys(spec).sort()).toEqual(Object.keys(POLICY_SECTION_SCHEMAS).sort());
    const fields = (schema: Record<string, unknown>, where: string): string[] =>
      Object.entries(
        (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>,
      ).flatMap(([name, child]) => [`${where}.${name}`, ...fields(child, `${where}.${name}`)]);
    for (const [section, schema] of Object.entries(POLICY_SECTION_SCHEMAS)) {
      for (const field of fields(schema, section)) {
        const name = field.slice(field.lastIndexOf('.') + 1);
        expect(text, `${field} is not documented`).toMatch(new RegExp(`\\b${name}:`));
      }
    }
  });

  it('merges files in file-name order, documents in file order; lists replace, objects merge', () => {
    expect(loadPolicy(path.join(FIXTURES, 'layered'))).toStrictEqual({
      ...DEFAULT_POLICY,
      cluster: { name: 'prod-eu-1' },
      namespaces: { include: ['shop', 'payments'], exclude: ['legacy'] },
      takeover: { adoptUnmanaged: true },
      rollout: { ...DEFAULT_POLICY.rollout, phase: 4, waveSize: 7 },
    });
  });

  it('reads a single policy file when given one', () => {
    const { files, policy } = validatePolicies(path.join(FIXTURES, 'layered', 'a-base.yaml'));
    expect(files).toEqual([path.join(FIXTURES, 'layered', 'a-base.yaml')]);
    expect(policy.rollout).toEqual({ ...DEFAULT_POLICY.rollout, phase: 2, waveSize: 2 });
  });

  it('validatePolicies lists the files it read, in merge order', () => {
    expect(validatePolicies(path.join(FIXTURES, 'layered')).files).toEqual([
      path.join(FIXTURES, 'layered', 'a-base.yaml'),
      path.join(FIXTURES, 'layered', 'b-prod.yaml'),
    ]);
  });

  it('reports every error of every file with file, line and field', () => {
    const a = path.join(FIXTURES, 'bad', 'a-prod.yaml');
    const b = path.join(FIXTURES, 'bad', 'b-other.yaml');
    expect(loadError(path.join(FIXTURES, 'bad'))).toEqual([
      `invalid policy: 8 errors in ${a}, ${b}`,
      `${a}:8: spec.namespaces.exclude[1]: must match pattern "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"`,
      `${a}:10: spec.takeover.adoptUnmanaged: must be a boolean`,
      `${a}:12: spec.rollout.phase: must be one of 1, 2, 3, 4`,
      `${a}:13: spec.rollout.waveSize: must be >= 1`,
      `${a}:14: spec.rollout.wavesize: is not a known field (did you mean waveSize?)`,
      `${a}:15: spec.frobnicate: is not a known field`,
      `${b}:1: apiVersion: must be "tars.dev/v1alpha1"`,
      `${b}:7: spec.rollout.waveSize: must be an integer`,
    ]);
  });

  it('checks cron schedules with a cron parser', () => {
    const dir = policyDir({
      'p.yaml':
        'apiVersion: tars.dev/v1alpha1\nkind: Policy\nmetadata:\n  name: p\nspec:\n  bootstrap:\n    schedule: "61 * * * *"\n',
    });
    expect(loadError(dir)).toEqual([
      `invalid policy: 1 error in ${dir}/p.yaml`,
      `${dir}/p.yaml:7: spec.bootstrap.schedule: must be a cron schedule, e.g. "0 * * * *"`,
    ]);
  });

  it('refuses floors of zero (a 0 memory limit means no limit; a 0 CPU request reserves nothing)', () => {
    const dir = policyDir({
      'p.yaml': `${header}spec:\n  rightsizing:\n    cpu:\n      floor: 0m\n    memory:\n      floor: "0.0Mi"\n`,
    });
    expect(loadError(dir)).toEqual([
      `invalid policy: 2 errors in ${dir}/p.yaml`,
      `${dir}/p.yaml:8: spec.rightsizing.cpu.floor: must be a quantity greater than zero, e.g. 10m or 32Mi`,
      `${dir}/p.yaml:10: spec.rightsizing.memory.floor: must be a quantity greater than zero, e.g. 10m or 32Mi`,
    ]);
    const ok = policyDir({
      'p.yaml': `${header}spec:\n  rightsizing:\n    cpu:\n      floor: "0.5"\n`,
    });
    expect(loadPolicy(ok).rightsizing.cpu.floor).toBe('0.5');
  });

  it('takes cluster names that are folders and branch parts: dots yes, "..", ".lock" and "/" no', () => {
    const named = (name: string) =>
      policyDir({ 'p.yaml': `${header}spec:\n  cluster:\n    name: "${name}"\n` });
    expect(loadPolicy(named('prod.eu-1_a')).cluster.name).toBe('prod.eu-1_a');
    for (const bad of ['a..b', 'prod.lock', 'cluster/prod', '.hidden']) {
      expect(loadError(named(bad))[1]).toMatch(/:7: spec\.cluster\.name: must be letters, digits/);
    }
  });

  it('refuses a CPU half-life of zero (every recency weight would be 0 or NaN)', () => {
    const dir = policyDir({
      'p.yaml': `${header}spec:\n  rightsizing:\n    cpu:\n      halfLife: 0h0m\n`,
    });
    expect(loadError(dir)).toEqual([
      `invalid policy: 1 error in ${dir}/p.yaml`,
      `${dir}/p.yaml:8: spec.rightsizing.cpu.halfLife: must be a duration longer than zero, e.g. 30m`,
    ]);
    const ok = policyDir({
      'p.yaml': `${header}spec:\n  rightsizing:\n    cpu:\n      halfLife: 0h30m\n`,
    });
    expect(loadPolicy(ok).rightsizing.cpu.halfLife).toBe('0h30m');
  });

  it('names the alternatives of a field that takes a number or a keyword, once', () => {
    const dir = policyDir({
      'p.yaml':
        'apiVersion: tars.dev/v1alpha1\nkind: Policy\nmetadata:\n  name: p\nspec:\n  rightsizing:\n    cpu:\n      overRequestCost: cheap\n      levelSpread: 2\n',
      'q.yaml':
        'apiVersion: tars.dev/v1alpha1\nkind: Policy\nmetadata:\n  name: q\nspec:\n  rightsizing:\n    cpu:\n      overRequestCost: -1\n',
    });
    expect(loadError(dir)).toEqual([
      `invalid policy: 3 errors in ${dir}/p.yaml, ${dir}/q.yaml`,
      `${dir}/p.yaml:8: spec.rightsizing.cpu.overRequestCost: must be a number, or "auto"`,
      `${dir}/p.yaml:9: spec.rightsizing.cpu.levelSpread: must be <= 1`,
      `${dir}/q.yaml:8: spec.rightsizing.cpu.overRequestCost: must be >= 0, or "auto"`,
    ]);
    const ok = policyDir({
      'p.yaml':
        'apiVersion: tars.dev/v1alpha1\nkind: Policy\nmetadata:\n  name: p\nspec:\n  rightsizing:\n    cpu:\n      overRequestCost: 4\n',
    });
    expect(loadPolicy(ok).rightsizing.cpu.overRequestCost).toBe(4);
  });

  it('names a missing required field at its parent', () => {
    const dir = policyDir({
      'p.yaml': 'apiVersion: tars.dev/v1alpha1\nkind: Policy\nmetadata:\n  labels: {}\nspec: {}\n',
    });
    expect(loadError(dir)).toEqual([
      `invalid policy: 1 error in ${dir}/p.yaml`,
      `${dir}/p.yaml:3: metadata.name: is required`,
    ]);
  });

  it('reports YAML syntax errors with file and line, alongside other files’ errors', () => {
    const dir = policyDir({
      'a.yaml': `${header}spec:\n  rollout:\n    phase: 2\n    phase: 3\n`,
      'b.yaml': `${header}spec:\n  takeover: {adoptUnmanaged: false\n`,
      'c.yaml': `${header}spec:\n  rollout: {waveSize: -1}\n`,
    });
    expect(loadError(dir)).toEqual([
      `invalid policy: 3 errors in ${dir}/a.yaml, ${dir}/b.yaml, ${dir}/c.yaml`,
      `${dir}/a.yaml:8: invalid YAML: Map keys must be unique`,
      `${dir}/b.yaml:6: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }`,
      `${dir}/c.yaml:6: spec.rollout.waveSize: must be >= 1`,
    ]);
  });

  it('a spec that is not a mapping is one clear error', () => {
    const dir = policyDir({ 'p.yaml': `${header}spec:\n  rollout: 3\n` });
    expect(loadError(dir)).toEqual([
      `invalid policy: 1 error in ${dir}/p.yaml`,
      `${dir}/p.yaml:6: spec.rollout: must be an object`,
    ]);
  });

  it('ignores comment-only files and empty documents', () => {
    const dir = policyDir({
      'a.yaml': '# nothing yet\n',
      'b.yaml': `---\n${header}spec:\n  rollout: {phase: 1}\n---\n`,
    });
    expect(loadPolicy(dir).rollout.phase).toBe(1);
  });

  it('a missing directory is bad input', () => {
    expect(() => loadPolicy('/nonexistent/policies')).toThrow(
      new InputError('policy directory /nonexistent/policies does not exist'),
    );
  });
});

describe('policy schema', () => {
  /** Every object closed to unknown fields, every field described. */
  function walk(schema: Record<string, unknown>, where: string, problems: string[]): void {
    if (schema['type'] === 'object') {
      if (schema['additionalProperties'] === undefined)
        problems.push(`${where}: additionalProperties not set`);
      if (schema['additionalProperties'] === true)
        problems.push(`${where}: open to unknown fields`);
    }
    const properties = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
    for (const [name, child] of Object.entries(properties)) {
      const path = where === '' ? name : `${where}.${name}`;
      if (typeof child['description'] !== 'string' || child['description'] === '') {
        problems.push(`${path}: no description`);
      }
      walk(child, path, problems);
    }
    const items = schema['items'];
    if (typeof items === 'object' && items !== null)
      walk(items as Record<string, unknown>, `${where}[]`, problems);
  }

  it('closes every object and describes every field', () => {
    const problems: string[] = [];
    walk(POLICY_FILE_SCHEMA, '', problems);
    expect(problems).toEqual([]);
  });
});
