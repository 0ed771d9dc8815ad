/**
 * The defaults the API server fills in on create, so the demo objects carry the same noise a
 * live cluster's do (the takeover analyzer has to strip it again).
 */

type Json = Record<string, unknown>;

const asObjects = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

function pullPolicyFor(image: string): string {
  const lastSegment = image.split('/').pop() ?? image;
  const tag = lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(probe: Json | undefined): void {
  if (probe === undefined) return;
  probe.failureThreshold ??= 3;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.timeoutSeconds ??= 1;
  const httpGet = probe.httpGet as Json | undefined;
  if (httpGet !== undefined) httpGet.scheme ??= 'HTTP';
}

function defaultContainer(container: Json): void {
  container.imagePullPolicy ??= pullPolicyFor(String(container.image));
  container.resources ??= {};
  container.terminationMessagePath ??= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  for (const port of asObjects(container.ports)) port.protocol ??= 'TCP';
  defaultProbe(container.livenessProbe as Json | undefined);
  defaultProbe(container.readinessProbe as Json | undefined);
  defaultProbe(container.startupProbe as Json | undefined);
}

export function defaultPodSpec(spec: Json): void {
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.restartPolicy ??= 'Always';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  // The deprecated field is still mirrored by the API server.
  if (typeof spec.serviceAccountName === 'string') spec.serviceAccount = spec.serviceAccountName;
  for (const c of asObjects(spec.initContainers)) defaultContainer(c);
  for (const c of asObjects(spec.containers)) defaultContainer(c);
}

export function defaultDeploymentSpec(spec: Json): void {
  spec.progressDeadlineSeconds ??= 600;
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.strategy ??= {
    rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    type: 'RollingUpdate',
  };
  const template = spec.template as Json;
  // Kubernetes before 1.34 prints the zero time of an embedded ObjectMeta as null.
  (template.metadata as Json).creationTimestamp = null;
  defaultPodSpec(template.spec as Json);
}

export function defaultServiceSpec(spec: Json, clusterIP: string, nodePort: () => number): void {
  spec.clusterIP = clusterIP;
  spec.clusterIPs = [clusterIP];
  spec.internalTrafficPolicy ??= 'Cluster';
  spec.ipFamilies = ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';
  spec.sessionAffinity ??= 'None';
  spec.type ??= 'ClusterIP';
  const isLoadBalancer = spec.type === 'LoadBalancer';
  if (isLoadBalancer) {
    spec.allocateLoadBalancerNodePorts ??= true;
    spec.externalTrafficPolicy ??= 'Cluster';
  }
  for (const port of asObjects(spec.ports)) {
    port.protocol ??= 'TCP';
    port.targetPort ??= port.port;
    if (isLoadBalancer) port.nodePort ??= nodePort();
  }
}
