import { describe, expect, it } from 'vitest';
import { snapshotOf } from '../../../test/support/objects.js';
import type { KubeObject } from '../../cluster/types.js';
import { DEFAULT_POLICY } from '../../policy/defaults.js';
import { buildInventory } from '../inventory/index.js';
import { cleanManifest } from './clean.js';
import { planTakeover } from './index.js';

const liveDeployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'shop',
    uid: '0b5c',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2026-11-01T00:00:00Z',
    labels: { app: 'web' },
    annotations: {
      'deployment.kubernetes.io/revision': '3',
      'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"apps/v1"}',
      team: 'shop',
    },
    managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update' }],
  },
  spec: {
    replicas: 2,
    progressDeadlineSeconds: 600,
    revisionHistoryLimit: 5,
    selector: { matchLabels: { app: 'web' } },
    // The API server prints rollingUpdate before type: key order must not matter.
    strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
    template: {
      metadata: { creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        securityContext: {},
        terminationGracePeriodSeconds: 30,
        serviceAccountName: 'web',
        serviceAccount: 'web',
        containers: [
          {
            name: 'app',
            image: 'registry.example/web:1.2',
            imagePullPolicy: 'IfNotPresent',
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
            envFrom: [{ configMapRef: { name: 'web-config' } }],
            readinessProbe: {
              httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
              periodSeconds: 5,
              timeoutSeconds: 1,
              successThreshold: 1,
              failureThreshold: 3,
            },
            resources: { requests: { cpu: '100m', memory: '64Mi' } },
          },
        ],
      },
    },
  },
  status: { replicas: 2, readyReplicas: 2 },
};

const liveService: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: 'web',
    namespace: 'shop',
    uid: 'svc1',
    resourceVersion: '7',
    creationTimestamp: '2026-11-01T00:00:00Z',
  },
  spec: {
    type: 'ClusterIP',
    clusterIP: '10.96.0.12',
    clusterIPs: ['10.96.0.12'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    internalTrafficPolicy: 'Cluster',
    sessionAffinity: 'None',
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
  },
  status: { loadBalancer: {} },
};

const ns = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, uid: `ns-${name}`, labels: { 'kubernetes.io/metadata.name': name } },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Active' },
});

const simple = (kind: string, name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, namespace: 'shop', uid: `${kind}-${name}`, resourceVersion: '1' },
  ...extra,
});

