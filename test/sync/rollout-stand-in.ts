/**
 * A stand-in for the controllers the test cluster lacks (it runs no kube-controller-manager and
 * no cloud controller). It writes to the status subresource what a finished rollout looks like,
 * and gives Services of type LoadBalancer an address, so the sync engine's unmodified health
 * checks (the ones Argo CD uses) see Deployments, StatefulSets, DaemonSets and load balancers
 * become healthy and the next sync wave can start.
 *
 * Chosen over telling the engine not to wait for workload health: that would leave "each wave
 * waits for the health of the one before" untested. It records when it saw each workload and
 * the resourceVersion of its own status write, so tests can prove on the server that a later wave
 * was applied only after the workload was made healthy.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { ApiException, AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type {
  KubeConfig,
  V1DaemonSet,
  V1DaemonSetStatus,
  V1Deployment,
  V1DeploymentStatus,
  V1ObjectMeta,
  V1Service,
  V1ServiceStatus,
  V1StatefulSet,
  V1StatefulSetStatus,
} from '@kubernetes/client-node';

type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Service';

export interface RolloutRecord {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  /** resourceVersion when first seen (the object as the sync created or changed it). */
  readonly seenResourceVersion: string;
  /** resourceVersion returned by the status write that made it healthy. */
  readonly healthyResourceVersion: string;
  readonly healthyAt: Date;
}

export interface RolloutStandIn {
  /** Every status write so far, in order. */
  readonly records: RolloutRecord[];
  stop(): Promise<void>;
}

export interface RolloutStandInOptions {
  /** Only these namespaces are watched (tests share one API server). */
  readonly namespaces: () => readonly string[];
  /** How long a rollout "takes" before the status says it finished (default 1000 ms). */
  readonly rolloutMs?: number;
  readonly pollMs?: number;
}

const FIELD_MANAGER = 'tars-test-rollout-stand-in';

