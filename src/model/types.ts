/**
 * The desired-state model: everything the analyzers decided, and nothing else. Charts read
 * only this; it is written as JSON with sorted keys so a re-run without new data changes no byte.
 * Its JSON Schema is `schema.ts` beside this file; bump MODEL_API_VERSION on breaking changes.
 */
import type { KubeObject, SkippedKind } from '../cluster/types.js';

export const MODEL_API_VERSION = 'tars.dev/v1alpha1';

/** Every concern, in the order their pull requests are proposed. */
export const CONCERNS = [
  'bootstrap',
  'takeover',
  'rightsizing',
  'scaling',
  'resilience',
  'security',
  'network',
  'backup',
] as const;

export type Concern = (typeof CONCERNS)[number];

export type ManagerTool = 'helm' | 'argocd' | 'flux' | 'kubectl' | 'none';

export interface Manager {
  readonly tool: ManagerTool;
  /** Release, application or Kustomization name where the tool names one. */
  readonly name?: string;
}

export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'CronJob' | 'Job';

export interface ContainerModel {
  readonly name: string;
  readonly image: string;
  readonly init: boolean;
  /**
   * An init container with `restartPolicy: Always` (a native sidecar): it keeps running beside
   * the app containers. Present only when true.
   */
  readonly sidecar?: boolean;
  readonly requests: Readonly<Record<string, string>>;
  readonly limits: Readonly<Record<string, string>>;
}

export interface WorkloadModel {
  readonly ref: ObjectRef & { readonly kind: WorkloadKind; readonly namespace: string };
  readonly managedBy: Manager;
  /** Desired replicas (Deployment/StatefulSet); absent for DaemonSets and Jobs. */
  readonly replicas?: number;
  /** Names of pods that currently belong to the workload, through ownerReferences. */
  readonly pods: readonly string[];
  readonly containers: readonly ContainerModel[];
  /** Rolled out and running, from its status and pods (src/kube/health.ts). */
  readonly health?: {
    readonly state: 'healthy' | 'progressing' | 'unhealthy' | 'unknown';
    readonly reasons: readonly string[];
  };
}

export interface Evidence {
  /** Length of the usage window, e.g. `7d`. */
  readonly window: string;
  readonly samples: number;
  readonly percentile?: number;
  readonly confidence: 'low' | 'medium' | 'high';
  readonly detail?: string;
}

export interface Risk {
  /** 0 (none) to 1 (highest). */
  readonly score: number;
  readonly reasons: readonly string[];
}

/**
 * One change to the Git tree. `adopt` and `create` carry a full manifest; `patch` carries a
 * strategic-merge patch holding only the fields TARS changes (for objects managed elsewhere).
 */
export interface Change {
  readonly id: string;
  readonly concern: Concern;
  readonly action: 'adopt' | 'create' | 'patch';
  readonly target: ObjectRef;
  readonly manifest: KubeObject;
  readonly summary: string;
  /** Largest relative change of a value, |after − before| / before (0.3 = 30%); absent for adoption. */
  readonly magnitude?: number;
  /** The workload the change is for, when its target is not the workload itself (waves group by it). */
  readonly workload?: ObjectRef;
  readonly evidence?: Evidence;
  readonly risk?: Risk;
  /**
   * Failures seen in the cluster that this change remedies by raising resources, one sentence
   * each (e.g. `OOM kills of container server`). Waves take such changes first, whatever their
   * risk: a fix left behind cuts keeps the failure going. Absent: the change fixes nothing.
   */
  readonly fixes?: readonly string[];
  /**
   * For a `patch`: the same partial object holding the values from before, when the analyzer
   * read them and the workload model does not hold them (an HPA's target). A rollback commits it
   * (src/gitops/rollback.ts). Absent: derived from the workload model where it can be.
   */
  readonly previous?: KubeObject;
}

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export interface Finding {
  readonly check: string;
  readonly concern: Concern | 'inventory';
  readonly severity: Severity;
  readonly resource: ObjectRef;
  readonly message: string;
  readonly remediation: string;
}

export interface DesiredState {
  readonly apiVersion: typeof MODEL_API_VERSION;
  readonly kind: 'DesiredState';
  readonly cluster: {
    readonly name: string;
    readonly source: 'live' | 'snapshot';
    readonly apiGroups: readonly string[];
  };
  readonly inputs: {
    readonly objects: number;
    readonly skipped: readonly SkippedKind[];
    readonly usageHistory: { readonly available: boolean; readonly source?: string };
  };
  readonly workloads: readonly WorkloadModel[];
  readonly changes: readonly Change[];
  readonly findings: readonly Finding[];
  /** Sentences for the reader, e.g. why a concern was skipped. */
  readonly notes: readonly string[];
  readonly rollout: { readonly phase: 1 | 2 | 3 | 4; readonly wave: number };
  /** Monthly cost of today's requests and of the proposal (the cost analyzer's `costReport`). */
  readonly cost?: CostReport;
}

/** Money per month, in the price policy's currency. */
export interface CostFigures {
  readonly cpu: number;
  readonly memory: number;
  readonly storage: number;
  readonly total: number;
}

export interface WorkloadCost {
  readonly ref: ObjectRef;
  readonly replicas: number;
  /** Per pod, in cores and bytes (init containers counted as Kubernetes does). */
  readonly requests: { readonly cpu: number; readonly memory: number };
  readonly proposedRequests: { readonly cpu: number; readonly memory: number };
  readonly today: CostFigures;
  readonly proposed: CostFigures;
  /** Stateless, at least 2 replicas and covered by a PodDisruptionBudget. */
  readonly spotCandidate: boolean;
}

export interface CostReport {
  readonly currency: string;
  readonly hoursPerMonth: number;
  readonly prices: {
    readonly vcpuHour: number;
    readonly memoryGiBHour: number;
    readonly storageGiBMonth: number;
    readonly spotDiscount: number;
  };
  readonly workloads: readonly WorkloadCost[];
  readonly today: CostFigures;
  readonly proposed: CostFigures;
  /** Further monthly saving if every spot candidate ran on spot capacity (proposed requests). */
  readonly spotSavings: number;
  readonly nodes: {
    /** Nodes in the snapshot. */
    readonly today: number;
    /**
     * First-fit-decreasing of today's requests onto the node shapes; at least one node when
     * DaemonSet pods run (they need a node, though they never open one by themselves).
     */
    readonly packedToday: number;
    /** First-fit-decreasing of the proposed requests onto the node shapes. */
    readonly packedProposed: number;
    /** Pods of the proposal that fit no node shape (counted apart, never packed). */
    readonly unplaceable: number;
    /** Pods of today's requests that fit no node shape; absent when none. */
    readonly unplaceableToday?: number;
    /**
     * What both packed counts hold besides the analysed workloads, as it runs today: pods of the
     * namespaces the policy leaves out and bare pods (placed), DaemonSets of those namespaces (on
     * every node). Not priced: the money covers the analysed workloads only. Absent when none.
     */
    readonly notAnalysed?: { readonly pods: number; readonly daemonSets: number };
  };
}
