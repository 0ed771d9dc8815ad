/**
 * The Prometheus HTTP API response envelope (https://prometheus.io/docs/prometheus/latest/querying/api/),
 * as Prometheus, Thanos Query and Mimir answer it. Checked at the edge before any field is read.
 */
import { Ajv } from 'ajv';
import type { SchemaObject } from 'ajv';

export type SampleValue = [number, string];

export interface MatrixSeries {
  metric: Record<string, string>;
  values: SampleValue[];
}

export interface VectorSample {
  metric: Record<string, string>;
  value: SampleValue;
}

export interface ApiResponse {
  status: 'success' | 'error';
  data?: {
    resultType: 'matrix' | 'vector' | 'scalar' | 'string';
    result: unknown;
  };
  errorType?: string;
  error?: string;
  warnings?: string[];
}

const sampleValue = {
  type: 'array',
  items: [{ type: 'number' }, { type: 'string' }],
  minItems: 2,
  maxItems: 2,
} as const;

const labels = { type: 'object', additionalProperties: { type: 'string' } } as const;

const envelopeSchema: SchemaObject = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['success', 'error'] },
    data: {
      type: 'object',
      nullable: true,
      properties: {
        resultType: { type: 'string', enum: ['matrix', 'vector', 'scalar', 'string'] },
        result: {},
      },
      required: ['resultType', 'result'],
    },
    errorType: { type: 'string', nullable: true },
    error: { type: 'string', nullable: true },
    warnings: { type: 'array', items: { type: 'string' }, nullable: true },
  },
  required: ['status'],
};

const matrixSchema: SchemaObject = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      metric: labels,
      values: { type: 'array', items: sampleValue },
    },
    required: ['metric', 'values'],
  },
};

const vectorSchema: SchemaObject = {
  type: 'array',
  items: {
    type: 'object',
    properties: { metric: labels, value: sampleValue },
    required: ['metric', 'value'],
  },
};

const ajv = new Ajv({ allErrors: false, strictTuples: false });
export const validateEnvelope = ajv.compile<ApiResponse>(envelopeSchema);
export const validateMatrix = ajv.compile<MatrixSeries[]>(matrixSchema);
export const validateVector = ajv.compile<VectorSample[]>(vectorSchema);
