/**
 * Shared by every source: per-signal step series keyed by container → one `UsageHistory`.
 * Restarts and OOM kills are derived here from the raw series, so all sources count alike.
 */
import type { Signal } from './queries.js';
import type {
  ContainerEvents,
  ContainerKey,
  ContainerUsage,
  Sample,
  UsageHistory,
} from './types.js';

export interface KeyedSeries {
  readonly key: ContainerKey;
  readonly samples: Sample[];
}

/** Series of one signal, by `containerId(key)`. */
export type SignalSeries = Map<string, KeyedSeries>;

export function containerId(key: ContainerKey): string {
  return `${key.namespace}/${key.pod}/${key.container}`;
}

export function compareKeys(a: ContainerKey, b: ContainerKey): number {
  return (
    a.namespace.localeCompare(b.namespace) ||
    a.pod.localeCompare(b.pod) ||
    a.container.localeCompare(b.container)
  );
}

/** Appends samples to the series of a key (chunks arrive in time order). */
export function appendSamples(
  series: SignalSeries,
  key: ContainerKey,
  samples: readonly Sample[],
): void {
  const id = containerId(key);
  const existing = series.get(id);
  if (existing === undefined) series.set(id, { key, samples: [...samples] });
  else existing.samples.push(...samples);
}

export interface HistoryMeta {
  readonly source: string;
  readonly confidence: UsageHistory['confidence'];
  readonly window: UsageHistory['window'];
}

export function assembleHistory(
  meta: HistoryMeta,
  signals: Record<Signal, SignalSeries>,
): UsageHistory {
  const usageKeys = keysOf([signals.cpu, signals.memory, signals.throttled]);
  const containers: ContainerUsage[] = usageKeys.map((key) => {
    const id = containerId(key);
    const throttled = signals.throttled.get(id);
    return {
      key,
      cpu: sortedByTime(signals.cpu.get(id)?.samples ?? []),
      memory: sortedByTime(signals.memory.get(id)?.samples ?? []),
      ...(throttled === undefined ? {} : { throttled: sortedByTime(throttled.samples) }),
    };
  });
  const events: ContainerEvents[] = keysOf([signals.restarts, signals.oomKilled]).map((key) => {
    const id = containerId(key);
    const restarts = sortedByTime(signals.restarts.get(id)?.samples ?? []);
    const oom = sortedByTime(signals.oomKilled.get(id)?.samples ?? []);
    const kills = oomKillTimes(restarts, oom);
    return {
      key,
      restarts: counterIncrease(restarts),
      oomKills: kills.length,
      ...(kills.length > 0 ? { lastOomKillAt: Math.max(...kills) } : {}),
    };
  });
  return { ...meta, containers, events };
}

function keysOf(maps: readonly SignalSeries[]): ContainerKey[] {
  const keys = new Map<string, ContainerKey>();
  for (const map of maps) for (const [id, { key }] of map) keys.set(id, key);
  return [...keys.values()].sort(compareKeys);
}

function sortedByTime(samples: readonly Sample[]): Sample[] {
  return [...samples].sort((a, b) => a.t - b.t);
}

/** Sum of the counter's increases; a drop is a reset (a new container), counted from zero. */
export function counterIncrease(samples: readonly Sample[]): number {
  let total = 0;
  for (let i = 1; i < samples.length; i++) {
    const previous = samples[i - 1].v;
    const current = samples[i].v;
    total += current >= previous ? current - previous : current;
  }
  return total;
}

/**
 * Times of the OOM kills in the window: restarts observed while kube-state-metrics said the last
 * termination was OOMKilled (one time per kill). When the reason shows OOMKilled but no restart
 * was seen (the kill happened just before the window, or restarts are not collected) it still
 * counts once, at the first time the reason shows: for sizing memory, an unseen OOM kill is worse
 * than a counted old one.
 */
export function oomKillTimes(restarts: readonly Sample[], oomReason: readonly Sample[]): number[] {
  const oomAt = new Map(oomReason.map((s) => [s.t, s.v]));
  const times: number[] = [];
  for (let i = 1; i < restarts.length; i++) {
    const previous = restarts[i - 1].v;
    const current = restarts[i];
    const increase = current.v >= previous ? current.v - previous : current.v;
    if (increase > 0 && oomAt.get(current.t) === 1)
      for (let k = 0; k < increase; k++) times.push(current.t);
  }
  const shown = oomReason.find((s) => s.v === 1);
  if (times.length === 0 && shown !== undefined) return [shown.t];
  return times;
}

/** How many OOM kills `oomKillTimes` finds. */
export function oomKills(restarts: readonly Sample[], oomReason: readonly Sample[]): number {
  return oomKillTimes(restarts, oomReason).length;
}
