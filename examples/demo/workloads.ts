/**
 * The application's objects as the API server holds them after they were applied: Services and
 * Deployments from the manifests, and the ReplicaSets and Pods the controllers made for them.
 */
import type { KubeObject } from '../../src/cluster/types.js';
import { defaultDeploymentSpec, defaultPodSpec, defaultServiceSpec } from './defaults.js';
import type { ContainerLife } from './history.js';
import { managedFieldsEntry } from './managed-fields.js';
import type { Stamp } from './objects.js';
import {
  applyAs,
  baseMetadata,
  condition,
  iso,
  mergeLabelsAndAnnotations,
  ownerReference,
} from './objects.js';
import type { DeploymentPlan, PodPlan, ReplicaSetPlan } from './plan.js';
import { KUBE_NAME_ALPHABET } from './prng.js';
import { appliedAt, managerOf, NAMESPACE, TIMES } from './scenario.js';

type Json = Record<string, unknown>;

const clone = <T>(value: T): T => structuredClone(value);
const asObjects = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const metadataOf = (o: Json): Json => o.metadata as Json;

/** Metadata of an applied object: identity, the applier's marks, its managedFields entry. */
function appliedMetadata(s: Stamp, manifest: Json, created: number, lastApply: number): Json {
  const name = String(metadataOf(manifest).name);
  const metadata = baseMetadata(s, name, created, NAMESPACE);
  const applied = applyAs(managerOf(name), manifest);
  mergeLabelsAndAnnotations(
    metadata,
    applied.metadata.labels as Json | undefined,
    applied.metadata.annotations as Json | undefined,
  );
  const fields = { metadata: applied.metadata, spec: manifest.spec };
  metadata.managedFields = [
    managedFieldsEntry(String(manifest.apiVersion), applied.managerName, fields, iso(lastApply)),
  ];
  return metadata;
}

// ---------------------------------------------------------------------------------------------
// Services

export interface ServiceAddressing {
  readonly clusterIP: string;
  readonly nodePort: () => number;
  readonly loadBalancerHostname: string;
}

export function serviceObject(s: Stamp, manifest: Json, addressing: ServiceAddressing): KubeObject {
  const created = appliedAt(String(metadataOf(manifest).name));
  const metadata = appliedMetadata(s, manifest, created, created);
  const spec = clone(manifest.spec as Json);
  defaultServiceSpec(spec, addressing.clusterIP, addressing.nodePort);
  const status: Json = { loadBalancer: {} };
  if (spec.type === 'LoadBalancer') {
    // The cloud controller provisions the load balancer and guards its cleanup with a finalizer.
    metadata.finalizers = ['service.kubernetes.io/load-balancer-cleanup'];
    status.loadBalancer = { ingress: [{ hostname: addressing.loadBalancerHostname }] };
    (metadata.managedFields as unknown[]).push(
      managedFieldsEntry(
        'v1',
        'aws-cloud-controller-manager',
        { metadata: { finalizers: [] } },
        iso(created + 2),
      ),
      managedFieldsEntry(
        'v1',
        'aws-cloud-controller-manager',
        { status },
        iso(created + 3),
        'status',
      ),
    );
  }
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata as KubeObject['metadata'],
    spec,
    status,
  };
}

// ---------------------------------------------------------------------------------------------
// Deployments

function currentReplicaSet(plan: DeploymentPlan): ReplicaSetPlan {
  const current = plan.replicaSets[plan.replicaSets.length - 1];
  if (current === undefined) throw new Error(`${plan.name} has no ReplicaSet`);
  return current;
}

export function deploymentObject(s: Stamp, manifest: Json, plan: DeploymentPlan): KubeObject {
  const current = currentReplicaSet(plan);
  const metadata = appliedMetadata(s, manifest, plan.created, current.created);
  metadata.generation = current.revision;
  const revision = { 'deployment.kubernetes.io/revision': String(current.revision) };
  metadata.annotations = { ...(metadata.annotations as Json), ...revision };
  const spec = clone(manifest.spec as Json);
  defaultDeploymentSpec(spec);
  const replicas = Number(spec.replicas);
  const ready = current.created + 40;
  const status = {
    availableReplicas: replicas,
    conditions: [
      condition('Available', plan.created + 40, {
        lastUpdateTime: iso(plan.created + 40),
        message: 'Deployment has minimum availability.',
        reason: 'MinimumReplicasAvailable',
      }),
      condition('Progressing', plan.created, {
        lastUpdateTime: iso(ready),
        message: `ReplicaSet "${current.name}" has successfully progressed.`,
        reason: 'NewReplicaSetAvailable',
      }),
    ],
    observedGeneration: current.revision,
    readyReplicas: replicas,
    replicas,
    updatedReplicas: replicas,
  };
  (metadata.managedFields as unknown[]).push(
    managedFieldsEntry(
      'apps/v1',
      'kube-controller-manager',
      { metadata: { annotations: revision } },
      iso(current.created),
    ),
    managedFieldsEntry('apps/v1', 'kube-controller-manager', { status }, iso(ready), 'status'),
  );
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata as KubeObject['metadata'],
    spec,
    status,
  };
}