describe('cleanManifest', () => {
  it('strips server-populated and defaulted fields but keeps deliberate settings', () => {
    expect(cleanManifest(liveDeployment)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'shop',
        labels: { app: 'web' },
        annotations: { team: 'shop' },
      },
      spec: {
        replicas: 2,
        revisionHistoryLimit: 5,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            serviceAccountName: 'web',
            containers: [
              {
                name: 'app',
                image: 'registry.example/web:1.2',
                ports: [{ containerPort: 8080 }],
                envFrom: [{ configMapRef: { name: 'web-config' } }],
                readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5 },
                resources: { requests: { cpu: '100m', memory: '64Mi' } },
              },
            ],
          },
        },
      },
    });
  });

  it('strips cluster IPs, node ports and defaults from Services', () => {
    const nodePort = {
      ...liveService,
      spec: {
        ...(liveService.spec as object),
        type: 'NodePort',
        ports: [{ port: 80, targetPort: 80, nodePort: 31234, protocol: 'TCP' }],
      },
    };
    expect(cleanManifest(liveService).spec).toEqual({
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    });
    expect(cleanManifest(nodePort).spec).toEqual({
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [{ port: 80 }],
    });
  });

  it('keeps clusterIP None of a headless Service', () => {
    const headless = {
      ...liveService,
      spec: { ...(liveService.spec as object), clusterIP: 'None', clusterIPs: ['None'] },
    };
    expect(cleanManifest(headless).spec).toEqual({
      clusterIP: 'None',
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    });
  });

  it('keeps the node ports and cluster IP a client asked for, by managedFields or last-applied', () => {
    const spec = {
      ...(liveService.spec as object),
      type: 'NodePort',
      externalTrafficPolicy: 'Cluster',
      ports: [
        { name: 'http', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' },
        { name: 'dns', port: 53, nodePort: 31053, protocol: 'UDP' },
      ],
    };
    const managedFields = [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        fieldsV1: {
          'f:spec': {
            'f:clusterIP': {},
            'f:ports': {
              '.': {},
              'k:{"port":80,"protocol":"TCP"}': { 'f:nodePort': {}, 'f:port': {} },
              'k:{"port":53,"protocol":"UDP"}': { 'f:port': {} },
            },
          },
        },
      },
    ];
    const lastApplied = JSON.stringify({
      spec: { clusterIP: '10.96.0.12', ports: [{ port: 80, nodePort: 30080 }, { port: 53 }] },
    });
    const want = {
      type: 'NodePort',
      clusterIP: '10.96.0.12',
      selector: { app: 'web' },
      ports: [
        { name: 'http', port: 80, targetPort: 8080, nodePort: 30080 },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
    };
    const byManagedFields = {
      ...liveService,
      metadata: { ...liveService.metadata, managedFields },
    };
    expect(cleanManifest({ ...byManagedFields, spec }).spec).toEqual(want);
    const byLastApplied = {
      ...liveService,
      metadata: {
        ...liveService.metadata,
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied },
      },
    };
    expect(cleanManifest({ ...byLastApplied, spec }).spec).toEqual(want);
  });

  it('keeps imagePullPolicy when it differs from the default for the tag', () => {
    const latest = structuredClone(liveDeployment);
    const c = (latest.spec as { template: { spec: { containers: Record<string, unknown>[] } } })
      .template.spec.containers[0];
    c.image = 'web:latest';
    expect(cleanManifest(latest)).toMatchObject({
      spec: { template: { spec: { containers: [{ imagePullPolicy: 'IfNotPresent' }] } } },
    });
    c.imagePullPolicy = 'Always';
    const cleaned = cleanManifest(latest) as unknown as {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } };
    };
    expect(cleaned.spec.template.spec.containers[0]).not.toHaveProperty('imagePullPolicy');
  });

  it('drops the token Secrets the legacy tokens controller listed on a ServiceAccount', () => {
    const account = simple('ServiceAccount', 'ci.bot', {
      secrets: [{ name: 'ci.bot-token-x7k2p' }, { name: 'ci.bot-token-manual' }],
      imagePullSecrets: [{ name: 'registry' }],
    });
    expect(cleanManifest(account)).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'ci.bot', namespace: 'shop' },
      secrets: [{ name: 'ci.bot-token-manual' }],
      imagePullSecrets: [{ name: 'registry' }],
    });
    const onlyToken = simple('ServiceAccount', 'web', { secrets: [{ name: 'web-token-b2c4d' }] });
    expect(cleanManifest(onlyToken)).not.toHaveProperty('secrets');
  });

  it('keeps finalizers a user set, not those Kubernetes controllers add', () => {
    const service = {
      ...liveService,
      metadata: {
        ...liveService.metadata,
        finalizers: [
          'service.kubernetes.io/load-balancer-cleanup',
          'example.com/protect',
          'foregroundDeletion',
          'kubernetes.io/pvc-protection',
        ],
      },
    };
    expect(cleanManifest(service).metadata).toEqual({
      name: 'web',
      namespace: 'shop',
      finalizers: ['example.com/protect'],
    });
    const lb = { ...liveService, metadata: { ...liveService.metadata, finalizers: ['orphan'] } };
    expect(cleanManifest(lb).metadata).not.toHaveProperty('finalizers');
  });

  it('does not modify its input', () => {
    const before = JSON.stringify(liveDeployment);
    cleanManifest(liveDeployment);
    expect(JSON.stringify(liveDeployment)).toBe(before);
  });
});

