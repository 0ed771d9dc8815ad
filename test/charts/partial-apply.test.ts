/**
 * The claim behind partial objects (src/charts/layout.ts, docs/generated-tree.md), checked on the
 * real API server: a Helm-owned Deployment, then the kustomize rendering of the synthesized tree
 * applied with server-side apply as a GitOps controller does. Only the fields TARS lists change;
 * everything Helm set stays; a second sync changes nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  frontendHardening,
  smallModel,
  webRightsizing,
} from '../../src/charts/fixtures/small-model.js';
import { toYaml } from '../../src/charts/layout.js';
import { synthesize } from '../../src/charts/synthesize.js';
import { buildPullRequestText } from '../../src/gitops/pr-body.js';
import type { Change, DesiredState } from '../../src/model/types.js';
import { createTestNamespace, testKubeconfigs } from '../support/cluster.js';
import { filesInBody } from '../support/pr-body-files.js';

const run = promisify(execFile);

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tars-ssa-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', testKubeconfigs().admin, ...args]);
  return stdout;
}

/** The fixture model with namespace `shop` renamed, so each run has its own namespace. */
function inNamespace(model: DesiredState, namespace: string): DesiredState {
  return JSON.parse(
    JSON.stringify(model).replaceAll('"shop"', JSON.stringify(namespace)),
  ) as DesiredState;
}

/** The Deployment as its Helm release installed it. */
function helmDeployment(namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'frontend',
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: {
        'meta.helm.sh/release-name': 'frontend',
        'meta.helm.sh/release-namespace': namespace,
      },
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'frontend' } },
      template: {
        metadata: { labels: { app: 'frontend' } },
        spec: {
          containers: [
            {
              name: 'server',
              image: 'ghcr.io/example/frontend:2.0',
              resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
            },
          ],
        },
      },
    },
  };
}

interface Deployment {
  metadata: { resourceVersion: string; annotations: Record<string, string> };
  spec: {
    replicas: number;
    selector: unknown;
    template: { spec: { securityContext?: unknown; containers: Record<string, unknown>[] } };
  };
}

async function getFrontend(namespace: string): Promise<Deployment> {
  return JSON.parse(
    await kubectl('get', 'deployment', 'frontend', '-n', namespace, '-o', 'json'),
  ) as Deployment;
}

/**
 * What Argo CD or Flux apply of a synthesized cluster folder: its kustomize rendering, minus the
 * cluster-scoped PriorityClass other tests share, applied with server-side apply under one
 * field manager, taking the fields it sets (GitOps controllers force conflicts).
 */
async function syncTree(clusterDir: string): Promise<string> {
  // Parsed as YAML 1.1, like kubectl: a 1.2 round trip would turn "yes" into a boolean.
  const rendered = parseAllDocuments(await kubectl('kustomize', clusterDir), { version: '1.1' })
    .map((doc) => doc.toJS() as { kind: string })
    .filter((object) => object.kind !== 'PriorityClass');
  const syncFile = join(work, `sync-${Date.now()}.yaml`);
  await writeFile(syncFile, rendered.map((object) => toYaml(object)).join('---\n'));
  return kubectl(
    'apply',
    '--server-side',
    '--force-conflicts',
    '--field-manager=gitops-sync',
    '-f',
    syncFile,
  );
}

describe('partial objects applied with server-side apply', () => {
  it('patch only their fields of a Helm-owned Deployment, and a second sync is a no-op', async () => {
    const namespace = await createTestNamespace('tars-ssa');
    const helmFile = join(work, 'helm.yaml');
    await writeFile(helmFile, toYaml(helmDeployment(namespace)));
    await kubectl('create', '--field-manager=helm', '-f', helmFile);

    const out = join(work, 'generated');
    await synthesize(inNamespace(smallModel([webRightsizing, frontendHardening]), namespace), out);
    // What Argo CD or Flux would apply, minus the cluster-scoped PriorityClass other tests share.
    // Parsed as YAML 1.1, like kubectl: a 1.2 round trip would turn "yes" into a boolean.
    const sync = (): Promise<string> => syncTree(join(out, 'prod-eu'));

    await sync();
    const patched = await getFrontend(namespace);
    expect(patched.spec.replicas).toBe(3);
    expect(patched.spec.selector).toEqual({ matchLabels: { app: 'frontend' } });
    expect(patched.spec.template.spec.securityContext).toEqual({
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(patched.spec.template.spec.containers).toHaveLength(1);
    expect(patched.spec.template.spec.containers[0]).toMatchObject({
      name: 'server',
      image: 'ghcr.io/example/frontend:2.0',
      resources: { requests: { cpu: '200m', memory: '320Mi' }, limits: { memory: '1Gi' } },
      securityContext: { allowPrivilegeEscalation: false },
    });
    expect(patched.metadata.annotations['meta.helm.sh/release-name']).toBe('frontend');
    expect(patched.metadata.annotations['argocd.argoproj.io/sync-options']).toBe(
      'ServerSideApply=true,Prune=false,Delete=false',
    );

    await sync();
    expect((await getFrontend(namespace)).metadata.resourceVersion).toBe(
      patched.metadata.resourceVersion,
    );
  });

  it('are restored by the values from before that the pull request gives, which also drop a field TARS added', async () => {
    const namespace = await createTestNamespace('tars-ssa-back');
    const helmFile = join(work, 'helm-back.yaml');
    await writeFile(helmFile, toYaml(helmDeployment(namespace)));
    await kubectl('create', '--field-manager=helm', '-f', helmFile);

    // Right-sizing of Helm's frontend as a partial object, adding a CPU limit it had none of.
    const base = smallModel([frontendHardening]);
    const withCpuLimit = (change: Change): Change => {
      if (change.concern !== 'rightsizing') return change;
      const container = {
        name: 'server',
        resources: { requests: { cpu: '200m', memory: '320Mi' }, limits: { cpu: '1' } },
      };
      return {
        ...change,
        manifest: { ...change.manifest, spec: { template: { spec: { containers: [container] } } } },
      };
    };
    const model = inNamespace({ ...base, changes: base.changes.map(withCpuLimit) }, namespace);
    const out = join(work, 'generated-back');
    await synthesize(model, out);
    await syncTree(join(out, 'prod-eu'));
    const changed = await getFrontend(namespace);
    expect(changed.spec.template.spec.containers[0]).toMatchObject({
      resources: {
        requests: { cpu: '200m', memory: '320Mi' },
        limits: { cpu: '1', memory: '1Gi' },
      },
    });

    // The reviewer commits the file the pull request gives in place of the partial object.
    const { body } = buildPullRequestText({ model, concern: 'rightsizing' });
    const path = `prod-eu/${namespace}/patches/deployment-frontend.rightsizing.yaml`;
    const previous = filesInBody(body).get(path);
    expect(previous, body).toBeDefined();
    await writeFile(join(out, path), previous!);
    await syncTree(join(out, 'prod-eu'));

    const restored = await getFrontend(namespace);
    expect(restored.spec.template.spec.containers[0]).toMatchObject({
      image: 'ghcr.io/example/frontend:2.0',
      resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
    });
    const limits = (restored.spec.template.spec.containers[0]['resources'] as { limits: object })
      .limits;
    expect(limits).toEqual({ memory: '1Gi' });
    expect(restored.spec.replicas).toBe(3);
    // The other concern's patch of the same partial object still applies.
    expect(restored.spec.template.spec.securityContext).toEqual({
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });
});
