import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { tarsClusterRoleRules } from '../../src/bootstrap/rbac.js';
import { KubeHttpClient } from '../../src/cluster/live/http.js';
import { LiveClusterSource } from '../../src/cluster/live/index.js';
import { DEFAULT_RETRY_POLICY } from '../../src/cluster/live/retry.js';
import { READ_KINDS, kindInfo } from '../../src/cluster/kinds.js';
import type { KindInfo } from '../../src/cluster/kinds.js';
import { writeSnapshot } from '../../src/cluster/snapshot-writer.js';
import type { ClusterSnapshot, KubeObject } from '../../src/cluster/types.js';
import { InputError, SourceUnreachableError, exitCodeFor } from '../../src/errors.js';
import { writeTokenKubeconfig } from '../cluster/kubeconfig.js';
import { freePort } from '../cluster/test-cluster.js';
import {
  createObjects,
  createTestNamespace,
  kubeConfigFrom,
  restrictedIdentity,
  testKubeconfigs,
} from '../support/cluster.js';

const labels = { app: 'web' };

/** One object of most kinds TARS reads, and a Secret that it must never read. */
function workloadObjects(ns: string) {
  const podTemplate = {
    metadata: { labels },
    spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] }] },
  };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns, labels },
      spec: { replicas: 2, selector: { matchLabels: labels }, template: podTemplate },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: ns },
      spec: {
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { ...podTemplate, metadata: { labels: { app: 'db' } } },
      },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: ns },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          spec: { template: { spec: { ...podTemplate.spec, restartPolicy: 'OnFailure' } } },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: ns },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: ns },
      spec: { minAvailable: 1, selector: { matchLabels: labels } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: ns },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-config', namespace: ns },
      data: { LOG_LEVEL: 'info' },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'web-secret', namespace: ns },
      stringData: { password: 'hunter2' },
    },
  ];
}

const inNamespace =
  (ns: string) =>
  (o: KubeObject): boolean =>
    o.metadata.namespace === ns;