describe('takeover', () => {
  const objects = [
    ns('shop'),
    liveDeployment,
    liveService,
    simple('ConfigMap', 'web-config', { data: { MODE: 'prod' } }),
    simple('ConfigMap', 'unrelated', { data: {} }),
    simple('ServiceAccount', 'web'),
    {
      ...liveDeployment,
      metadata: {
        ...liveDeployment.metadata,
        name: 'cart',
        annotations: { 'meta.helm.sh/release-name': 'cart' },
      },
    },
  ];
  const snapshot = snapshotOf(objects, { clusterName: 't' });

  it('adopts unmanaged workloads with their namespace, Services, ConfigMaps and ServiceAccount', () => {
    const { workloads } = buildInventory({ snapshot, policy: DEFAULT_POLICY, workloads: [] });
    const out = planTakeover({ snapshot, policy: DEFAULT_POLICY, workloads: workloads });
    expect(out.changes!.map((c) => `${c.action} ${c.target.kind}/${c.target.name}`)).toEqual([
      'adopt Deployment/web',
      'adopt ConfigMap/web-config',
      'adopt Namespace/shop',
      'adopt Service/web',
      'adopt ServiceAccount/web',
    ]);
    const namespace = out.changes!.find((c) => c.target.kind === 'Namespace')!;
    expect(namespace.manifest).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop' },
    });
    // Waves group by workload: what was adopted for `web` says so.
    expect(out.changes!.find((c) => c.target.kind === 'Service')!.workload).toMatchObject({
      kind: 'Deployment',
      name: 'web',
    });
    expect(out.changes!.find((c) => c.target.kind === 'Deployment')!.workload).toBeUndefined();
    // Helm's Deployment is reported and left for patches.
    expect(out.findings!.map((f) => `${f.check} ${f.resource.name}`)).toEqual([
      'takeover.managed-elsewhere cart',
    ]);
  });

  it('leaves objects with an owner (an operator wrote them) to their owner', () => {
    const ownerReferences = [
      {
        apiVersion: 'example.com/v1',
        kind: 'Database',
        name: 'orders',
        uid: 'db1',
        controller: true,
      },
    ];
    const operated = {
      ...liveDeployment,
      metadata: { ...liveDeployment.metadata, name: 'orders', ownerReferences },
    };
    const ownedService = {
      ...liveService,
      metadata: { ...liveService.metadata, name: 'web-metrics', ownerReferences },
    };
    const owned = snapshotOf([...objects, operated, ownedService], { clusterName: 't' });
    const { workloads } = buildInventory({
      snapshot: owned,
      policy: DEFAULT_POLICY,
      workloads: [],
    });
    const out = planTakeover({ snapshot: owned, policy: DEFAULT_POLICY, workloads });
    const adopted = out.changes!.map((c) => `${c.target.kind}/${c.target.name}`);
    expect(adopted).not.toContain('Deployment/orders');
    expect(adopted).not.toContain('Service/web-metrics');
    expect(adopted).toContain('Deployment/web');
    expect(out.findings!.map((f) => `${f.resource.name}: ${f.message}`)).toEqual([
      'cart: Deployment is managed by helm (cart); not adopted.',
      'orders: Deployment is owned by Database orders; not adopted.',
      'web-metrics: Service is owned by Database orders; not adopted.',
    ]);
  });

  it('leaves the replicas of an autoscaled workload to its HorizontalPodAutoscaler', () => {
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } },
    };
    const scaled = snapshotOf([...objects, hpa], { clusterName: 't' });
    const { workloads } = buildInventory({
      snapshot: scaled,
      policy: DEFAULT_POLICY,
      workloads: [],
    });
    const out = planTakeover({ snapshot: scaled, policy: DEFAULT_POLICY, workloads });
    const web = out.changes!.find((c) => c.target.kind === 'Deployment')!;
    expect(web.manifest.spec).not.toHaveProperty('replicas');
    expect(web.manifest.spec).toHaveProperty('selector');
  });

  it('holds back an autoscaled workload whose replicas only kubectl holds, until they are handed over', () => {
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web-hpa', namespace: 'shop' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } },
    };
    const owning = (manager: string, operation: string, subresource?: string) => ({
      manager,
      operation,
      ...(subresource ? { subresource } : {}),
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    });
    const planWith = (deployment: KubeObject) => {
      const snapshot = snapshotOf(
        [...objects.filter((o) => o !== liveDeployment), deployment, hpa],
        { clusterName: 't' },
      );
      const { workloads } = buildInventory({ snapshot, policy: DEFAULT_POLICY, workloads: [] });
      return planTakeover({ snapshot, policy: DEFAULT_POLICY, workloads });
    };
    const withManagers = (managedFields: unknown[]): KubeObject => ({
      ...liveDeployment,
      metadata: { ...liveDeployment.metadata, managedFields },
    });
    const adoptedWeb = (out: ReturnType<typeof planTakeover>) =>
      out.changes!.some((c) => c.target.kind === 'Deployment' && c.target.name === 'web');

    const held = planWith(withManagers([owning('kubectl-client-side-apply', 'Update')]));
    expect(adoptedWeb(held)).toBe(false);
    expect(held.findings!.find((f) => f.resource.name === 'web')).toMatchObject({
      check: 'takeover.replicas-handover',
      severity: 'medium',
    });
    // A snapshot without managedFields: kubectl's last-applied configuration holds replicas.
    const lastApplied = structuredClone(liveDeployment);
    delete lastApplied.metadata.managedFields;
    lastApplied.metadata.annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{"replicas":2}}',
    };
    expect(adoptedWeb(planWith(lastApplied))).toBe(false);
    // Once the autoscaler scaled it, or replicas were handed over, it is adopted.
    const scaled = withManagers([
      owning('kubectl-client-side-apply', 'Update'),
      owning('kube-controller-manager', 'Update', 'scale'),
    ]);
    expect(adoptedWeb(planWith(scaled))).toBe(true);
    const handedOver = withManagers([
      owning('kubectl-client-side-apply', 'Update'),
      owning('handover-to-hpa', 'Apply'),
    ]);
    expect(adoptedWeb(planWith(handedOver))).toBe(true);
  });

  it('leaves what its own Argo CD application or Flux Kustomization applies as Git holds it', () => {
    // Cluster `t`: bootstrap names the application and the Kustomization `tars-t`.
    const tracked = (obj: KubeObject, marks: Record<string, Record<string, string>>) =>
      ({ ...obj, metadata: { ...obj.metadata, ...marks } }) as KubeObject;
    const argoTracked = (obj: KubeObject, app: string) =>
      tracked(obj, {
        annotations: {
          'argocd.argoproj.io/tracking-id': `${app}:${obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : ''}/${obj.kind}:${obj.metadata.namespace ?? ''}/${obj.metadata.name}`,
        },
      });
    const planWith = (all: KubeObject[]) => {
      const snapshot = snapshotOf(all, { clusterName: 't' });
      const { workloads } = buildInventory({ snapshot, policy: DEFAULT_POLICY, workloads: [] });
      return planTakeover({ snapshot, policy: DEFAULT_POLICY, workloads });
    };
    const summary = (out: ReturnType<typeof planTakeover>) => ({
      changes: (out.changes ?? []).map((c) => `${c.target.kind}/${c.target.name}`),
      findings: (out.findings ?? []).map((f) => `${f.check} ${f.resource.kind}/${f.resource.name}`),
    });
    const adoptedEarlier = new Set(['Deployment', 'Namespace', 'ConfigMap', 'ServiceAccount']);
    const withoutCart = objects.filter((o) => o.metadata.name !== 'cart');

    // Adopted on an earlier run and synced by TARS's own application: nothing to adopt again,
    // and nothing to report as managed elsewhere; a Service added by hand since is adopted.
    const synced = planWith(
      withoutCart.map((o) => (adoptedEarlier.has(o.kind) ? argoTracked(o, 'tars-t') : o)),
    );
    expect(summary(synced)).toEqual({ changes: ['Service/web'], findings: [] });
    // The same with Argo CD's label tracking, and with Flux's Kustomization label.
    const byLabel = (key: string) =>
      planWith(
        withoutCart.map((o) =>
          adoptedEarlier.has(o.kind) || o.kind === 'Service'
            ? tracked(o, { labels: { ...(o.metadata.labels ?? {}), [key]: 'tars-t' } })
            : o,
        ),
      );
    expect(summary(byLabel('argocd.argoproj.io/instance'))).toEqual({ changes: [], findings: [] });
    expect(summary(byLabel('kustomize.toolkit.fluxcd.io/name'))).toEqual({
      changes: [],
      findings: [],
    });
    // An application outside Argo CD's own namespace is tracked as `<namespace>_<name>`.
    const inAppsNamespace = planWith(
      withoutCart.map((o) => (adoptedEarlier.has(o.kind) ? argoTracked(o, 'argocd_tars-t') : o)),
    );
    expect(summary(inAppsNamespace)).toEqual({ changes: ['Service/web'], findings: [] });
    // Another application's objects are still left to it, and said so, even one of that name
    // in another namespace.
    const otherNamespace = planWith(
      withoutCart.map((o) => (o.kind === 'Deployment' ? argoTracked(o, 'team_tars-t') : o)),
    );
    expect(summary(otherNamespace).findings).toEqual(['takeover.managed-elsewhere Deployment/web']);
    const foreign = planWith(
      withoutCart.map((o) => (o.kind === 'Deployment' ? argoTracked(o, 'shop-app') : o)),
    );
    expect(summary(foreign)).toEqual({
      changes: [],
      findings: ['takeover.managed-elsewhere Deployment/web'],
    });
  });

  it('adopts nothing when the policy says so', () => {
    const policy = { ...DEFAULT_POLICY, takeover: { adoptUnmanaged: false } };
    const out = planTakeover({ snapshot, policy, workloads: [] });
    expect(out.changes ?? []).toEqual([]);
    expect(out.notes).toEqual([
      'Takeover skipped: the policy sets takeover.adoptUnmanaged to false.',
    ]);
  });
});
