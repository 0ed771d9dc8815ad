/**
 * JSON Schema (draft-07) of the desired-state model in `types.ts`. The model is what charts and
 * delivery read back from disk, so it is checked at that edge: unknown fields are errors (a
 * typo must not silently drop a change), Kubernetes objects inside it are checked only for the
 * envelope TARS relies on (apiVersion, kind, metadata.name, metadata.namespace).
 * Adding a field to `DesiredState` means adding it here too; the tests validate a model that
 * uses every field.
 */
import { CONCERNS, MODEL_API_VERSION } from './types.js';

const nonEmptyString = { type: 'string', minLength: 1 } as const;
const stringList = { type: 'array', items: { type: 'string' } } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** Kubernetes object names never contain `/` and are never `.` or `..` (they become file names). */
const objectName = {
  type: 'string',
  minLength: 1,
  maxLength: 253,
  pattern: '^(?!\\.\\.?$)[^/]+$',
} as const;

/** Namespaces are DNS labels (RFC 1123); they become folder names. */
const namespaceName = {
  type: 'string',
  minLength: 1,
  maxLength: 63,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
} as const;

const apiVersion = {
  type: 'string',
  pattern: '^([a-z0-9.-]+/)?v[0-9]+((alpha|beta)[0-9]+)?$',
} as const;
const kind = { type: 'string', pattern: '^[A-Z][A-Za-z0-9]*$' } as const;

