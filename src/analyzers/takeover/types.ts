export type { Change } from '../../model/types.js';
