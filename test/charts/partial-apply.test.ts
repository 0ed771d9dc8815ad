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
import type { DesiredState } from '../../src/model/types.js';
import { createTestNamespace, testKubeconfigs } from '../support/cluster.js';

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
    const rendered = parseAllDocuments(await kubectl('kustomize', join(out, 'prod-eu')), {
      version: '1.1',
    })
      .map((doc) => doc.toJS() as { kind: string })
      .filter((object) => object.kind !== 'PriorityClass');
    const syncFile = join(work, 'sync.yaml');
    await writeFile(syncFile, rendered.map((object) => toYaml(object)).join('---\n'));
    const sync = (): Promise<string> =>
      kubectl(
        'apply',
        '--server-side',
        '--force-conflicts',
        '--field-manager=gitops-sync',
        '-f',
        syncFile,
      );

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
});
