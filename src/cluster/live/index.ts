export { LiveClusterSource } from './live-source.js';
export type { LiveSourceOptions } from './live-source.js';
export { loadKubeConfig, clusterNameOf } from './kubeconfig.js';
export type { KubeConfigOptions } from './kubeconfig.js';
export type { RetryPolicy } from './retry.js';
