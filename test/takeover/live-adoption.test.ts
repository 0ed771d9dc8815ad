// Adoption of realistic hand-made objects in the real API server: each adopted manifest passes
// `kubectl apply --server-side --dry-run=server`, a real server-side apply by Argo CD's field
// manager (conflicts forced, as Argo CD's ServerSideApply=true sync does) changes nothing in
// the live object, a second one does not even bump its resourceVersion, adoption is
// deterministic, and the manifests recreate the same objects (what Git is for).
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/types.js';
import { createTestNamespace, uniqueName } from '../support/cluster.js';
import {
  applyAsArgoCd,
  create,
  desired,
  kubectl,
  liveObjects,
  manifestOf,
  names,
  plan,
  readLive,
  withoutBookkeeping,
  yamlOf,
} from './live-support.js';
import type { Json } from './live-support.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** `obj` without kubectl's last-applied annotation; `obj` itself when it has none. */
function withoutLastApplied(obj: KubeObject): KubeObject {
  if (obj.metadata.annotations?.[LAST_APPLIED] === undefined) return obj;
  const copy = structuredClone(obj);
  delete copy.metadata.annotations![LAST_APPLIED];
  return copy;
}

const labels = { app: 'web' };
const webTemplate = () => ({
  metadata: { labels },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] }] },
});

