/**
 * bootstrap (phase 1): TARS's own presence in the cluster, as objects for the tree's
 * `bootstrap/` folder: namespace, ServiceAccount, the read-only ClusterRole and its binding, a
 * CronJob running `tars run --once`, and the Argo CD Application or Flux GitRepository +
 * Kustomizations that reconcile `generated/<cluster>`. CRD kinds are emitted only when the
 * cluster serves their API, and are validated against the published schemas.
 */
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import { GitRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1';
import { tarsClusterRole, TARS_CLUSTER_ROLE_NAME } from '../../bootstrap/rbac.js';
import type { KubeObject } from '../../cluster/types.js';
import { scaleTargetsOf } from '../../kube/autoscaling.js';
import type { Change, Finding, Manager } from '../../model/types.js';
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { clusterFolderName } from '../../util/cluster-folder.js';
import { POLICY_API_VERSION, POLICY_KIND } from '../../policy/schema.js';
import type { Policy } from '../../policy/types.js';
import type { Analyzer, AnalyzerInput, AnalyzerOutput } from '../types.js';
import type { BootstrapPolicy } from './types.js';

export const TARS_NAMESPACE = 'tars';
const LABELS = { 'app.kubernetes.io/name': 'tars', 'app.kubernetes.io/part-of': 'tars' };

function create(obj: KubeObject, summary: string): Change {
  const { namespace, name } = obj.metadata;
  return {
    id: `bootstrap:${obj.kind}/${namespace ? `${namespace}/` : ''}${name}`,
    concern: 'bootstrap',
    action: 'create',
    target: {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name,
      ...(namespace ? { namespace } : {}),
    },
    manifest: obj,
    summary,
  };
}

const POLICY_MOUNT = '/etc/tars/policies';

/**
 * The policy the in-cluster run uses: the one this plan was made with, its cluster name pinned
 * (in-cluster credentials carry no cluster name), as a policy file in a ConfigMap.
 */
function policyConfigMap(policy: Policy, cluster: string): KubeObject {
  const spec = { ...policy, cluster: { ...policy.cluster, name: cluster } };
  const document = {
    apiVersion: POLICY_API_VERSION,
    kind: POLICY_KIND,
    metadata: { name: 'effective' },
    spec,
  };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'tars-policy', namespace: TARS_NAMESPACE, labels: LABELS },
    data: { 'policy.yaml': stringify(document, { sortMapEntries: true }) },
  };
}

function cronJob(policy: BootstrapPolicy): KubeObject {
  const args = [
    'run',
    '--once',
    '--policies',
    POLICY_MOUNT,
    '--path',
    policy.path,
    '--platform',
    policy.platform,
  ];
  if (policy.repoURL !== '') args.push('--repo', policy.repoURL, '--base', policy.branch);
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tars', namespace: TARS_NAMESPACE, labels: LABELS },
    spec: {
      schedule: policy.schedule,
      concurrencyPolicy: 'Forbid',
      jobTemplate: {
        spec: {
          backoffLimit: 1,
          template: {
            metadata: { labels: LABELS },
            spec: {
              serviceAccountName: 'tars',
              restartPolicy: 'Never',
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 65532,
                seccompProfile: { type: 'RuntimeDefault' },
              },
              containers: [
                {
                  name: 'tars',
                  image: policy.image,
                  args,
                  env: [
                    // Referenced, never created: the platform team owns the token.
                    {
                      name: 'TARS_GIT_TOKEN',
                      valueFrom: {
                        secretKeyRef: {
                          name: policy.tokenSecret.name,
                          key: policy.tokenSecret.key,
                        },
                      },
                    },
                  ],
                  resources: {
                    requests: { cpu: '100m', memory: '256Mi' },
                    limits: { memory: '512Mi' },
                  },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ['ALL'] },
                  },
                  volumeMounts: [
                    { name: 'work', mountPath: '/tmp' },
                    { name: 'policy', mountPath: POLICY_MOUNT, readOnly: true },
                  ],
                },
              ],
              volumes: [
                { name: 'work', emptyDir: {} },
                { name: 'policy', configMap: { name: 'tars-policy' } },
              ],
            },
          },
        },
      },
    },
  };
}

