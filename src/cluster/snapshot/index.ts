export { SnapshotClusterSource } from './source.js';
export { displayPath } from '../../util/yaml-locate.js';
export {
  CLUSTER_INFO_API_VERSION,
  CLUSTER_INFO_FILE,
  CLUSTER_INFO_KIND,
  CLUSTER_INFO_SCHEMA,
  OBJECT_ENVELOPE_SCHEMA,
} from './schema.js';
export type { ClusterInfo } from './schema.js';
export { parseSnapshotFile } from './parse.js';
export type { ParsedFile, SourcedObject } from './parse.js';