// ---------------------------------------------------------------------------------------------
// ReplicaSets

function withImageTag(image: string, tag: string): string {
  const at = image.lastIndexOf(':');
  return `${at > image.lastIndexOf('/') ? image.slice(0, at) : image}:${tag}`;
}

/** The pod template a ReplicaSet stamps out: the Deployment's, labelled with its hash. */
function replicaSetTemplate(deployment: KubeObject, rs: ReplicaSetPlan): Json {
  const template = clone((deployment.spec as Json).template as Json);
  const meta = metadataOf(template);
  meta.labels = { ...(meta.labels as Json), 'pod-template-hash': rs.hash };
  if (rs.imageTag !== undefined) {
    for (const c of asObjects((template.spec as Json).containers))
      c.image = withImageTag(String(c.image), rs.imageTag);
  }
  return template;
}

export function replicaSetObject(s: Stamp, deployment: KubeObject, rs: ReplicaSetPlan): KubeObject {
  const dspec = deployment.spec as Json;
  const template = replicaSetTemplate(deployment, rs);
  const metadata = baseMetadata(s, rs.name, rs.created, NAMESPACE);
  const desired = Number(dspec.replicas);
  metadata.annotations = {
    'deployment.kubernetes.io/desired-replicas': String(desired),
    'deployment.kubernetes.io/max-replicas': String(desired + 1),
    'deployment.kubernetes.io/revision': String(rs.revision),
  };
  metadata.generation = rs.replicas === 0 ? 2 : 1;
  metadata.labels = clone(metadataOf(template).labels);
  metadata.ownerReferences = [ownerReference(deployment)];
  const matchLabels = {
    ...((dspec.selector as Json).matchLabels as Json),
    'pod-template-hash': rs.hash,
  };
  const spec = { replicas: rs.replicas, selector: { matchLabels }, template };
  const status: Json =
    rs.replicas === 0
      ? { observedGeneration: 2, replicas: 0 }
      : {
          availableReplicas: rs.replicas,
          fullyLabeledReplicas: rs.replicas,
          observedGeneration: 1,
          readyReplicas: rs.replicas,
          replicas: rs.replicas,
        };
  const settled = rs.replicas === 0 ? TIMES.checkoutRollout + 40 : rs.created + 40;
  metadata.managedFields = [
    managedFieldsEntry(
      'apps/v1',
      'kube-controller-manager',
      {
        metadata: {
          annotations: metadata.annotations,
          labels: metadata.labels,
          ownerReferences: [],
        },
        spec,
      },
      iso(settled),
    ),
    managedFieldsEntry('apps/v1', 'kube-controller-manager', { status }, iso(settled), 'status'),
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: metadata as KubeObject['metadata'],
    spec,
    status,
  };
}

// ---------------------------------------------------------------------------------------------
// Pods

const SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** What admission adds to every pod: the token volume, default tolerations, scheduling fields. */
function admitPodSpec(spec: Json, pod: PodPlan, tokenVolume: string): void {
  defaultPodSpec(spec);
  spec.enableServiceLinks = true;
  spec.nodeName = pod.node.name;
  spec.preemptionPolicy = 'PreemptLowerPriority';
  spec.priority = 0;
  spec.serviceAccount ??= 'default';
  spec.serviceAccountName ??= 'default';
  spec.tolerations = ['not-ready', 'unreachable'].map((why) => ({
    effect: 'NoExecute',
    key: `node.kubernetes.io/${why}`,
    operator: 'Exists',
    tolerationSeconds: 300,
  }));
  spec.volumes = [
    ...asObjects(spec.volumes),
    {
      name: tokenVolume,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
          {
            downwardAPI: {
              items: [
                {
                  fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' },
                  path: 'namespace',
                },
              ],
            },
          },
        ],
      },
    },
  ];
  const mount = { mountPath: SERVICE_ACCOUNT_MOUNT, name: tokenVolume, readOnly: true };
  for (const c of [...asObjects(spec.initContainers), ...asObjects(spec.containers)]) {
    c.volumeMounts = [...asObjects(c.volumeMounts), mount];
  }
}

