import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  frontendHardening,
  smallModel,
  tarsNamespace,
  webRightsizing,
} from './fixtures/small-model.js';
import { renderTree } from './layout.js';
import { synthesize } from './synthesize.js';

const run = promisify(execFile);

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'tars-synth-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

async function readTree(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = new Map<string, string>();
  for (const entry of entries.filter((e) => e.isFile())) {
    const full = join(entry.parentPath, entry.name);
    files.set(relative(dir, full), await readFile(full, 'utf8'));
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

interface Rendered {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

/** `kubectl kustomize DIR`, parsed: the objects Argo CD or Flux would apply. */
async function kustomize(dir: string): Promise<Rendered[]> {
  const { stdout } = await run('kubectl', ['kustomize', dir]);
  return parseAllDocuments(stdout, { version: '1.1' }).map((doc) => doc.toJS() as Rendered);
}

function find(objects: Rendered[], kind: string, name: string): Rendered {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`${kind} ${name} not rendered`);
  return found;
}

describe('synthesize', () => {
  it('writes exactly the rendered tree under <outDir>/<cluster>', async () => {
    const model = smallModel();
    const result = await synthesize(model, out);
    expect(result.clusterDir).toBe(join(out, 'prod-eu'));
    const written = await readTree(out);
    expect([...written]).toEqual([...renderTree(model)]);
    expect(result.files).toEqual([...written.keys()].map((p) => p.slice('prod-eu/'.length)));
  });

  it('gives byte-identical trees on two runs', async () => {
    const model = smallModel([webRightsizing, frontendHardening, tarsNamespace]);
    await synthesize(model, join(out, 'a'));
    await synthesize(model, join(out, 'b'));
    expect([...(await readTree(join(out, 'b')))]).toEqual([...(await readTree(join(out, 'a')))]);
  });

  it('replaces its cluster folder whole and leaves other clusters alone', async () => {
    await mkdir(join(out, 'staging'));
    await writeFile(join(out, 'staging', 'kustomization.yaml'), 'other cluster\n');
    await synthesize(smallModel([tarsNamespace]), out);
    await synthesize(smallModel(), out);
    const tree = await readTree(out);
    expect([...tree.keys()].some((p) => p.startsWith('prod-eu/bootstrap/'))).toBe(false);
    expect(tree.get('staging/kustomization.yaml')).toBe('other cluster\n');
  });

  it('keeps the previous tree when the new one cannot be rendered', async () => {
    await synthesize(smallModel(), out);
    const before = await readTree(out);
    const clash = smallModel([{ ...smallModel().changes[0], id: 'takeover/again' }]);
    await expect(synthesize(clash, out)).rejects.toThrow(/would both write/);
    expect([...(await readTree(out))]).toEqual([...before]);
    expect(await readdir(out)).toEqual(['prod-eu']);
  });
});

describe('kubectl kustomize on the synthesized tree', () => {
  it('renders the small model: adopted objects whole, the Helm object partial', async () => {
    await synthesize(smallModel(), out);
    const objects = await kustomize(join(out, 'prod-eu'));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/web-config',
      'Deployment/frontend',
      'Deployment/web',
      'PriorityClass/batch-low',
      'Service/web',
    ]);
    const frontend = find(objects, 'Deployment', 'frontend');
    expect(frontend.metadata.annotations?.['argocd.argoproj.io/sync-options']).toBe(
      'ServerSideApply=true,Prune=false,Delete=false',
    );
    expect(frontend.spec).not.toHaveProperty('selector');
    expect(find(objects, 'Deployment', 'web').spec).toHaveProperty('selector');
  });

  it('applies patches: an adopted object is patched in place, a partial object merges a second patch', async () => {
    await synthesize(smallModel([webRightsizing, frontendHardening, tarsNamespace]), out);
    const objects = await kustomize(join(out, 'prod-eu'));
    expect(objects).toHaveLength(6);
    expect(
      find(objects, 'Namespace', 'tars').metadata.annotations?.['argocd.argoproj.io/sync-wave'],
    ).toBe('-1');

    const web = find(objects, 'Deployment', 'web');
    const webContainer = (
      web.spec as { template: { spec: { containers: Record<string, unknown>[] } } }
    ).template.spec.containers[0];
    // The patch lowered the request and its explicit null removed the CPU limit; the rest stayed.
    expect(webContainer).toMatchObject({
      image: 'ghcr.io/example/web:1.4.2',
      resources: { requests: { cpu: '150m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    });

    const frontend = find(objects, 'Deployment', 'frontend');
    expect(frontend.spec).toEqual({
      template: {
        spec: {
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'server',
              resources: { requests: { cpu: '200m', memory: '320Mi' } },
              securityContext: { allowPrivilegeEscalation: false },
            },
          ],
        },
      },
    });
  });

  it('renders a model with no changes to an empty but valid tree', async () => {
    const empty = { ...smallModel(), changes: [] };
    await synthesize(empty, out);
    expect([...(await readTree(out)).keys()]).toEqual(['prod-eu/kustomization.yaml']);
    expect(await kustomize(join(out, 'prod-eu'))).toEqual([]);
  });
});
