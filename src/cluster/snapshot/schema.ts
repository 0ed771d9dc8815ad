/**
 * What a snapshot document must look like before TARS trusts it: only the envelope every
 * Kubernetes object shares (the rest of each kind is the API server's business), plus the
 * `cluster.yaml` metadata the snapshot writer puts at the root.
 */
import { Ajv } from 'ajv';
import type { SchemaObject } from 'ajv';
import type { SkippedKind } from '../types.js';

const nonEmptyString = { type: 'string', minLength: 1 } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** apiVersion, kind, metadata.name as strings; namespace, labels, annotations, owners typed. */
export const OBJECT_ENVELOPE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  properties: {
    apiVersion: nonEmptyString,
    kind: nonEmptyString,
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        name: nonEmptyString,
        namespace: nonEmptyString,
        uid: { type: 'string' },
        labels: stringMap,
        annotations: stringMap,
        ownerReferences: {
          type: 'array',
          items: {
            type: 'object',
            required: ['apiVersion', 'kind', 'name', 'uid'],
            properties: {
              apiVersion: nonEmptyString,
              kind: nonEmptyString,
              name: nonEmptyString,
              uid: { type: 'string' },
              controller: { type: 'boolean' },
            },
          },
        },
      },
    },
  },
};

/** `kind: List` (and typed lists such as `PodList`) as `kubectl get -o yaml|json` prints them. */
export const LIST_ENVELOPE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['apiVersion', 'kind', 'items'],
  properties: {
    apiVersion: nonEmptyString,
    kind: nonEmptyString,
    items: { type: 'array' },
  },
};

export const CLUSTER_INFO_API_VERSION = 'tars.dev/v1alpha1';
export const CLUSTER_INFO_KIND = 'ClusterInfo';
/** Name of the metadata file at a snapshot's root; never read as a cluster object. */
export const CLUSTER_INFO_FILE = 'cluster.yaml';

/** The snapshot writer's metadata: which cluster, which optional APIs it served, what was skipped. */
export interface ClusterInfo {
  apiVersion: typeof CLUSTER_INFO_API_VERSION;
  kind: typeof CLUSTER_INFO_KIND;
  name: string;
  apiGroups?: string[];
  skipped?: SkippedKind[];
}

export const CLUSTER_INFO_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['apiVersion', 'kind', 'name'],
  properties: {
    apiVersion: { const: CLUSTER_INFO_API_VERSION },
    kind: { const: CLUSTER_INFO_KIND },
    name: nonEmptyString,
    apiGroups: { type: 'array', items: nonEmptyString },
    skipped: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'reason', 'message'],
        additionalProperties: false,
        properties: {
          kind: nonEmptyString,
          reason: { enum: ['forbidden', 'not-served', 'error'] },
          message: { type: 'string' },
        },
      },
    },
  },
};

// First error only: a snapshot error names one document and one field. `verbose` lets the
// error formatter suggest known keys.
const ajv = new Ajv({ allErrors: false, verbose: true, strict: true });

export const validateObjectEnvelope = ajv.compile(OBJECT_ENVELOPE_SCHEMA);
export const validateListEnvelope = ajv.compile(LIST_ENVELOPE_SCHEMA);
export const validateClusterInfo = ajv.compile<ClusterInfo>(CLUSTER_INFO_SCHEMA);