/** Workloads an existing HPA scales: Argo CD must not fight the HPA over `/spec/replicas`. */
function hpaScaledTargets(
  objects: readonly KubeObject[],
): { kind: string; namespace: string; name: string; group: string }[] {
  return scaleTargetsOf(objects)
    .map((t) => {
      const apiVersion = t.apiVersion ?? 'apps/v1';
      return {
        kind: t.kind,
        namespace: t.namespace ?? '',
        name: t.name,
        group: apiVersion.includes('/') ? apiVersion.split('/')[0] : '',
      };
    })
    .sort((a, b) =>
      `${a.namespace}/${a.kind}/${a.name}`.localeCompare(`${b.namespace}/${b.kind}/${b.name}`),
    );
}

/**
 * `tars-<cluster>` as a Kubernetes object name: lower case, `[a-z0-9-]`, and short enough that
 * `<name>-bootstrap` stays a 63-character label value (Argo CD tracks apps by a label holding the
 * name). A name that had to be cut keeps a hash of the whole, so two clusters never share one.
 */
export function objectNameFor(cluster: string): string {
  const name = `tars-${cluster}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+$/, '');
  const room = 63 - '-bootstrap'.length;
  if (name.length <= room) return name;
  const hash = createHash('sha256').update(cluster).digest('hex').slice(0, 8);
  return `${name.slice(0, room - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

function treePath(policy: BootstrapPolicy, cluster: string): string {
  return `${policy.path.replace(/\/+$/, '')}/${cluster}`;
}

function argoApplications(
  policy: BootstrapPolicy,
  cluster: string,
  objects: readonly KubeObject[],
): KubeObject[] {
  const app = (name: string, path: string, ignore: ReturnType<typeof hpaScaledTargets>) =>
    new Application({
      metadata: { name, namespace: policy.argocdNamespace, labels: LABELS },
      spec: {
        project: 'default',
        source: { repoURL: policy.repoURL, targetRevision: policy.branch, path },
        destination: { server: 'https://kubernetes.default.svc' },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'],
        },
        ...(ignore.length > 0
          ? {
              ignoreDifferences: ignore.map((t) => ({
                group: t.group,
                kind: t.kind,
                namespace: t.namespace,
                name: t.name,
                jsonPointers: ['/spec/replicas'],
              })),
            }
          : {}),
      },
    });
  const apps = [
    app(`${objectNameFor(cluster)}-bootstrap`, `${treePath(policy, cluster)}/bootstrap`, []),
    app(objectNameFor(cluster), treePath(policy, cluster), hpaScaledTargets(objects)),
  ];
  for (const a of apps) a.validate();
  return apps.map((a) => a.toJSON() as unknown as KubeObject);
}

function fluxObjects(policy: BootstrapPolicy, cluster: string): KubeObject[] {
  const ns = policy.fluxNamespace;
  const source = new GitRepository({
    metadata: { name: objectNameFor(cluster), namespace: ns, labels: LABELS },
    spec: {
      url: policy.repoURL,
      ref: { branch: policy.branch },
      interval: policy.interval,
      secretRef: { name: policy.tokenSecret.name },
    },
  });
  const kustomization = (name: string, path: string, dependsOn?: string) =>
    new Kustomization({
      metadata: { name, namespace: ns, labels: LABELS },
      spec: {
        interval: policy.interval,
        path: `./${path}`,
        prune: true,
        sourceRef: { kind: 'GitRepository', name: objectNameFor(cluster) },
        ...(dependsOn ? { dependsOn: [{ name: dependsOn }] } : {}),
      },
    });
  const objs = [
    source,
    kustomization(`${objectNameFor(cluster)}-bootstrap`, `${treePath(policy, cluster)}/bootstrap`),
    kustomization(
      objectNameFor(cluster),
      treePath(policy, cluster),
      `${objectNameFor(cluster)}-bootstrap`,
    ),
  ];
  for (const o of objs) o.validate();
  return objs.map((o) => o.toJSON() as unknown as KubeObject);
}

function finding(check: string, message: string, remediation: string): Finding {
  return {
    check,
    concern: 'bootstrap',
    severity: 'medium',
    resource: { apiVersion: 'v1', kind: 'Namespace', name: TARS_NAMESPACE },
    message,
    remediation,
  };
}

/** The cluster's folder name, which names bootstrap's objects, the tree's path and its apps. */
function clusterOf(input: AnalyzerInput): string {
  // The folder name, not the raw one: a kubeconfig context may be an EKS ARN, which is neither a
  // path nor a policy's cluster name; the folder is both, and the same the plan writes.
  return clusterFolderName(input.policy.cluster.name ?? input.snapshot.clusterName);
}

/**
 * Whether `manager` is one of the Argo CD Applications or Flux Kustomizations bootstrap installs
 * for this cluster: what they apply is this tree, already in Git, not another tool's. Argo CD
 * writes an application outside its control-plane namespace as `<namespace>_<name>`.
 */
export function appliedByThisTree(manager: Manager, input: AnalyzerInput): boolean {
  if (manager.name === undefined) return false;
  const { argocdNamespace } = input.policy.bootstrap;
  const names = [objectNameFor(clusterOf(input))].flatMap((n) => [n, `${n}-bootstrap`]);
  if (manager.tool === 'flux') return names.includes(manager.name);
  if (manager.tool !== 'argocd') return false;
  return names.some((n) => manager.name === n || manager.name === `${argocdNamespace}_${n}`);
}

export function planBootstrap(input: AnalyzerInput, policy: BootstrapPolicy): AnalyzerOutput {
  const cluster = clusterOf(input);
  const role = tarsClusterRole();
  const objects: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: TARS_NAMESPACE,
        labels: { ...LABELS, 'pod-security.kubernetes.io/enforce': 'restricted' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'tars', namespace: TARS_NAMESPACE, labels: LABELS },
    },
    role,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: TARS_CLUSTER_ROLE_NAME, labels: LABELS },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: TARS_CLUSTER_ROLE_NAME,
      },
      subjects: [{ kind: 'ServiceAccount', name: 'tars', namespace: TARS_NAMESPACE }],
    },
    policyConfigMap(input.policy, cluster),
    cronJob(policy),
  ];
  const findings: Finding[] = [];
  const served = new Set(input.snapshot.apiGroups);
  if (policy.repoURL === '') {
    findings.push(
      finding(
        'bootstrap.no-repository',
        'No repository is configured, so no Argo CD Application or Flux Kustomization is generated.',
        'Set bootstrap.repoURL in the policy, or run `tars propose --repo URL`.',
      ),
    );
  } else if (policy.gitops === 'argocd') {
    if (served.has('argoproj.io'))
      objects.push(...argoApplications(policy, cluster, input.snapshot.objects));
    else
      findings.push(
        finding(
          'bootstrap.argocd-missing',
          'The policy chooses Argo CD but the cluster does not serve argoproj.io; no Application is generated.',
          'Install Argo CD, or set bootstrap.gitops to flux.',
        ),
      );
  } else if (served.has('source.toolkit.fluxcd.io') && served.has('kustomize.toolkit.fluxcd.io')) {
    objects.push(...fluxObjects(policy, cluster));
  } else {
    findings.push(
      finding(
        'bootstrap.flux-missing',
        'The policy chooses Flux but the cluster does not serve its source and kustomize APIs; no Kustomization is generated.',
        'Install Flux, or set bootstrap.gitops to argocd.',
      ),
    );
  }
  const changes = objects.map((o) => create(o, `Install TARS: ${o.kind} ${o.metadata.name}.`));
  return { changes, findings };
}

export const bootstrapAnalyzer: Analyzer = {
  id: 'bootstrap',
  description:
    'Phase 1: TARS itself (namespace, read-only RBAC, CronJob) and the Argo CD or Flux objects that reconcile its tree.',
  analyze: (input) => planBootstrap(input, input.policy.bootstrap),
};
