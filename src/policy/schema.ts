/**
 * JSON Schema of one policy file (`policies/*.yaml`). Every field is optional in a file: what a
 * file leaves out comes from the files before it and finally from `defaults.ts`. Unknown fields
 * are errors everywhere, so a typo never silently falls back to a default.
 *
 * Adding a section: add its schema to `POLICY_SECTION_SCHEMAS` (the type makes a section in
 * `types.ts` without a schema a compile error), then its values to `defaults.ts` and its
 * documentation to `policies/default.yaml`.
 */
import type { SchemaObject } from 'ajv';
import type { Policy } from './types.js';

export const POLICY_API_VERSION = 'tars.dev/v1alpha1';
export const POLICY_KIND = 'Policy';

/** Namespace names are DNS-1123 labels. */
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

const namespaceList = (description: string): SchemaObject => ({
  type: 'array',
  description,
  items: { type: 'string', pattern: DNS_LABEL, maxLength: 63, description: 'A namespace name.' },
  uniqueItems: true,
});

/** Prometheus-style durations, as `parseDuration` reads them: 30m, 12h, 14d, 1h30m. */
const duration = (description: string): SchemaObject => ({
  type: 'string',
  pattern: '^([0-9]+[smhdw])+$',
  description,
});

/** A duration longer than zero (a nonzero digit somewhere; the format is checked in load.ts). */
const positiveDuration = (description: string): SchemaObject => ({
  ...duration(description),
  format: 'positive-duration',
});

const share = (description: string): SchemaObject => ({
  type: 'number',
  minimum: 0,
  maximum: 1,
  description,
});

/** Kubernetes resource quantities: 10m, 0.5, 32Mi, 1Gi. */
const quantity = (description: string): SchemaObject => ({
  type: 'string',
  pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|Ki|Mi|Gi|Ti)?$',
  description,
});

/** A quantity above zero (the format is checked in load.ts). */
const positiveQuantity = (description: string): SchemaObject => ({
  ...quantity(description),
  format: 'positive-quantity',
});