/** Image and image digest as containerd reports them (Docker Hub short names expanded). */
function resolvedImage(s: Stamp, image: string): { image: string; imageID: string } {
  const full = image.includes('/') ? image : `docker.io/library/${image}`;
  const repo = full.slice(
    0,
    full.lastIndexOf(':') > full.lastIndexOf('/') ? full.lastIndexOf(':') : full.length,
  );
  return { image: full, imageID: `${repo}@sha256:${s.api.rng.hex(64)}` };
}

function containerStatus(
  s: Stamp,
  c: Json,
  started: number,
  life: ContainerLife | undefined,
): Json {
  const status: Json = {
    containerID: `containerd://${s.api.rng.hex(64)}`,
    ...resolvedImage(s, String(c.image)),
    lastState: {},
    name: c.name,
    ready: true,
    restartCount: life?.restarts ?? 0,
    started: true,
    state: { running: { startedAt: iso(life?.lastStart ?? started) } },
  };
  if (life?.lastOom !== undefined) {
    status.lastState = {
      terminated: {
        containerID: `containerd://${s.api.rng.hex(64)}`,
        exitCode: 137,
        finishedAt: iso(life.lastOom.finishedAt),
        reason: 'OOMKilled',
        startedAt: iso(life.lastOom.startedAt),
      },
    };
  }
  return status;
}

function podStatus(
  s: Stamp,
  spec: Json,
  pod: PodPlan,
  lives: ReadonlyMap<string, ContainerLife>,
): Json {
  const containers = asObjects(spec.containers);
  const lastStart = Math.max(
    pod.started,
    ...containers.map((c) => lives.get(`${pod.name}/${String(c.name)}`)?.lastStart ?? pod.started),
  );
  const status: Json = {
    conditions: [
      condition('PodReadyToStartContainers', pod.created + 3, { lastProbeTime: null }),
      condition('Initialized', pod.created + (spec.initContainers === undefined ? 1 : 5), {
        lastProbeTime: null,
      }),
      condition('Ready', lastStart + 20, { lastProbeTime: null }),
      condition('ContainersReady', lastStart + 20, { lastProbeTime: null }),
      condition('PodScheduled', pod.created, { lastProbeTime: null }),
    ],
    containerStatuses: containers.map((c) =>
      containerStatus(s, c, pod.started, lives.get(`${pod.name}/${String(c.name)}`)),
    ),
    hostIP: pod.node.ip,
    hostIPs: [{ ip: pod.node.ip }],
    phase: 'Running',
    podIP: pod.ip,
    podIPs: [{ ip: pod.ip }],
    qosClass: 'Burstable',
    startTime: iso(pod.created),
  };
  const inits = asObjects(spec.initContainers);
  if (inits.length > 0) {
    status.initContainerStatuses = inits.map((c) => ({
      containerID: `containerd://${s.api.rng.hex(64)}`,
      ...resolvedImage(s, String(c.image)),
      lastState: {},
      name: c.name,
      ready: true,
      restartCount: 0,
      started: false,
      state: {
        terminated: {
          containerID: `containerd://${s.api.rng.hex(64)}`,
          exitCode: 0,
          finishedAt: iso(pod.created + 4),
          reason: 'Completed',
          startedAt: iso(pod.created + 2),
        },
      },
    }));
  }
  return status;
}

export function podObject(
  s: Stamp,
  replicaSet: KubeObject,
  pod: PodPlan,
  lives: ReadonlyMap<string, ContainerLife>,
): KubeObject {
  const template = (replicaSet.spec as Json).template as Json;
  const tmeta = metadataOf(template);
  const metadata = baseMetadata(s, pod.name, pod.created, NAMESPACE);
  metadata.generateName = `${pod.replicaSet.name}-`;
  metadata.labels = clone(tmeta.labels);
  if (tmeta.annotations !== undefined) metadata.annotations = clone(tmeta.annotations);
  metadata.ownerReferences = [ownerReference(replicaSet)];
  const spec = clone(template.spec as Json);
  admitPodSpec(spec, pod, `kube-api-access-${s.api.rng.chars(5, KUBE_NAME_ALPHABET)}`);
  const status = podStatus(s, spec, pod, lives);
  const conditions = asObjects(status.conditions);
  const readySince = conditions.find((c) => c.type === 'Ready')?.lastTransitionTime;
  const controllerFields = {
    metadata: { generateName: '', labels: metadata.labels, ownerReferences: [] },
    spec: template.spec,
  };
  metadata.managedFields = [
    managedFieldsEntry('v1', 'kube-controller-manager', controllerFields, iso(pod.created)),
    managedFieldsEntry('v1', 'kubelet', { status }, String(readySince), 'status'),
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata as KubeObject['metadata'],
    spec,
    status,
  };
}
