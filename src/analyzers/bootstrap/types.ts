/** The policy section for phase 1: how TARS installs itself and points GitOps at its tree. */
export interface BootstrapPolicy {
  /** Which GitOps engine reconciles the tree. @default argocd */
  readonly gitops: 'argocd' | 'flux';
  /** The TARS container image the CronJob runs. @default ghcr.io/tars-gitops/tars:0.1.0 */
  readonly image: string;
  /** Cron schedule of `tars run --once`. @default "17 * * * *" */
  readonly schedule: string;
  /** The repository Argo CD or Flux reads; `tars propose --repo` fills it when empty. @default "" */
  readonly repoURL: string;
  /** Branch Argo CD or Flux follows. @default main */
  readonly branch: string;
  /** Folder of the generated tree in the repository. @default generated */
  readonly path: string;
  /** Git platform for pull requests. @default none */
  readonly platform: 'github' | 'gitlab' | 'none';
  /** The Secret holding the git token: referenced, never created by TARS. */
  readonly tokenSecret: { readonly name: string; readonly key: string };
  /** Namespace of Argo CD's Applications. @default argocd */
  readonly argocdNamespace: string;
  /** Namespace of Flux's sources and Kustomizations. @default flux-system */
  readonly fluxNamespace: string;
  /** Flux reconcile interval. @default 10m */
  readonly interval: string;
}
