/**
 * The cluster objects of the demo snapshot, shaped like the API server returns them: identity
 * and bookkeeping fields, defaults, managedFields, status, and the objects controllers create
 * (ReplicaSets, Pods, the default ServiceAccount, kube-root-ca.crt).
 */
import type { KubeObject } from '../../src/cluster/types.js';
import { managedFieldsEntry } from './managed-fields.js';
import type { Prng } from './prng.js';
import type { Manager, NodeSpec } from './scenario.js';
import { ARGO_APP, HELM_RELEASE, KUBELET_VERSION, NAMESPACE, TIMES } from './scenario.js';

type Json = Record<string, unknown>;

/** The cluster's CA certificate (public; a throwaway made for this demo, its key discarded). */
const CLUSTER_CA = `
-----BEGIN CERTIFICATE-----
MIIDCzCCAfOgAwIBAgIUKrTZhqz7rl2OuNM/MYfdM16rDb4wDQYJKoZIhvcNAQEL
BQAwFTETMBEGA1UEAwwKa3ViZXJuZXRlczAeFw0yNjExMzAxMzQyMzdaFw0zNjEx
MjcxMzQyMzdaMBUxEzARBgNVBAMMCmt1YmVybmV0ZXMwggEiMA0GCSqGSIb3DQEB
AQUAA4IBDwAwggEKAoIBAQCV6G5KSsc5xXXlLXlb+2opj/jS/zyF7wInOeDFMI8P
rHM6bKcpl7QOEOiexlZ5pZqg9FMVlj1X8QkWL0ScTh0vRv2LH9cDWAhCOGmxbbo3
ntPxIwwpqnUSNREufnJU6GWbGvcVeH3dM/96x9JM/HmFqz7eGWIbp4YlbTaAuxGx
q3nmx9uSKwwyhDQ0zb6sjBFLfxTgV3Hen51UbAMiB5RTSq8FX+RO58R+fwG8z2cU
jVhK2Ziiw0CaoNjLduopBjjmIeusP4nrvtPTCZKLH85vavJDCONa3dAzxTZkIeNJ
RHIQq5i/Ch1ZvDSE6g7nTG6L8pk5D5HYK9BQmUG/HVxfAgMBAAGjUzBRMB0GA1Ud
DgQWBBRvvTgBR6b/zhWxOCYxl6/rukJtljAfBgNVHSMEGDAWgBRvvTgBR6b/zhWx
OCYxl6/rukJtljAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQBs
1tuE3wSykGgKdMeD2zeJEcMEJeMORN/5t5Mxphs+hzE+lxoTmZ4afKpJreAblTVv
LIo5bPXw78V6ZfeMDY4qA9fqRyghZXkE/TgBaozVzHwWaRaU42hnIM2tFCXaoEJk
RTQ8yswAbeNdPVue7kxo6VsIazmroamvBtqVJNae2doMDJdQg6WtJVSvdTh4Mdyq
nJ2wxi10d66ySVsDt9Byiwy7Tc1UzCZHV6O8YnF4IFi3hpCyUpl56rOjDAvjXiyc
+Yri40HpQzsJTZKSwVYmeV8oUFDVHEVjLXrIAhruuZ53zbhln+XHdwu8Tguwu1gE
8rSQ9EnGecGpNiFXibei
-----END CERTIFICATE-----
`.trimStart();

export const iso = (t: number): string => new Date(t * 1000).toISOString().replace('.000Z', 'Z');

/** Object identity and bookkeeping the API server assigns: uid and an ever-growing resourceVersion. */
export class ApiServer {
  private resourceVersion = 48_213_350;
  constructor(readonly rng: Prng) {}

  uid(): string {
    return this.rng.uuid();
  }

  nextResourceVersion(): string {
    this.resourceVersion += this.rng.int(1, 40);
    return String(this.resourceVersion);
  }
}