export const MODEL_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://tars.dev/schemas/desired-state.json',
  title: 'TARS desired-state model',
  type: 'object',
  additionalProperties: false,
  required: [
    'apiVersion',
    'kind',
    'cluster',
    'inputs',
    'workloads',
    'changes',
    'findings',
    'notes',
    'rollout',
  ],
  properties: {
    apiVersion: { const: MODEL_API_VERSION },
    kind: { const: 'DesiredState' },
    cluster: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'source', 'apiGroups'],
      properties: {
        name: nonEmptyString,
        source: { enum: ['live', 'snapshot'] },
        apiGroups: stringList,
      },
    },
    inputs: {
      type: 'object',
      additionalProperties: false,
      required: ['objects', 'skipped', 'usageHistory'],
      properties: {
        objects: { type: 'integer', minimum: 0 },
        skipped: { type: 'array', items: { $ref: '#/definitions/skippedKind' } },
        usageHistory: {
          type: 'object',
          additionalProperties: false,
          required: ['available'],
          properties: { available: { type: 'boolean' }, source: { type: 'string' } },
        },
      },
    },
    workloads: { type: 'array', items: { $ref: '#/definitions/workload' } },
    changes: { type: 'array', items: { $ref: '#/definitions/change' } },
    findings: { type: 'array', items: { $ref: '#/definitions/finding' } },
    notes: stringList,
    cost: { $ref: '#/definitions/costReport' },
    rollout: {
      type: 'object',
      additionalProperties: false,
      required: ['phase', 'wave'],
      properties: {
        phase: { enum: [1, 2, 3, 4] },
        wave: { type: 'integer', minimum: 0 },
      },
    },
  },
  definitions: {
    costFigures: {
      type: 'object',
      additionalProperties: false,
      required: ['cpu', 'memory', 'storage', 'total'],
      properties: {
        cpu: { type: 'number' },
        memory: { type: 'number' },
        storage: { type: 'number' },
        total: { type: 'number' },
      },
    },
    podResources: {
      type: 'object',
      additionalProperties: false,
      required: ['cpu', 'memory'],
      properties: { cpu: { type: 'number', minimum: 0 }, memory: { type: 'number', minimum: 0 } },
    },
    costReport: {
      type: 'object',
      additionalProperties: false,
      required: [
        'currency',
        'hoursPerMonth',
        'prices',
        'workloads',
        'today',
        'proposed',
        'spotSavings',
        'nodes',
      ],
      properties: {
        currency: nonEmptyString,
        hoursPerMonth: { type: 'number', exclusiveMinimum: 0 },
        prices: {
          type: 'object',
          additionalProperties: false,
          required: ['vcpuHour', 'memoryGiBHour', 'storageGiBMonth', 'spotDiscount'],
          properties: {
            vcpuHour: { type: 'number', minimum: 0 },
            memoryGiBHour: { type: 'number', minimum: 0 },
            storageGiBMonth: { type: 'number', minimum: 0 },
            spotDiscount: { type: 'number', minimum: 0, maximum: 1 },
          },
        },
        workloads: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: [
              'ref',
              'replicas',
              'requests',
              'proposedRequests',
              'today',
              'proposed',
              'spotCandidate',
            ],
            properties: {
              ref: { $ref: '#/definitions/objectRef' },
              replicas: { type: 'integer', minimum: 0 },
              requests: { $ref: '#/definitions/podResources' },
              proposedRequests: { $ref: '#/definitions/podResources' },
              today: { $ref: '#/definitions/costFigures' },
              proposed: { $ref: '#/definitions/costFigures' },
              spotCandidate: { type: 'boolean' },
            },
          },
        },
        today: { $ref: '#/definitions/costFigures' },
        proposed: { $ref: '#/definitions/costFigures' },
        spotSavings: { type: 'number' },
        nodes: {
          type: 'object',
          additionalProperties: false,
          required: ['today', 'packedToday', 'packedProposed', 'unplaceable'],
          properties: {
            today: { type: 'integer', minimum: 0 },
            packedToday: { type: 'integer', minimum: 0 },
            packedProposed: { type: 'integer', minimum: 0 },
            unplaceable: { type: 'integer', minimum: 0 },
            unplaceableToday: { type: 'integer', minimum: 0 },
            notAnalysed: {
              type: 'object',
              additionalProperties: false,
              required: ['pods', 'daemonSets'],
              properties: {
                pods: { type: 'integer', minimum: 0 },
                daemonSets: { type: 'integer', minimum: 0 },
              },
            },
          },
        },
      },
    },
    skippedKind: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'reason', 'message'],
      properties: {
        kind: nonEmptyString,
        reason: { enum: ['forbidden', 'not-served', 'error'] },
        message: { type: 'string' },
      },
    },
    objectRef: {
      type: 'object',
      additionalProperties: false,
      required: ['apiVersion', 'kind', 'name'],
      properties: { apiVersion, kind, namespace: namespaceName, name: objectName },
    },
    kubeObject: {
      type: 'object',
      required: ['apiVersion', 'kind', 'metadata'],
      properties: {
        apiVersion,
        kind,
        metadata: {
          type: 'object',
          required: ['name'],
          properties: {
            name: objectName,
            namespace: namespaceName,
            labels: stringMap,
            annotations: stringMap,
          },
        },
      },
    },
    container: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'image', 'init', 'requests', 'limits'],
      properties: {
        name: nonEmptyString,
        image: { type: 'string' },
        init: { type: 'boolean' },
        sidecar: { type: 'boolean' },
        requests: stringMap,
        limits: stringMap,
      },
    },
    workload: {
      type: 'object',
      additionalProperties: false,
      required: ['ref', 'managedBy', 'pods', 'containers'],
      properties: {
        ref: {
          type: 'object',
          allOf: [{ $ref: '#/definitions/objectRef' }],
          required: ['namespace'],
          properties: {
            kind: { enum: ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job'] },
          },
        },
        managedBy: {
          type: 'object',
          additionalProperties: false,
          required: ['tool'],
          properties: {
            tool: { enum: ['helm', 'argocd', 'flux', 'kubectl', 'none'] },
            name: { type: 'string' },
          },
        },
        replicas: { type: 'integer', minimum: 0 },
        pods: stringList,
        containers: { type: 'array', items: { $ref: '#/definitions/container' } },
        health: {
          type: 'object',
          additionalProperties: false,
          required: ['state', 'reasons'],
          properties: {
            state: { enum: ['healthy', 'progressing', 'unhealthy', 'unknown'] },
            reasons: stringList,
          },
        },
      },
    },
    evidence: {
      type: 'object',
      additionalProperties: false,
      required: ['window', 'samples', 'confidence'],
      properties: {
        window: nonEmptyString,
        samples: { type: 'integer', minimum: 0 },
        percentile: { type: 'number', minimum: 0, maximum: 100 },
        confidence: { enum: ['low', 'medium', 'high'] },
        detail: { type: 'string' },
      },
    },
    risk: {
      type: 'object',
      additionalProperties: false,
      required: ['score', 'reasons'],
      properties: {
        score: { type: 'number', minimum: 0, maximum: 1 },
        reasons: stringList,
      },
    },
    change: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'concern', 'action', 'target', 'manifest', 'summary'],
      properties: {
        id: nonEmptyString,
        concern: { enum: CONCERNS },
        action: { enum: ['adopt', 'create', 'patch'] },
        target: { $ref: '#/definitions/objectRef' },
        manifest: { $ref: '#/definitions/kubeObject' },
        summary: { type: 'string' },
        magnitude: { type: 'number', minimum: 0 },
        workload: { $ref: '#/definitions/objectRef' },
        evidence: { $ref: '#/definitions/evidence' },
        risk: { $ref: '#/definitions/risk' },
        fixes: { type: 'array', items: nonEmptyString, minItems: 1 },
        previous: { $ref: '#/definitions/kubeObject' },
      },
    },
    finding: {
      type: 'object',
      additionalProperties: false,
      required: ['check', 'concern', 'severity', 'resource', 'message', 'remediation'],
      properties: {
        check: nonEmptyString,
        concern: { enum: [...CONCERNS, 'inventory'] },
        severity: { enum: ['info', 'low', 'medium', 'high', 'critical'] },
        resource: { $ref: '#/definitions/objectRef' },
        message: { type: 'string' },
        remediation: { type: 'string' },
      },
    },
  },
} as const;
