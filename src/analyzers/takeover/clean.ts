/**
 * Clean manifests: what `kubectl get -o yaml` returns, minus everything the API server added.
 * Server-populated fields always go; defaulted fields go only where they hold the default
 * value, so a deliberate setting survives adoption.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../cluster/types.js';
import { annotationsOf, deepClone, isRecord } from '../../kube/objects.js';

const SERVER_METADATA = [
  'managedFields',
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'generation',
  'selfLink',
  'ownerReferences',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];

const SERVER_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
];

type Json = Record<string, unknown>;

/** Removes `key` from `obj` when its value equals `value` (deep, whatever the key order). */
function dropIfDefault(obj: Json | undefined, key: string, value: unknown): void {
  if (obj !== undefined && key in obj && isDeepStrictEqual(obj[key], value)) {
    delete obj[key];
  }
}

function dropIfEmpty(obj: Json | undefined, key: string): void {
  const v = obj?.[key];
  if (obj === undefined || v === undefined) return;
  if (
    (isRecord(v) && Object.keys(v).length === 0) ||
    (Array.isArray(v) && v.length === 0) ||
    v === null
  ) {
    delete obj[key];
  }
}

function rec(value: unknown): Json | undefined {
  return isRecord(value) ? value : undefined;
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/**
 * Finalizers Kubernetes' own controllers add and remove (the kubernetes.io and k8s.io domains are
 * reserved to Kubernetes, e.g. the cloud provider's service.kubernetes.io/load-balancer-cleanup;
 * and the garbage collector's). In Git, a sync would put one back after its controller removed
 * it, and nothing would ever remove it again.
 */
function isSystemFinalizer(finalizer: unknown): boolean {
  if (finalizer === 'foregroundDeletion' || finalizer === 'orphan') return true;
  if (typeof finalizer !== 'string' || !finalizer.includes('/')) return false;
  const domain = finalizer.slice(0, finalizer.indexOf('/'));
  return /(^|\.)(kubernetes\.io|k8s\.io)$/.test(domain);
}

function cleanMetadata(meta: Json): void {
  for (const key of SERVER_METADATA) delete meta[key];
  if (Array.isArray(meta.finalizers)) {
    meta.finalizers = meta.finalizers.filter((f) => !isSystemFinalizer(f));
    dropIfEmpty(meta, 'finalizers');
  }
  const annotations = rec(meta.annotations);
  for (const key of SERVER_ANNOTATIONS) delete annotations?.[key];
  dropIfEmpty(meta, 'annotations');
  dropIfEmpty(meta, 'labels');
}

/** `imagePullPolicy` defaults to Always for `:latest` or untagged images, else IfNotPresent. */
function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.split('/').pop() ?? image;
  const tag = lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function cleanProbe(probe: Json | undefined): void {
  if (probe === undefined) return;
  dropIfDefault(probe, 'timeoutSeconds', 1);
  dropIfDefault(probe, 'periodSeconds', 10);
  dropIfDefault(probe, 'successThreshold', 1);
  dropIfDefault(probe, 'failureThreshold', 3);
  dropIfDefault(rec(probe.httpGet), 'scheme', 'HTTP');
}

function cleanContainer(c: Json): void {
  dropIfDefault(c, 'terminationMessagePath', '/dev/termination-log');
  dropIfDefault(c, 'terminationMessagePolicy', 'File');
  dropIfDefault(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  for (const port of records(c.ports)) dropIfDefault(port, 'protocol', 'TCP');
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'])
    cleanProbe(rec(c[probe]));
  for (const env of records(c.env))
    dropIfDefault(rec(rec(env.valueFrom)?.fieldRef), 'apiVersion', 'v1');
  dropIfEmpty(c, 'resources');
}

function cleanPodTemplate(template: Json | undefined): void {
  if (template === undefined) return;
  const meta = rec(template.metadata);
  if (meta !== undefined) {
    delete meta.creationTimestamp;
    dropIfEmpty(template, 'metadata');
  }
  const spec = rec(template.spec);
  if (spec === undefined) return;
  dropIfDefault(spec, 'dnsPolicy', 'ClusterFirst');
  dropIfDefault(spec, 'schedulerName', 'default-scheduler');
  dropIfDefault(spec, 'terminationGracePeriodSeconds', 30);
  dropIfDefault(spec, 'securityContext', {});
  // restartPolicy Always is the default only outside Jobs; callers for Jobs keep theirs.
  for (const c of [...records(spec.containers), ...records(spec.initContainers)]) cleanContainer(c);
  for (const volume of records(spec.volumes)) {
    for (const source of ['configMap', 'secret', 'projected', 'downwardAPI'])
      dropIfDefault(rec(volume[source]), 'defaultMode', 0o644);
    for (const item of records(rec(volume.downwardAPI)?.items))
      dropIfDefault(rec(item.fieldRef), 'apiVersion', 'v1');
  }
  // serviceAccount is the deprecated alias the API server copies from serviceAccountName.
  if (spec.serviceAccount !== undefined && spec.serviceAccount === spec.serviceAccountName) {
    delete spec.serviceAccount;
  }
}

/** A StatefulSet's claim template, printed with the status and defaults of a claim. */
function cleanClaimTemplate(claim: Json): void {
  delete claim.status;
  dropIfDefault(claim, 'apiVersion', 'v1');
  dropIfDefault(claim, 'kind', 'PersistentVolumeClaim');
  const meta = rec(claim.metadata);
  if (meta !== undefined) delete meta.creationTimestamp;
  dropIfDefault(rec(claim.spec), 'volumeMode', 'Filesystem');
}

function cleanWorkloadSpec(kind: string, spec: Json): void {
  switch (kind) {
    case 'Deployment':
      dropIfDefault(spec, 'progressDeadlineSeconds', 600);
      dropIfDefault(spec, 'revisionHistoryLimit', 10);
      dropIfDefault(spec, 'strategy', {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
      });
      break;
    case 'StatefulSet':
      dropIfDefault(spec, 'revisionHistoryLimit', 10);
      dropIfDefault(spec, 'podManagementPolicy', 'OrderedReady');
      // maxUnavailable 1 is defaulted where the MaxUnavailableStatefulSet feature is on.
      dropIfDefault(spec, 'updateStrategy', {
        type: 'RollingUpdate',
        rollingUpdate: { partition: 0 },
      });
      dropIfDefault(spec, 'updateStrategy', {
        type: 'RollingUpdate',
        rollingUpdate: { partition: 0, maxUnavailable: 1 },
      });
      dropIfDefault(spec, 'persistentVolumeClaimRetentionPolicy', {
        whenDeleted: 'Retain',
        whenScaled: 'Retain',
      });
      for (const claim of records(spec.volumeClaimTemplates)) cleanClaimTemplate(claim);
      break;
    case 'DaemonSet':
      dropIfDefault(spec, 'revisionHistoryLimit', 10);
      dropIfDefault(spec, 'updateStrategy', {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
      });
      break;
  }
  const template = rec(spec.template);
  cleanPodTemplate(template);
  const podSpec = rec(template?.spec);
  if (kind !== 'Job') dropIfDefault(podSpec, 'restartPolicy', 'Always');
}

/** A step of a field path: a field, or the `spec.ports` entry of a port and protocol. */
export type Step = string | { port: unknown; protocol: unknown };

function portMatches(entry: Json, step: { port: unknown; protocol: unknown }): boolean {
  return entry.port === step.port && (entry.protocol ?? 'TCP') === step.protocol;
}

/** Whether a managedFields field set (fieldsV1) holds `path`. */
function fieldSetHolds(set: Json | undefined, path: Step[]): boolean {
  let current = set;
  for (const step of path) {
    if (current === undefined) return false;
    if (typeof step === 'string') {
      current = rec(current[`f:${step}`]);
      continue;
    }
    const entry = Object.entries(current).find(([key]) => {
      if (!key.startsWith('k:')) return false;
      try {
        const parsed: unknown = JSON.parse(key.slice(2));
        return isRecord(parsed) && portMatches(parsed, step);
      } catch {
        return false;
      }
    });
    current = rec(entry?.[1]);
  }
  return current !== undefined;
}

function valueAt(value: unknown, path: Step[]): unknown {
  let current = value;
  for (const step of path) {
    current =
      typeof step === 'string'
        ? rec(current)?.[step]
        : records(current).find((entry) => portMatches(entry, step));
  }
  return current;
}

/**
 * Whether a client set `spec.<path>` rather than the API server: by managedFields (the API
 * server records who set a field, and records none for what it allocates itself), else, for
 * objects read without them (snapshots), by kubectl's last-applied configuration.
 */
function setByClient(obj: KubeObject, path: Step[]): boolean {
  const full = ['spec', ...path];
  const owners = fieldOwners(obj, full);
  return owners !== undefined ? owners.length > 0 : lastAppliedValue(obj, full) !== undefined;
}

/** The managedFields entries that hold `path`; undefined when the object came without them. */
export function fieldOwners(obj: KubeObject, path: Step[]): Json[] | undefined {
  const managed = records(obj.metadata.managedFields);
  if (managed.length === 0) return undefined;
  return managed.filter((entry) => fieldSetHolds(rec(entry.fieldsV1), path));
}

/** The value at `path` in kubectl's last-applied configuration, if it has one. */
export function lastAppliedValue(obj: KubeObject, path: Step[]): unknown {
  const lastApplied = annotationsOf(obj)['kubectl.kubernetes.io/last-applied-configuration'];
  if (lastApplied === undefined) return undefined;
  try {
    return valueAt(JSON.parse(lastApplied), path);
  } catch {
    return undefined;
  }
}

/**
 * The API server allocates cluster IPs, IP families and node ports: they go, unless a client
 * asked for them (a node port an outside load balancer points at), or it is clusterIP `None`,
 * which is never allocated: a headless Service must stay headless when Git recreates it.
 */
function cleanService(obj: KubeObject, spec: Json): void {
  for (const key of ['clusterIP', 'clusterIPs', 'ipFamilies', 'healthCheckNodePort']) {
    if (key === 'clusterIP' && spec.clusterIP === 'None') continue;
    if (!setByClient(obj, [key])) delete spec[key];
  }
  dropIfDefault(spec, 'type', 'ClusterIP');
  dropIfDefault(spec, 'sessionAffinity', 'None');
  dropIfDefault(spec, 'internalTrafficPolicy', 'Cluster');
  dropIfDefault(spec, 'ipFamilyPolicy', 'SingleStack');
  // Defaults of NodePort and LoadBalancer Services.
  dropIfDefault(spec, 'externalTrafficPolicy', 'Cluster');
  dropIfDefault(spec, 'allocateLoadBalancerNodePorts', true);
  for (const port of records(spec.ports)) {
    const step = { port: port.port, protocol: port.protocol ?? 'TCP' };
    if (!setByClient(obj, ['ports', step, 'nodePort'])) delete port.nodePort;
    dropIfDefault(port, 'protocol', 'TCP');
    if (port.targetPort === port.port) delete port.targetPort;
  }
}

/** `-token-` and a random suffix (alphabet of k8s.io/apimachinery/pkg/util/rand). */
const TOKEN_SUFFIX = /^-token-[bcdfghjklmnpqrstvwxz2456789]{5}$/;

/**
 * Before 1.24 the tokens controller created a `<account>-token-xxxxx` Secret for every
 * ServiceAccount and listed it in `secrets`; upgraded clusters keep the entries. The controller
 * removes an entry when its Secret is cleaned up: in Git, every sync would put it back.
 */
function cleanServiceAccount(out: Json, account: string): void {
  if (!Array.isArray(out.secrets)) return;
  const isToken = (name: unknown): boolean =>
    typeof name === 'string' &&
    name.startsWith(account) &&
    TOKEN_SUFFIX.test(name.slice(account.length));
  out.secrets = out.secrets.filter((s) => !(isRecord(s) && isToken(s.name)));
  dropIfEmpty(out, 'secrets');
}

/** A clean copy of `obj` fit for Git. The input is never modified. */
export function cleanManifest(obj: KubeObject): KubeObject {
  const out = deepClone(obj) as KubeObject & Json;
  delete out.status;
  cleanMetadata(out.metadata);
  const spec = rec(out.spec);
  if (spec !== undefined) {
    if (out.kind === 'Service') cleanService(obj, spec);
    else if (out.kind === 'CronJob') {
      const jobTemplate = rec(spec.jobTemplate);
      const jobSpec = rec(jobTemplate?.spec);
      if (jobSpec !== undefined) cleanWorkloadSpec('Job', jobSpec);
      delete rec(jobTemplate?.metadata)?.creationTimestamp;
      dropIfEmpty(jobTemplate, 'metadata');
      dropIfDefault(spec, 'concurrencyPolicy', 'Allow');
      dropIfDefault(spec, 'suspend', false);
      dropIfDefault(spec, 'successfulJobsHistoryLimit', 3);
      dropIfDefault(spec, 'failedJobsHistoryLimit', 1);
    } else cleanWorkloadSpec(out.kind, spec);
    if (out.kind === 'Namespace') dropIfDefault(spec, 'finalizers', ['kubernetes']);
    dropIfEmpty(out, 'spec');
  }
  if (out.kind === 'ServiceAccount') cleanServiceAccount(out, out.metadata.name);
  if (out.kind === 'Namespace') {
    const labels = rec(out.metadata.labels);
    if (labels?.['kubernetes.io/metadata.name'] === out.metadata.name) {
      delete labels['kubernetes.io/metadata.name'];
    }
    dropIfEmpty(out.metadata, 'labels');
  }
  return out;
}