/** What `kubectl apply` (and Argo CD, which uses it) records as the last applied configuration. */
function lastApplied(manifest: Json): string {
  // Go's encoding/json sorts map keys and escapes <, > and & in strings.
  const json = JSON.stringify(sortKeys(manifest))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
  return `${json}\n`;
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Json)[key]);
  return out;
}

function trackingId(kind: string, apiVersion: string, name: string): string {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return `${ARGO_APP}:${group}/${kind}:${NAMESPACE}/${name}`;
}

/** Labels and annotations each manager leaves on what it applies, and the applied form. */
export function applyAs(manager: Manager, manifest: Json): { metadata: Json; managerName: string } {
  const m = manifest.metadata as Json;
  const name = String(m.name);
  switch (manager) {
    case 'helm':
      return {
        managerName: 'helm',
        metadata: {
          annotations: {
            'meta.helm.sh/release-name': HELM_RELEASE,
            'meta.helm.sh/release-namespace': NAMESPACE,
          },
          labels: {
            'app.kubernetes.io/instance': HELM_RELEASE,
            'app.kubernetes.io/managed-by': 'Helm',
            'app.kubernetes.io/name': name,
            'helm.sh/chart': 'redis-cart-0.5.1',
          },
        },
      };
    case 'argocd': {
      const annotations = {
        'argocd.argoproj.io/tracking-id': trackingId(
          String(manifest.kind),
          String(manifest.apiVersion),
          name,
        ),
      };
      const applied = { ...manifest, metadata: { ...m, annotations, namespace: NAMESPACE } };
      return {
        managerName: 'argocd-controller',
        metadata: {
          annotations: {
            ...annotations,
            'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied),
          },
        },
      };
    }
    case 'kubectl': {
      const applied = { ...manifest, metadata: { ...m, annotations: {}, namespace: NAMESPACE } };
      return {
        managerName: 'kubectl-client-side-apply',
        metadata: {
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) },
        },
      };
    }
  }
}

export interface Stamp {
  readonly api: ApiServer;
}

export function baseMetadata(s: Stamp, name: string, created: number, namespace?: string): Json {
  const meta: Json = { creationTimestamp: iso(created), name };
  if (namespace !== undefined) meta.namespace = namespace;
  meta.resourceVersion = s.api.nextResourceVersion();
  meta.uid = s.api.uid();
  return meta;
}

export function ownerReference(owner: KubeObject): Json {
  return {
    apiVersion: owner.apiVersion,
    blockOwnerDeletion: true,
    controller: true,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
  };
}

export function condition(type: string, time: number, extra: Json = {}): Json {
  return { lastTransitionTime: iso(time), status: 'True', type, ...extra };
}

export function mergeLabelsAndAnnotations(
  meta: Json,
  labels: Json | undefined,
  annotations: Json | undefined,
): void {
  if (labels !== undefined && Object.keys(labels).length > 0)
    meta.labels = { ...(meta.labels as Json), ...labels };
  if (annotations !== undefined && Object.keys(annotations).length > 0) {
    meta.annotations = { ...(meta.annotations as Json), ...annotations };
  }
}

// ---------------------------------------------------------------------------------------------
// Cluster-scoped and namespace housekeeping objects.

export function namespaceObject(s: Stamp): KubeObject {
  const metadata = baseMetadata(s, NAMESPACE, TIMES.namespaceCreated);
  metadata.labels = { 'kubernetes.io/metadata.name': NAMESPACE };
  metadata.managedFields = [
    managedFieldsEntry(
      'v1',
      'kubectl-create',
      { metadata: { labels: metadata.labels } },
      iso(TIMES.namespaceCreated),
    ),
  ];
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: metadata as KubeObject['metadata'],
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function defaultServiceAccount(s: Stamp): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: baseMetadata(
      s,
      'default',
      TIMES.namespaceCreated,
      NAMESPACE,
    ) as KubeObject['metadata'],
  };
}