export function startRolloutStandIn(
  kc: KubeConfig,
  options: RolloutStandInOptions,
): RolloutStandIn {
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const rolloutMs = options.rolloutMs ?? 1000;
  const pollMs = options.pollMs ?? 200;
  const records: RolloutRecord[] = [];
  const firstSeen = new Map<string, { at: number; resourceVersion: string }>();
  let stopped = false;

  const tick = async (): Promise<void> => {
    for (const namespace of options.namespaces()) {
      for (const workload of await listUnobserved(apps, core, namespace)) {
        const id = `${workload.kind}/${namespace}/${workload.meta.name}@${workload.meta.generation}`;
        const seen = firstSeen.get(id) ?? {
          at: Date.now(),
          resourceVersion: workload.meta.resourceVersion ?? '',
        };
        firstSeen.set(id, seen);
        if (Date.now() - seen.at < rolloutMs) continue;
        const written = await finishRollout(apps, core, workload);
        if (written === undefined) continue; // changed meanwhile: next tick sees the new version
        records.push({
          kind: workload.kind,
          namespace,
          name: workload.meta.name ?? '',
          seenResourceVersion: seen.resourceVersion,
          healthyResourceVersion: written,
          healthyAt: new Date(),
        });
      }
    }
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await tick();
      } catch (e) {
        // A namespace deleted under us or a transient error: the next tick tries again.
        if (!(e instanceof ApiException)) throw e;
      }
      await sleep(pollMs);
    }
  })();

  return {
    records,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

type Workload =
  | { kind: 'Deployment'; meta: V1ObjectMeta; object: V1Deployment }
  | { kind: 'StatefulSet'; meta: V1ObjectMeta; object: V1StatefulSet }
  | { kind: 'DaemonSet'; meta: V1ObjectMeta; object: V1DaemonSet }
  | { kind: 'Service'; meta: V1ObjectMeta; object: V1Service };

/** Workloads whose status lags their spec, and load balancers without an address. */
async function listUnobserved(
  apps: AppsV1Api,
  core: CoreV1Api,
  namespace: string,
): Promise<Workload[]> {
  const [deployments, statefulSets, daemonSets, services] = await Promise.all([
    apps.listNamespacedDeployment({ namespace }),
    apps.listNamespacedStatefulSet({ namespace }),
    apps.listNamespacedDaemonSet({ namespace }),
    core.listNamespacedService({ namespace }),
  ]);
  const loadBalancers: Workload[] = services.items
    .filter((s) => s.spec?.type === 'LoadBalancer' && !s.status?.loadBalancer?.ingress?.length)
    .map((object) => ({ kind: 'Service' as const, meta: object.metadata ?? {}, object }));
  const all: Workload[] = [
    ...deployments.items.map((object) => ({
      kind: 'Deployment' as const,
      meta: object.metadata ?? {},
      object,
    })),
    ...statefulSets.items.map((object) => ({
      kind: 'StatefulSet' as const,
      meta: object.metadata ?? {},
      object,
    })),
    ...daemonSets.items.map((object) => ({
      kind: 'DaemonSet' as const,
      meta: object.metadata ?? {},
      object,
    })),
  ];
  const lagging = all.filter(
    (w) =>
      w.kind !== 'Service' && (w.object.status?.observedGeneration ?? 0) < (w.meta.generation ?? 1),
  );
  return [...lagging, ...loadBalancers];
}

/** Writes a finished-rollout status; returns the new resourceVersion, undefined on conflict. */
async function finishRollout(
  apps: AppsV1Api,
  core: CoreV1Api,
  workload: Workload,
): Promise<string | undefined> {
  try {
    const written = await replaceStatus(apps, core, workload);
    return written.metadata?.resourceVersion;
  } catch (e) {
    if (e instanceof ApiException && (e.code === 409 || e.code === 404)) return undefined;
    throw e;
  }
}

/** Replaces the object's status subresource with the finished one, as this stand-in's manager. */
async function replaceStatus(
  apps: AppsV1Api,
  core: CoreV1Api,
  workload: Workload,
): Promise<{ metadata?: V1ObjectMeta }> {
  const name = workload.meta.name ?? '';
  const generation = workload.meta.generation ?? 1;
  const request = <T extends object, S>(object: T, status: S) => ({
    name,
    namespace: workload.meta.namespace ?? '',
    body: { ...object, status },
    fieldManager: FIELD_MANAGER,
  });
  switch (workload.kind) {
    case 'Deployment': {
      const replicas = workload.object.spec?.replicas ?? 1;
      return apps.replaceNamespacedDeploymentStatus(
        request(workload.object, {
          observedGeneration: generation,
          replicas,
          updatedReplicas: replicas,
          readyReplicas: replicas,
          availableReplicas: replicas,
          conditions: [
            condition('Available', 'MinimumReplicasAvailable'),
            condition('Progressing', 'NewReplicaSetAvailable'),
          ],
        } satisfies V1DeploymentStatus),
      );
    }
    case 'StatefulSet': {
      const replicas = workload.object.spec?.replicas ?? 1;
      const revision = `${name}-stand-in-${generation}`;
      return apps.replaceNamespacedStatefulSetStatus(
        request(workload.object, {
          observedGeneration: generation,
          replicas,
          readyReplicas: replicas,
          availableReplicas: replicas,
          currentReplicas: replicas,
          updatedReplicas: replicas,
          currentRevision: revision,
          updateRevision: revision,
        } satisfies V1StatefulSetStatus),
      );
    }
    case 'Service':
      // TEST-NET-1 (RFC 5737): an address that is never routed.
      return core.replaceNamespacedServiceStatus(
        request(workload.object, {
          loadBalancer: { ingress: [{ ip: '192.0.2.10' }] },
        } satisfies V1ServiceStatus),
      );
    case 'DaemonSet':
      return apps.replaceNamespacedDaemonSetStatus(
        request(workload.object, {
          observedGeneration: generation,
          currentNumberScheduled: 1,
          desiredNumberScheduled: 1,
          numberMisscheduled: 0,
          numberReady: 1,
          numberAvailable: 1,
          updatedNumberScheduled: 1,
        } satisfies V1DaemonSetStatus),
      );
  }
}

function condition(
  type: string,
  reason: string,
): {
  type: string;
  status: string;
  reason: string;
  lastUpdateTime: Date;
  lastTransitionTime: Date;
} {
  const now = new Date();
  return { type, status: 'True', reason, lastUpdateTime: now, lastTransitionTime: now };
}
