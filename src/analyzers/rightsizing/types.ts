export type { Change, Evidence, Finding, Risk } from '../../model/types.js';
export type {
  ContainerHistoryInput,
  ContainerRecommendation,
  HpaTargets,
  Resources,
} from './recommend.js';
export type { WorkloadRecommendation } from './workloads.js';