export function kubeRootCaConfigMap(s: Stamp): KubeObject {
  const metadata = baseMetadata(s, 'kube-root-ca.crt', TIMES.namespaceCreated, NAMESPACE);
  metadata.annotations = {
    'kubernetes.io/description':
      'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
  };
  const data = { 'ca.crt': CLUSTER_CA };
  metadata.managedFields = [
    managedFieldsEntry(
      'v1',
      'kube-controller-manager',
      { data, metadata: { annotations: metadata.annotations } },
      iso(TIMES.namespaceCreated),
    ),
  ];
  return {
    apiVersion: 'v1',
    data,
    kind: 'ConfigMap',
    metadata: metadata as KubeObject['metadata'],
  };
}

export function storageClassObject(s: Stamp): KubeObject {
  const metadata = baseMetadata(s, 'gp3', TIMES.nodesCreated - 86_400 * 20);
  metadata.annotations = { 'storageclass.kubernetes.io/is-default-class': 'true' };
  return {
    allowVolumeExpansion: true,
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: metadata as KubeObject['metadata'],
    parameters: { encrypted: 'true', fsType: 'ext4', type: 'gp3' },
    provisioner: 'ebs.csi.aws.com',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

export function nodeObject(s: Stamp, node: NodeSpec): KubeObject {
  const created = TIMES.nodesCreated + s.api.rng.int(0, 90);
  const metadata = baseMetadata(s, node.name, created);
  metadata.annotations = {
    'alpha.kubernetes.io/provided-node-ip': node.ip,
    'node.alpha.kubernetes.io/ttl': '0',
    'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
  };
  metadata.labels = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/instance-type': 'm6i.xlarge',
    'beta.kubernetes.io/os': 'linux',
    'eks.amazonaws.com/capacityType': 'ON_DEMAND',
    'eks.amazonaws.com/nodegroup': 'default',
    'failure-domain.beta.kubernetes.io/region': 'eu-west-1',
    'failure-domain.beta.kubernetes.io/zone': node.zone,
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'm6i.xlarge',
    'topology.ebs.csi.aws.com/zone': node.zone,
    'topology.kubernetes.io/region': 'eu-west-1',
    'topology.kubernetes.io/zone': node.zone,
  };
  const heartbeat = TIMES.snapshotAt - s.api.rng.int(20, 280);
  const nodeCondition = (type: string, status: string, reason: string, message: string): Json => ({
    lastHeartbeatTime: iso(heartbeat),
    lastTransitionTime: iso(created + 31),
    message,
    reason,
    status,
    type,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: metadata as KubeObject['metadata'],
    spec: { providerID: `aws:///${node.zone}/${node.instanceId}` },
    status: {
      addresses: [
        { address: node.ip, type: 'InternalIP' },
        { address: node.name, type: 'InternalDNS' },
        { address: node.name, type: 'Hostname' },
      ],
      allocatable: {
        cpu: '3920m',
        'ephemeral-storage': '76224326324',
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: '15136732Ki',
        pods: '58',
      },
      capacity: {
        cpu: '4',
        'ephemeral-storage': '83873772Ki',
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: '16149468Ki',
        pods: '58',
      },
      conditions: [
        nodeCondition(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        nodeCondition(
          'DiskPressure',
          'False',
          'KubeletHasNoDiskPressure',
          'kubelet has no disk pressure',
        ),
        nodeCondition(
          'PIDPressure',
          'False',
          'KubeletHasSufficientPID',
          'kubelet has sufficient PID available',
        ),
        nodeCondition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: s.api.uid(),
        containerRuntimeVersion: 'containerd://1.7.25',
        kernelVersion: '6.1.119-129.201.amzn2023.x86_64',
        kubeProxyVersion: KUBELET_VERSION,
        kubeletVersion: KUBELET_VERSION,
        machineID: `ec2${s.api.rng.hex(29)}`,
        operatingSystem: 'linux',
        osImage: 'Amazon Linux 2023.6.20250107',
        systemUUID: `ec2${s.api.rng.hex(5)}-${s.api.rng.hex(4)}-${s.api.rng.hex(4)}-${s.api.rng.hex(4)}-${s.api.rng.hex(12)}`,
      },
    },
  };
}
