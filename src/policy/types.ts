/**
 * The policy: what TARS may decide on its own. Loaded from `policies/*.yaml` (each file a
 * `kind: Policy` document, merged in file-name order over the built-in defaults) and validated
 * with ajv against `schema.ts`. Every field is documented in `policies/default.yaml`.
 */
import type { BootstrapPolicy } from '../analyzers/bootstrap/types.js';

export interface Policy {
  readonly cluster: {
    /** Overrides the name taken from the kubeconfig context or snapshot. @default from source */
    readonly name?: string;
  };
  readonly namespaces: {
    /** Only these namespaces, when non-empty. @default [] */
    readonly include: readonly string[];
    /** Never these. @default [kube-system, kube-public, kube-node-lease] */
    readonly exclude: readonly string[];
  };
  readonly takeover: {
    /** Write clean manifests for workloads no GitOps tool or Helm manages. @default true */
    readonly adoptUnmanaged: boolean;
  };
  readonly rollout: {
    /** 1 bootstrap, 2 observe, 3 waves, 4 autonomous. @default 3 */
    readonly phase: 1 | 2 | 3 | 4;
    /** At most this many workloads per pull request in phase 3. @default 5 */
    readonly waveSize: number;
    /** Phase 4: pull requests whose every change scores below this risk get the auto-merge label. @default 0.2 */
    readonly autoMergeRiskBelow: number;
  };
  /** Phase 1: how TARS installs itself and points Argo CD or Flux at its tree. */
  readonly bootstrap: BootstrapPolicy;
  /** Requests and limits from usage history. */
  readonly rightsizing: RightsizingPolicy;
  /** Prices for the cost table. */
  readonly cost: CostPolicy;
}

/**
 * How the right-sizing recommender turns usage history into requests and limits. The model
 * parameters (half-life, margins, over-request cost) were chosen once on the first 16 hours of
 * the benchmark traces and are kept fixed; see BENCHMARKS.md.
 */
export interface RightsizingPolicy {
  /** Shortest history (first to last sample) a container needs before anything is proposed. @default 12h */
  readonly minHistory: string;
  /** Most a request or limit may be cut in one pull request, as a share of today's value. @default 0.3 */
  readonly maxStep: number;
  /**
   * How long a container must have run today's resources before one of them is cut again: the
   * next step of a cut waits for usage measured under the last one (one daily cycle by
   * default). Raises never wait. `0s` turns it off. @default 24h
   */
  readonly soak: string;
  /** Changes smaller than this share of today's value are not proposed (churn). @default 0.05 */
  readonly minChange: number;
  /** Extra margin with no history at all, fading linearly to 0 at `fullConfidenceHistory` (VPA-like). @default 0.05 */
  readonly shortHistoryMargin: number;
  /** @default 24h */
  readonly fullConfidenceHistory: string;
  /** Also set CPU limits (`cpu.limitRatio` × the request). Off: CPU limits cause throttling. @default false */
  readonly cpuLimits: boolean;
  /**
   * Workloads an HPA scales on CPU utilization: `adjust-target` rescales the HPA's target so the
   * per-pod CPU at which it scales stays the same (and leaves CPU alone when the new target would
   * fall outside 10..95%); `leave` never touches their CPU. @default adjust-target
   */
  readonly hpaCpu: 'adjust-target' | 'leave';
  readonly cpu: {
    /** Half-life of the recency weights on CPU samples. @default 8h */
    readonly halfLife: string;
    /**
     * Price, in cores, of a container spending all of its time above its request: the request is
     * the level minimizing `request + overRequestCost × P(usage > request)`. `auto` solves one
     * price per plan so that the proposed CPU requests of the plan's containers total no more
     * than what VPA's default recommender would request for them (p90 over a 24 h half-life ×
     * 1.15, at least 25m): the same cores or fewer, placed where they keep the most time under
     * the request (unless the percentile and recent-window floors alone ask for more: they stand,
     * and the plan says so). @default auto
     */
    readonly overRequestCost: number | 'auto';
    /**
     * Level uncertainty: every sample also counts at × (1 − this) and × (1 + this), a third of
     * its weight each, since the next hours may sit a little above or below the history.
     * @default 0.3
     */
    readonly levelSpread: number;
    /** The request is never below this recency-weighted percentile (0..1). @default 0.9 */
    readonly minPercentile: number;
    /** Relative margin on top. @default 0 */
    readonly margin: number;
    /** Window of the recent-history terms (MAD floor, drift). @default 30m */
    readonly recentWindow: string;
    /**
     * Added to the request: this × the rise of the median of the recent window over the median
     * of the window before it (never negative). @default 0.25
     */
    readonly driftFactor: number;
    /**
     * The request is never below the recent window's median + this × 1.4826 × its median
     * absolute deviation (a robust sigma). @default 2.5
     */
    readonly madFactor: number;
    /** Throttled share of CFS periods (p90 over the window) above which CPU is raised. @default 0.1 */
    readonly throttlingThreshold: number;
    /** CPU limit = request × this, when `cpuLimits`. @default 2 */
    readonly limitRatio: number;
    /** @default 10m */
    readonly floor: string;
    /** Millicores to round up to. @default 5 */
    readonly roundMillicores: number;
  };
  readonly memory: {
    /** Margin over the observed peak for a steady container. @default 0.06 */
    readonly margin: number;
    /** Added margin per unit of the largest 5-minute jump relative to the peak. @default 1 */
    readonly jumpFactor: number;
    /** Cap of margin + jump term. @default 0.2 */
    readonly maxMargin: number;
    /** After an OOM kill: at least max(peak, today's limit) × (1 + oomBump). @default 0.2 */
    readonly oomBump: number;
    /** @default 32Mi */
    readonly floor: string;
    /** MiB to round up to. @default 1 */
    readonly roundMi: number;
  };
}

/**
 * Prices for the cost analyzer, in the policy's currency per unit. Defaults are public on-demand
 * list prices; see `DEFAULT_COST_POLICY` for their sources.
 */
export interface CostPolicy {
  /** @default USD */
  readonly currency: string;
  /** Price of one vCPU for one hour. */
  readonly vcpuHour: number;
  /** Price of one GiB of memory for one hour. */
  readonly memoryGiBHour: number;
  /** Price of one GiB of persistent storage for one month. */
  readonly storageGiBMonth: number;
  /** Share saved on spot/preemptible capacity (0..1). */
  readonly spotDiscount: number;
  /** Hours in a month. @default 730 */
  readonly hoursPerMonth: number;
}
