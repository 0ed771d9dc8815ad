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

/**
 * `both counts include 12 pods and 3 DaemonSets the policy does not analyse, as they run today`:
 * the packed node counts hold them (kube-system and the like take node capacity all the same),
 * the money does not. Undefined when there are none.
 */
export function notAnalysedInNodeCounts(
  nodes: Pick<CostReport['nodes'], 'notAnalysed'>,
): string | undefined {
  const { pods = 0, daemonSets = 0 } = nodes.notAnalysed ?? {};
  const counted = (n: number, what: string): string[] =>
    n > 0 ? [`${n} ${what}${n === 1 ? '' : 's'}`] : [];
  const parts = [...counted(pods, 'pod'), ...counted(daemonSets, 'DaemonSet')];
  if (parts.length === 0) return undefined;
  const run = pods + daemonSets === 1 ? 'it runs' : 'they run';
  return `both counts include ${parts.join(' and ')} the policy does not analyse, as ${run} today`;
}

/** Both of the above that apply, each a sentence (capitalized, with its full stop). */
export function nodeCountSentences(
  nodes: Pick<CostReport['nodes'], 'notAnalysed' | 'unplaceable' | 'unplaceableToday'>,
): string[] {
  return [notAnalysedInNodeCounts(nodes), podsLeftOutOfNodeCounts(nodes)]
    .filter((s): s is string => s !== undefined)
    .map((s) => `${s.charAt(0).toUpperCase()}${s.slice(1)}.`);
}
