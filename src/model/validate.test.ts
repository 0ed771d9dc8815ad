import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { smallModel } from '../charts/fixtures/small-model.js';
import { validateModel } from './validate.js';

type Path = readonly (string | number)[];

/** A deep, plain copy of the fixture, to break on purpose. */
function brokenCopy(): unknown {
  return JSON.parse(JSON.stringify(smallModel())) as unknown;
}

function parentOf(root: unknown, path: Path): Record<string | number, unknown> {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  return node;
}

function setPath(root: unknown, path: Path, value: unknown): void {
  parentOf(root, path)[path.at(-1)!] = value;
}

function getPath(root: unknown, path: Path): unknown {
  return parentOf(root, path)[path.at(-1)!];
}

function deletePath(root: unknown, path: Path): void {
  delete parentOf(root, path)[path.at(-1)!];
}

function problemsOf(json: unknown): string {
  try {
    validateModel(json, 'model.json');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected the model to be rejected');
}

describe('validateModel', () => {
  it('accepts a model that uses every field and returns it unchanged', () => {
    const model = smallModel();
    expect(validateModel(JSON.parse(JSON.stringify(model)))).toEqual(model);
  });

  it('accepts the failures a change fixes, and refuses an empty list of them', () => {
    const json = brokenCopy();
    setPath(json, ['changes', 0, 'fixes'], ['OOM kills of container server']);
    expect(validateModel(json).changes[0].fixes).toEqual(['OOM kills of container server']);
    setPath(json, ['changes', 0, 'fixes'], []);
    expect(problemsOf(json)).toContain('changes[0].fixes: must NOT have fewer than 1 items');
  });

  it("accepts a change's values from before (a partial object), and refuses one without a kind", () => {
    const json = brokenCopy();
    const previous = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { targetCPUUtilizationPercentage: 60 },
    };
    setPath(json, ['changes', 0, 'previous'], previous);
    expect(validateModel(json).changes[0].previous).toEqual(previous);
    deletePath(json, ['changes', 0, 'previous', 'kind']);
    expect(problemsOf(json)).toContain('changes[0].previous');
  });

  it('lists every schema problem with its field path, not just the first', () => {
    const json = brokenCopy();
    setPath(json, ['changes', 0, 'action'], 'delete');
    setPath(json, ['changes', 1, 'target', 'namespace'], 'Not_A_Namespace');
    setPath(json, ['workloads', 0, 'managedBy', 'tool'], 'terraform');
    setPath(json, ['rollout'], { phase: 7, wave: 1 });
    setPath(json, ['extra'], true);
    deletePath(json, ['notes']);
    const message = problemsOf(json);
    expect(message).toMatch(/^invalid desired-state model \(6 problems\):/);
    expect(message).toContain(
      'model.json: changes[0].action: must be one of "adopt", "create", "patch"',
    );
    expect(message).toContain('model.json: changes[1].target.namespace: must match pattern');
    expect(message).toContain('model.json: workloads[0].managedBy.tool: must be one of');
    expect(message).toContain('model.json: rollout.phase: must be one of 1, 2, 3, 4');
    expect(message).toContain('model.json: extra: is not a known field');
    expect(message).toContain('model.json: notes: is required');
  });

  it('rejects object names that could leave the output folder', () => {
    for (const name of ['..', 'a/b']) {
      const json = brokenCopy();
      setPath(json, ['changes', 0, 'target', 'name'], name);
      setPath(json, ['changes', 0, 'manifest', 'metadata', 'name'], name);
      expect(problemsOf(json)).toContain('changes[0].target.name: must match pattern');
    }
  });

  it('rejects a manifest that is not the object its target names', () => {
    const json = brokenCopy();
    setPath(json, ['changes', 0, 'manifest', 'metadata', 'name'], 'other');
    setPath(json, ['changes', 1, 'manifest', 'metadata', 'namespace'], 'elsewhere');
    const message = problemsOf(json);
    expect(message).toContain('changes[0].manifest.metadata.name: must equal target.name ("web")');
    expect(message).toContain(
      'changes[1].manifest.metadata.namespace: must equal target.namespace ("shop")',
    );
  });

  it('rejects duplicate change ids', () => {
    const json = brokenCopy();
    setPath(json, ['changes', 2, 'id'], getPath(json, ['changes', 0, 'id']));
    expect(problemsOf(json)).toContain('changes[2].id: duplicates changes[0].id');
  });

  it('rejects what is not a model at all', () => {
    expect(problemsOf([])).toContain('model.json: (document): must be an object');
    expect(problemsOf({ apiVersion: 'tars.dev/v0', kind: 'DesiredState' })).toContain(
      'apiVersion: must be "tars.dev/v1alpha1"',
    );
  });
});
