/**
 * The policy: what TARS may decide on its own. Loaded from `policies/*.yaml` (each file a
 * `kind: Policy` document, merged in file-name order over the built-in defaults) and validated
 * with ajv against `schema.ts`. Every field is documented in `policies/default.yaml`.
 */
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
  };
}