/** One schema per top-level section of `Policy`; each an object closed to unknown fields. */
export const POLICY_SECTION_SCHEMAS: { readonly [K in keyof Policy]-?: SchemaObject } = {
  cluster: {
    type: 'object',
    description: 'Identity of the cluster the policy applies to.',
    additionalProperties: false,
    properties: {
      name: {
        type: 'string',
        minLength: 1,
        maxLength: 63,
        // The name becomes a folder and part of a git branch name (checked in load.ts).
        format: 'cluster-name',
        description:
          'Cluster name used in generated/<cluster>/ and in branch names; overrides the name taken from the kubeconfig context or the snapshot.',
      },
    },
  },
  namespaces: {
    type: 'object',
    description: 'Which namespaces TARS analyzes and proposes changes for.',
    additionalProperties: false,
    properties: {
      include: namespaceList('Only these namespaces, when the list is not empty.'),
      exclude: namespaceList('Never these namespaces, even when listed in include.'),
    },
  },
  takeover: {
    type: 'object',
    description: 'Adoption of live objects that no GitOps tool or Helm manages yet.',
    additionalProperties: false,
    properties: {
      adoptUnmanaged: {
        type: 'boolean',
        description:
          'Write clean manifests for unmanaged workloads so Git becomes their source of truth; objects managed by Helm, Argo CD or Flux are only ever patched.',
      },
    },
  },
  rollout: {
    type: 'object',
    description: 'How far TARS may go on its own: the four phases of the takeover.',
    additionalProperties: false,
    properties: {
      phase: {
        enum: [1, 2, 3, 4],
        description:
          '1 bootstrap (install TARS itself), 2 observe (report only), 3 propose changes in waves, 4 autonomous (low-risk changes labelled for auto-merge).',
      },
      waveSize: {
        type: 'integer',
        minimum: 1,
        description: 'At most this many workloads per pull request in phase 3.',
      },
      autoMergeRiskBelow: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        description:
          'Phase 4: a pull request whose every change has a risk score below this gets the auto-merge label.',
      },
    },
  },
  bootstrap: {
    type: 'object',
    description: 'Phase 1: how TARS installs itself and points Argo CD or Flux at its tree.',
    additionalProperties: false,
    properties: {
      gitops: { enum: ['argocd', 'flux'], description: 'Which GitOps engine reconciles the tree.' },
      image: {
        type: 'string',
        minLength: 1,
        description: 'The TARS container image the CronJob runs.',
      },
      schedule: {
        type: 'string',
        format: 'cron',
        description: 'Cron schedule (five fields, or @hourly and friends) of `tars run --once`.',
      },
      repoURL: {
        type: 'string',
        description:
          'Repository Argo CD or Flux reads; empty means: taken from `tars propose --repo`.',
      },
      branch: { type: 'string', minLength: 1, description: 'Branch Argo CD or Flux follows.' },
      path: {
        type: 'string',
        minLength: 1,
        description: 'Folder of the generated tree in the repository.',
      },
      platform: {
        enum: ['github', 'gitlab', 'none'],
        description: 'Git platform for pull requests.',
      },
      tokenSecret: {
        type: 'object',
        description:
          'The Secret holding the git token: referenced by the CronJob, never created by TARS.',
        additionalProperties: false,
        properties: {
          name: {
            type: 'string',
            pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
            description: 'Secret name.',
          },
          key: { type: 'string', minLength: 1, description: 'Key of the token in the Secret.' },
        },
      },
      argocdNamespace: {
        type: 'string',
        pattern: DNS_LABEL,
        description: "Namespace of Argo CD's Applications.",
      },
      fluxNamespace: {
        type: 'string',
        pattern: DNS_LABEL,
        description: "Namespace of Flux's sources and Kustomizations.",
      },
      interval: {
        type: 'string',
        pattern: '^([0-9]+(ms|s|m|h))+$',
        description: 'Flux reconcile interval.',
      },
    },
  },
  rightsizing: {
    type: 'object',
    description: 'Requests and limits per container from usage history (see BENCHMARKS.md).',
    additionalProperties: false,
    properties: {
      minHistory: duration('Shortest history (first to last sample) before anything is proposed.'),
      maxStep: share(
        'Most a request or limit may be cut in one pull request, as a share of today.',
      ),
      soak: duration(
        "How long today's resources must have run before one of them is cut (raises never wait); 0s: no wait.",
      ),
      minChange: share(
        'Changes smaller than this share of today are not proposed (memory raises always are).',
      ),
      shortHistoryMargin: share(
        'Extra margin with no history, fading to 0 at fullConfidenceHistory.',
      ),
      fullConfidenceHistory: duration('History at which the short-history margin reaches 0.'),
      cpuLimits: {
        type: 'boolean',
        description: 'Also set CPU limits (limitRatio × the request).',
      },
      hpaCpu: {
        enum: ['adjust-target', 'leave'],
        description:
          'Workloads an HPA scales on CPU: rescale its target to keep the per-pod CPU it scales at, or leave CPU alone.',
      },
      cpu: {
        type: 'object',
        description: 'The CPU request model.',
        additionalProperties: false,
        properties: {
          halfLife: positiveDuration('Half-life of the recency weights on CPU samples (above 0).'),
          overRequestCost: {
            oneOf: [{ type: 'number', minimum: 0 }, { const: 'auto' }],
            description:
              "Cores one would pay to keep a container from running above its request all the time, or 'auto': one price per plan, solved so the plan's CPU requests total no more than VPA's default recommender's.",
          },
          levelSpread: share(
            'Level uncertainty: each sample also counts at × (1 − this) and × (1 + this).',
          ),
          minPercentile: share(
            'The request is never below this recency-weighted percentile (0..1).',
          ),
          margin: share('Relative margin on top.'),
          recentWindow: duration('Window of the recent-history terms (MAD floor, drift).'),
          driftFactor: {
            type: 'number',
            minimum: 0,
            description:
              'Added to the request: this × the rise of the recent median over the window before.',
          },
          madFactor: {
            type: 'number',
            minimum: 0,
            description: 'Request at least the recent median + this × 1.4826 × the recent MAD.',
          },
          throttlingThreshold: share(
            'Throttled share of CFS periods (p90) above which CPU is raised.',
          ),
          limitRatio: {
            type: 'number',
            minimum: 1,
            description: 'CPU limit = request × this, when cpuLimits.',
          },
          floor: positiveQuantity('Smallest CPU request proposed, e.g. 10m.'),
          roundMillicores: {
            type: 'integer',
            minimum: 1,
            description: 'Millicores to round up to.',
          },
        },
      },
      memory: {
        type: 'object',
        description: 'The memory request and limit model.',
        additionalProperties: false,
        properties: {
          margin: share('Margin over the observed peak for a steady container.'),
          jumpFactor: {
            type: 'number',
            minimum: 0,
            description: 'Added margin per unit of the largest 5-minute jump relative to the peak.',
          },
          maxMargin: share('Cap of margin + jump term.'),
          oomBump: share(
            "After an OOM kill: at least the larger of the peak and today's limit × (1 + this).",
          ),
          floor: positiveQuantity('Smallest memory proposed, e.g. 32Mi.'),
          roundMi: { type: 'integer', minimum: 1, description: 'MiB to round up to.' },
        },
      },
    },
  },
  cost: {
    type: 'object',
    description: 'Prices for the cost table.',
    additionalProperties: false,
    properties: {
      currency: { type: 'string', minLength: 1, description: 'Currency of every price, e.g. USD.' },
      vcpuHour: { type: 'number', minimum: 0, description: 'Price of one vCPU for one hour.' },
      memoryGiBHour: {
        type: 'number',
        minimum: 0,
        description: 'Price of one GiB of memory for one hour.',
      },
      storageGiBMonth: {
        type: 'number',
        minimum: 0,
        description: 'Price of one GiB of persistent storage for a month.',
      },
      spotDiscount: share('Share saved on spot/preemptible capacity.'),
      hoursPerMonth: { type: 'number', exclusiveMinimum: 0, description: 'Hours in a month.' },
    },
  },
};

/** The `spec` of a policy file: any subset of the sections. */
export const POLICY_SPEC_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'Policy settings; each section and field is optional and overrides earlier files.',
  additionalProperties: false,
  properties: POLICY_SECTION_SCHEMAS,
};

/** One document of a policy file. */
export const POLICY_FILE_SCHEMA: SchemaObject = {
  $id: 'https://tars.dev/schemas/policy-v1alpha1.json',
  type: 'object',
  description: 'A TARS policy document. Files in a policy directory merge in file-name order.',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: POLICY_API_VERSION, description: 'Always tars.dev/v1alpha1.' },
    kind: { const: POLICY_KIND, description: 'Always Policy.' },
    metadata: {
      type: 'object',
      description: 'Identifies the policy document in messages.',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, description: 'Name of this policy document.' },
        labels: {
          type: 'object',
          description: 'Free-form labels, for the people who maintain the policies.',
          additionalProperties: { type: 'string' },
        },
        annotations: {
          type: 'object',
          description: 'Free-form annotations, for the people who maintain the policies.',
          additionalProperties: { type: 'string' },
        },
      },
    },
    spec: POLICY_SPEC_SCHEMA,
  },
};
