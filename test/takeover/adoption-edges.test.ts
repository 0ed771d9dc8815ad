// Takeover edge cases found against the real API server: each object is made by hand as a user
// or a controller would make it, adopted through the live source, then checked the way Argo CD
// would use the manifest (server-side apply with its field manager) or Git would recreate it.
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.js';
import {
  applyAsArgoCd,
  create,
  kubectl,
  liveObjects,
  manifestOf,
  plan,
  readLive,
  yamlOf,
} from './live-support.js';
import type { Json } from './live-support.js';

const statefulSet = (ns: string, name: string): Json => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace: ns },
  spec: {
    serviceName: name,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'db', image: 'postgres:16' }] },
    },
  },
});

describe('takeover edge cases in a real API server', () => {
  it('keeps clusterIP None: a headless Service recreated from Git is still headless', async () => {
    const ns = await createTestNamespace('headless');
    create([
      statefulSet(ns, 'db'),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'db', namespace: ns },
        spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] },
      },
    ]);
    const adopted = plan(await readLive([ns]));
    const service = manifestOf(adopted, 'Service', 'db');
    expect(service.spec).toEqual({
      clusterIP: 'None',
      selector: { app: 'db' },
      ports: [{ port: 5432 }],
    });

    kubectl(['delete', '-n', ns, 'service/db']);
    applyAsArgoCd([service]);
    const recreated = JSON.parse(kubectl(['get', '-n', ns, 'service/db', '-o', 'json'])) as {
      spec: Json;
    };
    expect(recreated.spec.clusterIP).toBe('None');
  });

  it('keeps a node port a client chose, drops the ones the API server allocated', async () => {
    const ns = await createTestNamespace('nodeport');
    // Node ports are cluster-wide: a random one, so parallel runs do not collide.
    const chosen = randomInt(30000, 32768);
    create([
      statefulSet(ns, 'web'),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: ns },
        spec: {
          type: 'NodePort',
          selector: { app: 'web' },
          ports: [
            { name: 'http', port: 80, targetPort: 8080, nodePort: chosen },
            { name: 'metrics', port: 9090 },
          ],
        },
      },
    ]);
    const live = JSON.parse(kubectl(['get', '-n', ns, 'service/web', '-o', 'json'])) as {
      spec: { clusterIP: string; ports: Json[] };
    };
    expect(live.spec.ports[1]?.nodePort).toEqual(expect.any(Number));

    const adopted = plan(await readLive([ns]));
    const service = manifestOf(adopted, 'Service', 'web');
    expect(service.spec).toEqual({
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [
        { name: 'http', port: 80, targetPort: 8080, nodePort: chosen },
        { name: 'metrics', port: 9090 },
      ],
    });
    for (const line of applyAsArgoCd([service], true))
      expect(line).toMatch(/ serverside-applied \(server dry run\)$/);

    // Argo CD's sync leaves the allocated node port and cluster IP alone ...
    applyAsArgoCd([service]);
    const synced = JSON.parse(kubectl(['get', '-n', ns, 'service/web', '-o', 'json'])) as {
      spec: Json;
    };
    expect(synced.spec).toEqual(live.spec);
    // ... and Git gives the chosen one back.
    kubectl(['delete', '-n', ns, 'service/web']);
    applyAsArgoCd([service]);
    const recreated = JSON.parse(kubectl(['get', '-n', ns, 'service/web', '-o', 'json'])) as {
      spec: { ports: Json[] };
    };
    expect(recreated.spec.ports[0]?.nodePort).toBe(chosen);
  });

  it('does not adopt objects another object controls (an operator), nor what only they use', async () => {
    const ns = await createTestNamespace('owned');
    // The owner stands in for an operator's custom resource.
    create([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'operator-state', namespace: ns } },
    ]);
    const owner = JSON.parse(
      kubectl(['get', '-n', ns, 'configmap/operator-state', '-o', 'json']),
    ) as {
      metadata: { uid: string };
    };
    const ownerReferences = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: 'operator-state',
        uid: owner.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
    const owned = (obj: Json): Json => ({
      ...obj,
      metadata: { ...(obj.metadata as Json), ownerReferences },
    });
    const service = (name: string, app: string): Json => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns },
      spec: { selector: { app }, ports: [{ port: 80 }] },
    });
    create([
      owned(statefulSet(ns, 'operated')),
      owned(service('operated', 'operated')),
      statefulSet(ns, 'web'),
      service('web', 'web'),
      owned(service('web-metrics', 'web')),
    ]);

    const adopted = plan(await readLive([ns]));
    expect(adopted.changes.map((c) => `${c.target.kind}/${c.target.name}`)).toEqual([
      'StatefulSet/web',
      `Namespace/${ns}`,
      'Service/web',
    ]);
    expect(
      adopted.findings.map((f) => `${f.check} ${f.resource.kind}/${f.resource.name}: ${f.message}`),
    ).toEqual([
      'takeover.managed-elsewhere StatefulSet/operated: StatefulSet is owned by ConfigMap operator-state; not adopted.',
      'takeover.managed-elsewhere Service/web-metrics: Service is owned by ConfigMap operator-state; not adopted.',
    ]);
  });

  it('leaves replicas to a HorizontalPodAutoscaler: a sync neither resets nor scales them back', async () => {
    const ns = await createTestNamespace('autoscaled');
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: ns },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { app: 'api' } },
          spec: {
            containers: [
              { name: 'api', image: 'nginx:1.27', resources: { requests: { cpu: '100m' } } },
            ],
          },
        },
      },
    };
    // Applied by hand (client side); the HPA has not needed to scale yet, so kubectl holds replicas.
    kubectl(['apply', '-f', '-'], yamlOf([deployment]));
    create([
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'api', namespace: ns },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
          minReplicas: 2,
          maxReplicas: 6,
          metrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
            },
          ],
        },
      },
    ]);
    const replicas = (name = 'api'): unknown =>
      (JSON.parse(kubectl(['get', '-n', ns, `deployment/${name}`, '-o', 'json'])) as { spec: Json })
        .spec.replicas;

    // Without replicas in Git, the first server-side sync takes kubectl's fields over (Argo CD's
    // and kubectl's client-side apply migration) and drops replicas: 3 would become 1, as a twin
    // shows.
    const twin = { ...deployment, metadata: { name: 'twin', namespace: ns } };
    kubectl(['apply', '-f', '-'], yamlOf([twin]));
    const twinWithoutReplicas = structuredClone(twin) as Json & { spec: Json };
    delete twinWithoutReplicas.spec.replicas;
    applyAsArgoCd([twinWithoutReplicas]);
    expect(replicas('twin')).toBe(1);
    // So it is not adopted yet; the finding says how to hand replicas over.
    const first = plan(await readLive([ns]));
    expect(first.changes.map((c) => `${c.target.kind}/${c.target.name}`)).not.toContain(
      'Deployment/api',
    );
    const finding = first.findings.find((f) => f.check === 'takeover.replicas-handover');
    expect(finding?.resource).toMatchObject({ kind: 'Deployment', name: 'api' });
    expect(finding?.remediation).toContain('--field-manager=handover-to-hpa');

    // The handover the finding asks for (Kubernetes docs, server-side apply, transferring ownership).
    kubectl(
      ['apply', '--server-side', '--field-manager=handover-to-hpa', '--validate=false', '-f', '-'],
      yamlOf([{ ...deployment, spec: { replicas: 3 } }]),
    );
    const adopted = plan(await readLive([ns]));
    const manifest = manifestOf(adopted, 'Deployment', 'api');
    expect(manifest.spec).not.toHaveProperty('replicas');
    applyAsArgoCd([manifest]);
    expect(replicas()).toBe(3);
    // The HPA controller scales through the scale subresource; the next sync leaves that alone.
    kubectl(['scale', '-n', ns, 'deployment/api', '--replicas=5']);
    applyAsArgoCd([manifest]);
    expect(replicas()).toBe(5);
  });

  it('strips what the API server adds inside templates: claim templates, job templates, volumes', async () => {
    const ns = await createTestNamespace('templates');
    const podSpec = {
      containers: [
        {
          name: 'db',
          image: 'postgres:16',
          env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          volumeMounts: [
            { name: 'data', mountPath: '/var/lib/postgresql' },
            { name: 'config', mountPath: '/etc/db' },
          ],
        },
      ],
      volumes: [{ name: 'config', configMap: { name: 'db-config' } }],
    };
    const claimTemplate = {
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    };
    const cronJobSpec = {
      schedule: '0 3 * * *',
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'OnFailure',
              containers: [{ name: 'backup', image: 'busybox:1.36', command: ['date'] }],
            },
          },
        },
      },
    };
    create([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db-config', namespace: ns } },
      {
        ...statefulSet(ns, 'db'),
        spec: {
          ...(statefulSet(ns, 'db').spec as Json),
          replicas: 1,
          template: { metadata: { labels: { app: 'db' } }, spec: podSpec },
          volumeClaimTemplates: [claimTemplate],
        },
      },
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'backup', namespace: ns },
        spec: cronJobSpec,
      },
    ]);
    const adopted = plan(await readLive([ns]));
    expect(manifestOf(adopted, 'StatefulSet', 'db').spec).toEqual({
      serviceName: 'db',
      replicas: 1,
      selector: { matchLabels: { app: 'db' } },
      template: { metadata: { labels: { app: 'db' } }, spec: podSpec },
      volumeClaimTemplates: [claimTemplate],
    });
    expect(manifestOf(adopted, 'CronJob', 'backup').spec).toEqual(cronJobSpec);

    // The API server fills them in again: a sync changes nothing (StatefulSet templates are
    // immutable, a change would be refused).
    const refs = adopted.changes.map((c) => c.target).filter((t) => t.kind !== 'Namespace');
    const before = liveObjects(ns, refs);
    applyAsArgoCd(refs.map((t) => manifestOf(adopted, t.kind, t.name)));
    for (const [key, obj] of liveObjects(ns, refs)) {
      expect(obj.spec, key).toEqual(before.get(key)?.spec);
      expect(obj.metadata.generation, key).toBe(before.get(key)?.metadata.generation);
    }
  });

  it('leaves out the token Secrets the legacy token controller listed on a ServiceAccount', async () => {
    const ns = await createTestNamespace('tokens');
    const token = 'legacy-token-x7k2p';
    create([
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'legacy', namespace: ns },
        secrets: [{ name: 'legacy-extra' }],
      },
      {
        ...statefulSet(ns, 'app'),
        spec: {
          ...(statefulSet(ns, 'app').spec as Json),
          template: {
            metadata: { labels: { app: 'app' } },
            spec: {
              serviceAccountName: 'legacy',
              containers: [{ name: 'app', image: 'nginx:1.27' }],
            },
          },
        },
      },
    ]);
    // What the tokens controller of a cluster older than 1.24 wrote (and keeps in upgraded ones).
    const patchSecrets = (op: Json) =>
      kubectl([
        'patch',
        '-n',
        ns,
        'serviceaccount/legacy',
        '--type=json',
        '--field-manager=kube-controller-manager',
        '-p',
        JSON.stringify([op]),
      ]);
    patchSecrets({ op: 'add', path: '/secrets/-', value: { name: token } });

    const adopted = plan(await readLive([ns]));
    const account = manifestOf(adopted, 'ServiceAccount', 'legacy');
    expect(account.secrets).toEqual([{ name: 'legacy-extra' }]);

    // Once the token Secret is cleaned up, the controller drops it from the list; a sync must not
    // put it back.
    applyAsArgoCd([account]);
    patchSecrets({ op: 'remove', path: '/secrets/1' });
    applyAsArgoCd([account]);
    const live = JSON.parse(kubectl(['get', '-n', ns, 'serviceaccount/legacy', '-o', 'json'])) as {
      secrets: Json[];
    };
    expect(live.secrets).toEqual([{ name: 'legacy-extra' }]);
  });

  it('keeps finalizers a user set, not those Kubernetes controllers add and remove', async () => {
    const ns = await createTestNamespace('finalizers');
    create([
      statefulSet(ns, 'web'),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: ns, finalizers: ['example.com/protect'] },
        spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80 }] },
      },
    ]);
    // The cloud provider's service controller guards the load balancer it creates ...
    const patchFinalizers = (op: Json) =>
      kubectl([
        'patch',
        '-n',
        ns,
        'service/web',
        '--type=json',
        '--field-manager=cloud-controller-manager',
        '-p',
        JSON.stringify([op]),
      ]);
    const cleanup = 'service.kubernetes.io/load-balancer-cleanup';
    patchFinalizers({ op: 'add', path: '/metadata/finalizers/-', value: cleanup });

    const adopted = plan(await readLive([ns]));
    const service = manifestOf(adopted, 'Service', 'web');
    expect(service.metadata).toEqual({
      name: 'web',
      namespace: ns,
      finalizers: ['example.com/protect'],
    });
    expect(service.spec).toEqual({
      type: 'LoadBalancer',
      selector: { app: 'web' },
      ports: [{ port: 80 }],
    });

    // ... and removes the finalizer once it is gone (type changed, or on deletion): a sync must
    // not put it back, nobody would ever remove it again.
    applyAsArgoCd([service]);
    patchFinalizers({ op: 'remove', path: '/metadata/finalizers/1' });
    applyAsArgoCd([service]);
    const live = JSON.parse(kubectl(['get', '-n', ns, 'service/web', '-o', 'json'])) as {
      metadata: Json;
    };
    expect(live.metadata.finalizers).toEqual(['example.com/protect']);
  });
});