describe('takeover of hand-made objects in a real API server', () => {
  it('adopts what workloads need, passes a server dry run, a sync changes nothing, and Git recreates them', async () => {
    const ns = await createTestNamespace('adopt');
    const aggregated = uniqueName('tars-test-aggregated');
    // Applied with kubectl (client side): last-applied-configuration, as by hand.
    kubectl(
      ['apply', '-f', '-'],
      yamlOf([
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: ns, labels },
          spec: {
            replicas: 2,
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                serviceAccountName: 'web',
                containers: [
                  {
                    ...webTemplate().spec.containers[0],
                    envFrom: [{ secretRef: { name: 'web-secret' } }],
                    volumeMounts: [{ name: 'config', mountPath: '/etc/web' }],
                  },
                ],
                volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
              },
            },
          },
        },
      ]),
    );
    // What the deployment controller would write.
    kubectl([
      'annotate',
      '-n',
      ns,
      'deployment/web',
      'deployment.kubernetes.io/revision=1',
      '--field-manager=kube-controller-manager',
    ]);
    create([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'web-config', namespace: ns },
        data: { 'app.conf': 'mode=prod\n' },
        binaryData: { 'logo.png': 'iVBORw0KGgo=' },
      },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: ns } },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'web-secret', namespace: ns },
        stringData: { password: 'hunter2' },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: ns },
        spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web-nodeport', namespace: ns },
        spec: { type: 'NodePort', selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'db', namespace: ns },
        spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432 }] },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db', namespace: ns },
        spec: {
          serviceName: 'db',
          replicas: 1,
          selector: { matchLabels: { app: 'db' } },
          template: {
            metadata: { labels: { app: 'db' } },
            spec: {
              containers: [
                {
                  name: 'pg',
                  image: 'postgres:16',
                  volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }],
                },
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data' },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ],
        },
      },
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'nightly', namespace: ns },
        spec: {
          schedule: '0 3 * * *',
          jobTemplate: {
            spec: {
              template: {
                spec: {
                  restartPolicy: 'OnFailure',
                  containers: [{ name: 'job', image: 'busybox:1.36', command: ['date'] }],
                },
              },
            },
          },
        },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'keeper', namespace: ns, finalizers: ['example.com/keep'] },
        spec: {
          selector: { matchLabels: { app: 'keeper' } },
          template: { ...webTemplate(), metadata: { labels: { app: 'keeper' } } },
        },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { generateName: 'gen-', namespace: ns },
        spec: {
          selector: { matchLabels: { app: 'gen' } },
          template: { ...webTemplate(), metadata: { labels: { app: 'gen' } } },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'debug', namespace: ns },
        spec: { containers: [{ name: 'sh', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web', namespace: ns },
        spec: {
          rules: [
            {
              host: 'web.example',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'web', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'scratch', namespace: ns },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: aggregated },
        aggregationRule: {
          clusterRoleSelectors: [{ matchLabels: { [`tars.dev/aggregate-to-${ns}`]: 'true' } }],
        },
        rules: [],
      },
    ]);
    // The Job the CronJob controller would have started.
    const cronJob = JSON.parse(kubectl(['get', '-n', ns, 'cronjob/nightly', '-o', 'json'])) as {
      metadata: { uid: string };
      spec: { jobTemplate: { spec: Json } };
    };
    create([
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: 'nightly-29000000',
          namespace: ns,
          ownerReferences: [
            {
              apiVersion: 'batch/v1',
              kind: 'CronJob',
              name: 'nightly',
              uid: cronJob.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: cronJob.spec.jobTemplate.spec,
      },
    ]);
    const gen = JSON.parse(
      kubectl(['get', '-n', ns, 'deployments', '-l', 'app!=web', '-o', 'json']),
    ) as { items: KubeObject[] };
    const genName = gen.items.map((d) => d.metadata.name).find((n) => n.startsWith('gen-'))!;

    const snapshot = await readLive([ns]);
    const adopted = plan(snapshot);
    expect(names(adopted).sort()).toEqual(
      [
        'ConfigMap/web-config',
        'CronJob/nightly',
        `Deployment/${genName}`,
        'Deployment/keeper',
        'Deployment/web',
        `Namespace/${ns}`,
        'Service/db',
        'Service/web',
        'Service/web-nodeport',
        'ServiceAccount/web',
        'StatefulSet/db',
      ].sort(),
    );
    expect(adopted.findings.map((f) => `${f.check} ${f.resource.kind}/${f.resource.name}`)).toEqual(
      ['inventory.bare-pod Pod/debug'],
    );
    expect(JSON.stringify(adopted)).not.toContain('hunter2');

    // Clean: nothing the API server added, what was asked kept.
    expect(manifestOf(adopted, 'Service', 'db').spec).toEqual({
      clusterIP: 'None',
      selector: { app: 'db' },
      ports: [{ name: 'pg', port: 5432 }],
    });
    expect(manifestOf(adopted, 'Service', 'web-nodeport').spec).toEqual({
      type: 'NodePort',
      selector: labels,
      ports: [{ port: 80, targetPort: 8080 }],
    });
    expect(manifestOf(adopted, 'Service', 'web').spec).toEqual({
      selector: labels,
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    });
    expect(manifestOf(adopted, 'Deployment', 'web').metadata).toEqual({
      name: 'web',
      namespace: ns,
      labels,
    });
    expect(manifestOf(adopted, 'ConfigMap', 'web-config')).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'web-config', namespace: ns },
      data: { 'app.conf': 'mode=prod\n' },
      binaryData: { 'logo.png': 'iVBORw0KGgo=' },
    });
    const sts = manifestOf(adopted, 'StatefulSet', 'db').spec as Json;
    expect(sts.volumeClaimTemplates).toEqual([
      {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    ]);
    expect(sts).not.toHaveProperty('updateStrategy');

    const manifests = adopted.changes.map((c) => c.manifest as Json);
    const refs = adopted.changes.map((c) => c.target);

    // (a) the API server takes every manifest.
    for (const line of applyAsArgoCd(manifests, true))
      expect(line).toMatch(/ serverside-applied \(server dry run\)$/);

    // (b) the first sync only records Argo CD as a field manager, and takes over what kubectl's
    // client-side apply held (its last-applied annotation goes: for a Deployment an annotation
    // change counts as a new generation, but its spec and pods stay); the second writes nothing.
    const before = liveObjects(ns, refs);
    expect(before.size).toBe(refs.length);
    applyAsArgoCd(manifests);
    const after = liveObjects(ns, refs);
    for (const [key, obj] of before) {
      const wasApplied = withoutLastApplied(obj) !== obj;
      const got = withoutBookkeeping(withoutLastApplied(after.get(key)!));
      const want = withoutBookkeeping(withoutLastApplied(obj));
      if (wasApplied) {
        expect((got.metadata as Json).generation, key).toBe(
          (obj.metadata.generation! as number) + 1,
        );
        delete (got.metadata as Json).generation;
        delete (want.metadata as Json).generation;
      }
      expect(got, key).toEqual(want);
    }
    applyAsArgoCd(manifests);
    const again = liveObjects(ns, refs);
    for (const [key, obj] of after)
      expect(again.get(key)!.metadata.resourceVersion, key).toBe(obj.metadata.resourceVersion);

    // (c) deterministic: the same objects in another order give the same plan, and the cluster
    // read again after the sync (now held by Argo CD's field manager) the same manifests.
    expect(plan({ ...snapshot, objects: [...snapshot.objects].reverse() })).toEqual(adopted);
    const reread = await readLive([ns]);
    expect(plan(reread).changes.map((c) => c.manifest)).toEqual(manifests);

    // Git recreates them: the manifests applied in an empty namespace give the same objects, but
    // for what the API server allocates (cluster IPs, node ports).
    const copy = await createTestNamespace('adopt-copy');
    const copied = manifests
      .filter((m) => m.kind !== 'Namespace')
      .map((m) => {
        const out = structuredClone(m) as Json & { metadata: Json; spec?: Json };
        out.metadata.namespace = copy;
        for (const port of (out.spec?.ports as Json[] | undefined) ?? []) delete port.nodePort;
        return out;
      });
    applyAsArgoCd(copied);
    const recreated = liveObjects(
      copy,
      refs.filter((r) => r.kind !== 'Namespace'),
    );
    for (const [key, obj] of before) {
      if (obj.kind === 'Namespace') continue;
      const want = desired(obj);
      const got = desired(recreated.get(key)!);
      for (const port of ((got.spec as Json | undefined)?.ports as Json[] | undefined) ?? [])
        delete port.nodePort;
      for (const port of ((want.spec as Json | undefined)?.ports as Json[] | undefined) ?? [])
        delete port.nodePort;
      expect(got, key).toEqual(want);
    }
  });
});
