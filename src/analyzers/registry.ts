/**
 * The one list of analyzers, in the order they run. `inventory` runs first: everyone else
 * reads its workloads. Adding an analyzer means a folder under src/analyzers and a line here;
 * the conformance test (registry.test.ts) checks every entry.
 */
import { bootstrapAnalyzer } from './bootstrap/index.js';
import { costAnalyzer } from './cost/index.js';
import { inventoryAnalyzer } from './inventory/index.js';
import { rightsizingAnalyzer } from './rightsizing/index.js';
import { takeoverAnalyzer } from './takeover/index.js';
import type { Analyzer } from './types.js';

export const ANALYZERS: readonly Analyzer[] = [
  inventoryAnalyzer,
  bootstrapAnalyzer,
  takeoverAnalyzer,
  rightsizingAnalyzer,
  costAnalyzer,
];
