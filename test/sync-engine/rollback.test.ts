/**
 * What "How to roll back" in a pull request says, checked with Argo CD's sync engine
 * (gitops-engine, built as test/sync) on the real API server, with pruning on as the Application
 * TARS bootstraps has it:
 * - a revert restores a strategic-merge patch of a manifest this tree holds (an adopted
 *   Deployment's requests);
 * - a revert does not restore a partial object (a Helm-owned Deployment's requests): its file
 *   goes, the engine skips pruning it (`Prune=false`) and the new values stay;
 * - the values from before that the pull request gives, committed in the revert in place of the
 *   partial object, restore them, and drop the CPU limit the change had added;
 * - a revert of an adoption deletes the live object, unless its manifest was first marked
 *   `Prune=false`, as the pull request says.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';

import { changeOf } from '../../src/charts/fixtures/small-model.js';
import { synthesize } from '../../src/charts/synthesize.js';
import { buildPullRequestText } from '../../src/gitops/pr-body.js';
import type { Change, DesiredState, WorkloadModel } from '../../src/model/types.js';
import { MODEL_API_VERSION } from '../../src/model/types.js';
import { adminKubeConfig, createTestNamespace, testKubeconfigs } from '../support/cluster.js';
import { filesInBody } from '../support/pr-body-files.js';
import { startRolloutStandIn } from '../sync/rollout-stand-in.js';
import type { RolloutStandIn } from '../sync/rollout-stand-in.js';
import { ensureSyncBinary, syncManifests } from '../sync/sync.js';
import type { SyncResult } from '../sync/sync.js';

const CLUSTER = 'rollback';
const IMAGE = 'registry.k8s.io/pause:3.10';

function kubectl(args: string[], input?: string): string {
  return execFileSync('kubectl', ['--kubeconfig', testKubeconfigs().admin, ...args], {
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });
}

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };

function deployment(
  namespace: string,
  name: string,
  resources: Resources,
  extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, ...extra },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: IMAGE, resources }] },
      },
    },
  };
}

function resourcesPatch(namespace: string, name: string, resources: Resources) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { template: { spec: { containers: [{ name: 'app', resources }] } } },
  };
}

function workload(
  namespace: string,
  name: string,
  managedBy: WorkloadModel['managedBy'],
  resources: Required<Resources>,
): WorkloadModel {
  return {
    ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name },
    managedBy,
    replicas: 1,
    pods: [],
    containers: [{ name: 'app', image: IMAGE, init: false, ...resources }],
  };
}

function model(namespace: string, changes: Change[]): DesiredState {
  return {
    apiVersion: MODEL_API_VERSION,
    kind: 'DesiredState',
    cluster: { name: CLUSTER, source: 'live', apiGroups: [] },
    inputs: { objects: 2, skipped: [], usageHistory: { available: true } },
    workloads: [
      workload(namespace, 'api', { tool: 'helm', name: 'api' }, API_BEFORE),
      workload(namespace, 'web', { tool: 'kubectl' }, WEB_BEFORE),
    ],
    changes,
    findings: [],
    notes: [],
    rollout: { phase: 3, wave: 1 },
  };
}

const API_BEFORE = { requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '512Mi' } };
const WEB_BEFORE = { requests: { cpu: '250m', memory: '128Mi' }, limits: {} };

interface LiveDeployment {
  spec: { template: { spec: { containers: { resources: Resources }[] } } };
}

function resourcesOf(namespace: string, name: string): Resources {
  const live = JSON.parse(
    kubectl(['get', 'deployment', name, '-n', namespace, '-o', 'json']),
  ) as LiveDeployment;
  return live.spec.template.spec.containers[0].resources;
}

describe("rolling back TARS's pull requests with Argo CD's sync engine", () => {
  let namespace: string;
  let work: string;
  let standIn: RolloutStandIn;
  const watched: string[] = [];

  beforeAll(async () => {
    await ensureSyncBinary();
    work = mkdtempSync(join(tmpdir(), 'tars-rollback-'));
    namespace = await createTestNamespace('tars-rollback');
    watched.push(namespace);
    standIn = startRolloutStandIn(adminKubeConfig(), { namespaces: () => watched });
    // The live state: `api` installed by Helm, `web` applied with kubectl.
    const api = deployment(namespace, 'api', API_BEFORE, {
      labels: { 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { 'meta.helm.sh/release-name': 'api' },
    });
    kubectl(['create', '--field-manager=helm', '-f', '-'], stringify(api));
    kubectl(['apply', '-f', '-'], stringify(deployment(namespace, 'web', WEB_BEFORE)));
  }, 1_800_000);

  afterAll(async () => {
    await standIn?.stop();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  /** Synthesizes `changes` and syncs the cluster folder as Argo CD would, pruning. */
  async function sync(
    changes: Change[],
    replace: ReadonlyMap<string, string> = new Map(),
    app = namespace,
  ): Promise<SyncResult> {
    const out = mkdtempSync(join(work, 'tree-'));
    await synthesize(model(namespace, changes), out);
    for (const [path, content] of replace) writeFileSync(join(out, path), content);
    const result = await syncManifests({
      kubeconfig: testKubeconfigs().admin,
      app,
      manifestsYaml: kubectl(['kustomize', join(out, CLUSTER)]),
      prune: true,
      // No garbage collector here to finish a foreground deletion (Argo CD's default).
      prunePropagation: 'background',
    });
    expect(result.error, result.message).toBeUndefined();
    expect(result.phase).toBe('Succeeded');
    return result;
  }

  it('restores the adopted manifest on revert, not the partial object, until the values from before are committed', async () => {
    const adoptWeb = changeOf(
      'takeover',
      'adopt',
      'Adopt Deployment web',
      deployment(namespace, 'web', WEB_BEFORE),
    );
    const webPatch = changeOf(
      'rightsizing',
      'patch',
      'web: cpu request 250m → 100m',
      resourcesPatch(namespace, 'web', { requests: { cpu: '100m' } }),
    );
    const apiPatch = changeOf(
      'rightsizing',
      'patch',
      'api: cpu request 500m → 200m, CPU limit 1',
      resourcesPatch(namespace, 'api', { requests: { cpu: '200m' }, limits: { cpu: '1' } }),
    );
    // Base holds the adoption; the pull request adds both right-sizing patches.
    await sync([adoptWeb]);
    await sync([adoptWeb, webPatch, apiPatch]);
    expect(resourcesOf(namespace, 'web').requests).toEqual({ cpu: '100m', memory: '128Mi' });
    expect(resourcesOf(namespace, 'api')).toEqual({
      requests: { cpu: '200m', memory: '256Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });

    const { body } = buildPullRequestText({
      model: model(namespace, [adoptWeb, webPatch, apiPatch]),
      concern: 'rightsizing',
    });
    expect(body).toContain(`**Restored by the revert**: Deployment ${namespace}/web.`);
    expect(body).toContain(`**Not restored by the revert**: Deployment ${namespace}/api.`);

    // The revert alone: web is back, api keeps the new values, its pruning skipped.
    const reverted = await sync([adoptWeb]);
    expect(resourcesOf(namespace, 'web').requests).toEqual({ cpu: '250m', memory: '128Mi' });
    expect(resourcesOf(namespace, 'api')).toEqual({
      requests: { cpu: '200m', memory: '256Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
    expect(reverted.resources.find((r) => r.name === 'api')).toMatchObject({
      action: 'pruneskipped',
    });

    // The revert as the pull request says: the partial object's file kept, with the values from
    // before in it.
    const path = `${CLUSTER}/${namespace}/patches/deployment-api.rightsizing.yaml`;
    const previous = filesInBody(body).get(path);
    expect(previous, body).toBeDefined();
    await sync([adoptWeb, apiPatch], new Map([[path, previous!]]));
    expect(resourcesOf(namespace, 'api')).toEqual(API_BEFORE);
    expect(resourcesOf(namespace, 'web').requests).toEqual({ cpu: '250m', memory: '128Mi' });
  });

  it('deletes adopted objects on revert, except those first marked Prune=false', async () => {
    const app = `${namespace}-adopt`;
    const live = (name: string) => deployment(namespace, name, WEB_BEFORE);
    const adopt = (name: string, annotations?: Record<string, string>): Change => {
      const manifest = live(name);
      return changeOf('takeover', 'adopt', `Adopt Deployment ${name}`, {
        ...manifest,
        metadata: { ...manifest.metadata, ...(annotations ? { annotations } : {}) },
      });
    };
    for (const name of ['gone', 'kept', 'stays'])
      kubectl(['apply', '-f', '-'], stringify(live(name)));
    await sync([adopt('gone'), adopt('kept'), adopt('stays')], new Map(), app);

    const { body } = buildPullRequestText({
      model: model(namespace, [adopt('gone'), adopt('kept')]),
      concern: 'takeover',
    });
    expect(body).toContain(
      `**Deleted from the cluster by the revert**: Deployment ${namespace}/gone, Deployment ${namespace}/kept.`,
    );
    expect(body).toContain('`ServerSideApply=true,Prune=false`');

    // The first step the pull request gives, for `kept` only; then the revert of both.
    const keep = { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true,Prune=false' };
    await sync([adopt('gone'), adopt('kept', keep), adopt('stays')], new Map(), app);
    const reverted = await sync([adopt('stays')], new Map(), app);
    const actions = Object.fromEntries(reverted.resources.map((r) => [r.name, r.action]));
    expect(actions).toMatchObject({ gone: 'pruned', kept: 'pruneskipped', stays: 'unchanged' });
    const names = kubectl(['get', 'deployments', '-n', namespace, '-o', 'name']);
    expect(names).not.toContain('deployment.apps/gone');
    expect(names).toContain('deployment.apps/kept');
  });
});
