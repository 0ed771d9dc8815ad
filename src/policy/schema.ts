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
/** The cluster name becomes a folder and part of a git branch name: letters, digits, `-`, `_`. */
const PATH_SAFE_NAME = '^[A-Za-z0-9]([-_A-Za-z0-9]*[A-Za-z0-9])?$';

const namespaceList = (description: string): SchemaObject => ({
  type: 'array',
  description,
  items: { type: 'string', pattern: DNS_LABEL, maxLength: 63, description: 'A namespace name.' },
  uniqueItems: true,
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
        pattern: PATH_SAFE_NAME,
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
      image: { type: 'string', minLength: 1, description: 'The TARS container image the CronJob runs.' },
      schedule: {
        type: 'string',
        format: 'cron',
        description: 'Cron schedule (five fields, or @hourly and friends) of `tars run --once`.',
      },
      repoURL: {
        type: 'string',
        description: 'Repository Argo CD or Flux reads; empty means: taken from `tars propose --repo`.',
      },
      branch: { type: 'string', minLength: 1, description: 'Branch Argo CD or Flux follows.' },
      path: { type: 'string', minLength: 1, description: 'Folder of the generated tree in the repository.' },
      platform: { enum: ['github', 'gitlab', 'none'], description: 'Git platform for pull requests.' },
      tokenSecret: {
        type: 'object',
        description: 'The Secret holding the git token: referenced by the CronJob, never created by TARS.',
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', description: 'Secret name.' },
          key: { type: 'string', minLength: 1, description: 'Key of the token in the Secret.' },
        },
      },
      argocdNamespace: { type: 'string', pattern: DNS_LABEL, description: "Namespace of Argo CD's Applications." },
      fluxNamespace: { type: 'string', pattern: DNS_LABEL, description: "Namespace of Flux's sources and Kustomizations." },
      interval: { type: 'string', pattern: '^([0-9]+(ms|s|m|h))+$', description: 'Flux reconcile interval.' },
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
