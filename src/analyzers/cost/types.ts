export type { CostFigures, CostReport, WorkloadCost } from '../../model/types.js';
export type { CostPolicy } from '../../policy/types.js';
export type { Demand, NodeShape, PackResult } from './binpack.js';