describe('live cluster source, tars identity', () => {
  let ns: string;
  let snapshot: ClusterSnapshot;

  beforeAll(async () => {
    ns = await createTestNamespace('live');
    await createObjects(workloadObjects(ns));
    const source = LiveClusterSource.fromConfig({ kubeconfig: testKubeconfigs().readonly });
    const messages: string[] = [];
    snapshot = await source.read((m) => messages.push(m));
    expect(messages.some((m) => m.startsWith('listed'))).toBe(true);
  });

  it('reads back what the admin created, every kind readable, nothing skipped', () => {
    const mine = snapshot.objects
      .filter(inNamespace(ns))
      .map((o) => `${o.kind}/${o.metadata.name}`);
    expect(mine.sort()).toEqual(
      [
        'ConfigMap/web-config',
        'CronJob/nightly',
        'Deployment/web',
        'HorizontalPodAutoscaler/web',
        'NetworkPolicy/default-deny',
        'PersistentVolumeClaim/data',
        'PodDisruptionBudget/web',
        'Service/web',
        'ServiceAccount/default',
        'StatefulSet/db',
      ].sort(),
    );
    expect(snapshot.skipped).toEqual([]);
    expect(snapshot.source).toBe('live');
    expect(snapshot.clusterName).toBe(
      kubeConfigFrom(testKubeconfigs().readonly).getContextObject(
        kubeConfigFrom(testKubeconfigs().readonly).getCurrentContext(),
      )?.cluster,
    );
    expect(snapshot.objects.some((o) => o.kind === 'Namespace' && o.metadata.name === ns)).toBe(
      true,
    );
    expect(snapshot.objects.some((o) => o.kind === 'ClusterRole')).toBe(true);
  });

  it('never reads a Secret', () => {
    expect(snapshot.objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(JSON.stringify(snapshot.objects)).not.toContain('hunter2');
  });

  it('gives objects exactly as the API server prints them, with apiVersion and kind', async () => {
    const fromList = snapshot.objects.find(
      (o) => o.kind === 'Deployment' && o.metadata.namespace === ns,
    );
    const admin = new KubeHttpClient(kubeConfigFrom(testKubeconfigs().admin), {
      retry: DEFAULT_RETRY_POLICY,
      requestTimeoutMs: 10_000,
      maxSockets: 1,
    });
    try {
      const single = await admin.getJson(`/apis/apps/v1/namespaces/${ns}/deployments/web`);
      expect(fromList).toEqual(single);
    } finally {
      admin.close();
    }
    expect(fromList?.apiVersion).toBe('apps/v1');
    expect(typeof fromList?.metadata.creationTimestamp).toBe('string');
    expect(fromList?.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('writes what it read as a snapshot (tars snapshot) without managedFields', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tars-live-snap-')), 'snap');
    const files = await writeSnapshot(snapshot, out);
    expect(files).toContain(`${ns}/deployments.yaml`);
    const list = parse(readFileSync(join(out, ns, 'deployments.yaml'), 'utf8')) as {
      items: KubeObject[];
    };
    expect(list.items.map((d) => d.metadata.name)).toEqual(['web']);
    expect(list.items[0]?.metadata).not.toHaveProperty('managedFields');
    expect(readFileSync(join(out, 'cluster.yaml'), 'utf8')).toContain(
      `name: ${snapshot.clusterName}`,
    );
  });
});

describe('live cluster source, pagination', () => {
  it('reads a list larger than one page completely, each object once', async () => {
    const ns = await createTestNamespace('paged');
    const names = Array.from({ length: 30 }, (_, i) => `cm-${String(i).padStart(2, '0')}`);
    await createObjects(
      names.map((name) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: ns },
        data: { i: name },
      })),
    );
    const source = LiveClusterSource.fromConfig({
      kubeconfig: testKubeconfigs().readonly,
      pageSize: 7,
      kinds: [kindInfo('ConfigMap') as KindInfo],
    });
    const snapshot = await source.read();
    const mine = snapshot.objects.filter(inNamespace(ns)).map((o) => o.metadata.name);
    expect(mine.sort()).toEqual(names);
    const uids = snapshot.objects.map((o) => o.metadata.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });
});

describe('live cluster source, partial permissions', () => {
  it('reads what it may, and reports a forbidden kind and a kind the server does not serve', async () => {
    const ns = await createTestNamespace('partial');
    await createObjects(workloadObjects(ns).filter((o) => o.kind !== 'Secret'));
    const withoutConfigMaps = tarsClusterRoleRules().map((rule) => ({
      ...rule,
      resources: rule.resources.filter((r) => r !== 'configmaps'),
    }));
    const kubeconfig = await restrictedIdentity('no-configmaps', withoutConfigMaps);
    const veleroSchedules: KindInfo = {
      kind: 'Schedule',
      group: 'velero.io',
      version: 'v1',
      plural: 'schedules',
      namespaced: true,
    };
    const source = LiveClusterSource.fromConfig({
      kubeconfig,
      kinds: [...READ_KINDS, veleroSchedules],
    });
    const snapshot = await source.read();
    expect(snapshot.skipped.map(({ kind, reason }) => ({ kind, reason })).sort()).toEqual([
      { kind: 'ConfigMap', reason: 'forbidden' },
      { kind: 'Schedule', reason: 'not-served' },
    ]);
    expect(snapshot.skipped[0]?.message).toContain('configmaps');
    expect(snapshot.objects.some((o) => o.kind === 'ConfigMap')).toBe(false);
    expect(
      snapshot.objects.some((o) => o.kind === 'Deployment' && o.metadata.namespace === ns),
    ).toBe(true);
    expect(snapshot.apiGroups).not.toContain('velero.io');
  });
});

describe('live cluster source, bad input', () => {
  it('a missing kubeconfig is an InputError naming the file (exit 2)', () => {
    const missing = join(tmpdir(), 'tars-no-such', 'kubeconfig');
    let error: unknown;
    try {
      LiveClusterSource.fromConfig({ kubeconfig: missing });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`kubeconfig ${missing} does not exist`);
    expect(exitCodeFor(error)).toBe(2);
  });

  it('an API server nobody listens on is SourceUnreachableError naming the URL (exit 3)', async () => {
    const port = await freePort();
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'tars-closed-')), 'kubeconfig');
    const server = `https://127.0.0.1:${port}`;
    writeTokenKubeconfig(kubeconfig, { name: 'closed', server, user: 'u', token: 'x' });
    const source = LiveClusterSource.fromConfig({
      kubeconfig,
      retry: { maxAttempts: 2, baseDelayMs: 10 },
    });
    const error: unknown = await source.read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnreachableError);
    expect((error as Error).message).toContain(`cluster ${server} is unreachable`);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(exitCodeFor(error)).toBe(3);
  });

  it('refused credentials are SourceUnreachableError too, without the token', async () => {
    const real = kubeConfigFrom(testKubeconfigs().readonly).getCurrentCluster();
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'tars-badtoken-')), 'kubeconfig');
    writeTokenKubeconfig(kubeconfig, {
      name: 'bad-token',
      server: real?.server ?? '',
      caPem: real?.caData ? Buffer.from(real.caData, 'base64').toString() : undefined,
      user: 'u',
      token: 'not-a-valid-token-0123456789',
    });
    const error: unknown = await LiveClusterSource.fromConfig({ kubeconfig })
      .read()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnreachableError);
    expect((error as Error).message).toContain('401');
    expect((error as Error).message).not.toContain('not-a-valid-token');
  });
});
