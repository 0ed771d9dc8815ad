export type { Manager, WorkloadModel, ContainerModel } from '../../model/types.js';
