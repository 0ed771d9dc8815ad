/**
 * The pods a cost report's bin-packed node counts leave out (larger than an empty node of every
 * shape), in words, for the plan summary and the pull request: without them a count reads as if
 * every pod were placed, and a proposal that shrinks such a pod into a node would seem to add a
 * node for nothing.
 */
import type { CostReport } from './types.js';

/**
 * `1 pod of today's requests fits no node shape and is left out of the count`, `3 pods of
 * today's requests and 2 of the proposal fit no node shape and are left out of the counts`;
 * undefined when every pod was placed.
 */
export function podsLeftOutOfNodeCounts(
  nodes: Pick<CostReport['nodes'], 'unplaceable' | 'unplaceableToday'>,
): string | undefined {
  const today = nodes.unplaceableToday ?? 0;
  const proposed = nodes.unplaceable;
  const pods = (n: number): string => `${n} pod${n === 1 ? '' : 's'}`;
  const leftOut = (n: number): string =>
    n === 1
      ? 'fits no node shape and is left out of the count'
      : 'fit no node shape and are left out of the count';
  if (today > 0 && proposed > 0) {
    return `${pods(today)} of today's requests and ${proposed} of the proposal fit no node shape and are left out of the counts`;
  }
  if (today > 0) return `${pods(today)} of today's requests ${leftOut(today)}`;
  if (proposed > 0) return `${pods(proposed)} of the proposal ${leftOut(proposed)}`;
  return undefined;
}
