/**
 * A week of usage history for every container the plan says ran, as cAdvisor and
 * kube-state-metrics would have exported it: cumulative counters (reset when a container
 * restarts), gauges, one sample per step.
 */
import type { PodPlan } from './plan.js';
import { Prng } from './prng.js';
import type { UsageProfile } from './scenario.js';
import { HISTORY_STEPS, LEAKING, NAMESPACE, STEP_SECONDS, TIMES, USAGE } from './scenario.js';
import type { VmTrace } from './traces.js';
import { relativeToMean } from './traces.js';

export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: [t: number, value: string][];
}

export interface Family {
  /** The OpenMetrics family name (counters without their `_total` sample suffix). */
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  /** The name written on sample lines. */
  readonly sampleName: string;
  readonly series: Series[];
}

export interface ContainerLimits {
  readonly cpu: number;
  readonly memory: number;
}

/** What the pod status has to say about a container after the week. */
export interface ContainerLife {
  readonly restarts: number;
  readonly lastStart: number;
  readonly lastOom?: { readonly startedAt: number; readonly finishedAt: number };
}

export interface History {
  readonly families: Family[];
  /** Keyed by `<pod>/<container>`. */
  readonly lives: ReadonlyMap<string, ContainerLife>;
}

const PAGE = 4096;
/** CFS enforces quotas in 100 ms periods: at most this many per step. */
const PERIODS_PER_STEP = STEP_SECONDS * 10;

function family(name: string, type: 'counter' | 'gauge', help: string): Family {
  return { name, type, help, sampleName: type === 'counter' ? `${name}_total` : name, series: [] };
}

interface Families {
  cpu: Family;
  memory: Family;
  periods: Family;
  throttled: Family;
  restarts: Family;
  lastTerminated: Family;
}

function emptyFamilies(): Families {
  return {
    cpu: family(
      'container_cpu_usage_seconds',
      'counter',
      'Cumulative cpu time consumed in seconds.',
    ),
    memory: family('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.'),
    periods: family(
      'container_cpu_cfs_periods',
      'counter',
      'Number of elapsed enforcement period intervals.',
    ),
    throttled: family(
      'container_cpu_cfs_throttled_periods',
      'counter',
      'Number of throttled period intervals.',
    ),
    restarts: family(
      'kube_pod_container_status_restarts',
      'counter',
      'The number of container restarts per container.',
    ),
    lastTerminated: family(
      'kube_pod_container_status_last_terminated_reason',
      'gauge',
      'Describes the last reason the container was in terminated state.',
    ),
  };
}

const cpuText = (seconds: number): string => seconds.toFixed(4);
const bytesText = (bytes: number): string => String(Math.round(bytes / PAGE) * PAGE);

/** Activity texture for one container: a different Google VM each day, so days do not repeat. */
function textureFor(
  vms: readonly VmTrace[],
  containerIndex: number,
): { cpu: number[]; mem: number[] } {
  const cpu: number[] = [];
  const mem: number[] = [];
  const perDay = 288;
  for (let step = 0; step < HISTORY_STEPS; step++) {
    const day = Math.floor(step / perDay);
    const vm = vms[(containerIndex * 37 + day * 11) % vms.length];
    if (vm === undefined) throw new Error('google trace is empty');
    if (step % perDay === 0) {
      cpu.push(...relativeToMean(vm.cpu, 0.4, 2.2));
      mem.push(...relativeToMean(vm.mem, 0.8, 1.25));
    }
  }
  return { cpu: cpu.slice(0, HISTORY_STEPS), mem: mem.slice(0, HISTORY_STEPS) };
}

interface StepUsage {
  readonly cpuCores: number;
  readonly uncappedCores: number;
  readonly memory: number;
}

function stepUsage(
  profile: UsageProfile,
  limits: ContainerLimits,
  load: number,
  cpuTexture: number,
  memTexture: number,
  leaked: number,
  rng: Prng,
): StepUsage {
  const demand = (profile.cpuIdle + profile.cpuPerLoad * load) * (0.6 + 0.4 * cpuTexture);
  const uncappedCores = Math.max(0.0004, demand * (1 + 0.06 * rng.gaussian()));
  const memory =
    profile.memBase * (1 + 0.1 * (memTexture - 1)) +
    profile.memPerLoad * load * (0.9 + 0.2 * rng.next()) +
    leaked;
  return { cpuCores: Math.min(uncappedCores, limits.cpu), uncappedCores, memory };
}

/** Share of runnable periods that hit the quota: none well below the limit, most near it. */
function throttledShare(uncapped: number, limit: number): number {
  const u = uncapped / limit;
  if (u <= 0.55) return 0;
  const x = Math.min(1, (u - 0.55) / 0.45);
  return 0.7 * x * x;
}

interface Counters {
  cpu: number;
  periods: number;
  throttled: number;
  restarts: number;
}

/** Counters of a container that has been running since `since`, at the start of the window. */
function countersSince(
  since: number,
  at: number,
  profile: UsageProfile,
  limits: ContainerLimits,
): Counters {
  const uptime = Math.max(0, at - since);
  const cores = profile.cpuIdle + profile.cpuPerLoad;
  const active = Math.min(1, Math.max(0.04, (cores / limits.cpu) * 5));
  return {
    cpu: cores * uptime,
    periods: Math.round(((active * PERIODS_PER_STEP) / STEP_SECONDS) * uptime),
    throttled: 0,
    restarts: 0,
  };
}

export function generateHistory(
  pods: readonly PodPlan[],
  limitsOf: (deployment: string, container: string) => ContainerLimits,
  traffic: readonly number[],
  vms: readonly VmTrace[],
  seed: number,
): History {
  const f = emptyFamilies();
  const lives = new Map<string, ContainerLife>();
  const rng = new Prng(seed);
  let containerIndex = 0;
  for (const pod of pods) {
    for (const container of pod.containers) {
      const life = containerHistory(pod, container, limitsOf(pod.deployment, container), traffic, {
        texture: textureFor(vms, containerIndex++),
        rng,
        families: f,
      });
      lives.set(`${pod.name}/${container}`, life);
    }
  }
  const families = [f.cpu, f.memory, f.periods, f.throttled, f.restarts, f.lastTerminated];
  return { families: families.filter((x) => x.series.length > 0), lives };
}

interface ContainerContext {
  readonly texture: { cpu: number[]; mem: number[] };
  readonly rng: Prng;
  readonly families: Families;
}

function containerHistory(
  pod: PodPlan,
  container: string,
  limits: ContainerLimits,
  traffic: readonly number[],
  ctx: ContainerContext,
): ContainerLife {
  const profile = USAGE[pod.deployment];
  if (profile === undefined) throw new Error(`no usage profile for ${pod.deployment}`);
  const { rng, families: f } = ctx;
  const labels = { container, namespace: NAMESPACE, pod: pod.name };
  const series = (fam: Family, extra: Record<string, string> = {}): Series => {
    const s: Series = { labels: { ...labels, ...extra }, samples: [] };
    fam.series.push(s);
    return s;
  };
  const cpu = series(f.cpu);
  const memory = series(f.memory);
  const periods = series(f.periods);
  const throttled = series(f.throttled);
  const restarts = series(f.restarts);
  const leaking = pod.deployment === LEAKING.deployment && container === LEAKING.container;
  const oomGauge = leaking ? series(f.lastTerminated, { reason: 'OOMKilled' }) : undefined;

  const c = countersSince(pod.started, TIMES.historyStart, profile, limits);
  let leaked =
    profile.memLeakPerStep * Math.max(0, (TIMES.historyStart - pod.started) / STEP_SECONDS);
  let lastStart = pod.started;
  let lastOom: ContainerLife['lastOom'];

  for (let step = 0; step < HISTORY_STEPS; step++) {
    const t = TIMES.historyStart + step * STEP_SECONDS;
    if (t < pod.created || (pod.deleted !== undefined && t > pod.deleted)) continue;
    const load = traffic[step] ?? 1;
    const u = stepUsage(
      profile,
      limits,
      load,
      ctx.texture.cpu[step] ?? 1,
      ctx.texture.mem[step] ?? 1,
      leaked,
      rng,
    );
    leaked += profile.memLeakPerStep * load;
    let memoryNow = u.memory;
    const firstSample = t - STEP_SECONDS < pod.created;
    // A new pod's counters start at zero; its first sample covers only part of a step.
    const runFor = firstSample ? Math.max(1, t - pod.started) : STEP_SECONDS;
    if (memoryNow >= limits.memory) {
      // OOMKilled during this step: the kubelet restarts it, cAdvisor sees a new cgroup.
      const finishedAt = t - rng.int(60, 240);
      lastOom = { startedAt: lastStart, finishedAt };
      lastStart = finishedAt + 1;
      leaked = 0;
      memoryNow = profile.memBase * (0.8 + 0.1 * rng.next());
      c.cpu = 0;
      c.periods = 0;
      c.throttled = 0;
      c.restarts += 1;
    }
    const ranFor = Math.min(runFor, t - lastStart);
    const active = Math.min(1, Math.max(0.04, (u.uncappedCores / limits.cpu) * 5));
    const stepPeriods = Math.round((ranFor / 0.1) * active * (0.97 + 0.06 * rng.next()));
    const burst = rng.next() < 0.03 ? rng.int(1, 6) : 0;
    c.cpu += u.cpuCores * ranFor;
    c.periods += stepPeriods;
    c.throttled += Math.min(
      stepPeriods,
      Math.round(stepPeriods * throttledShare(u.uncappedCores, limits.cpu)) + burst,
    );

    cpu.samples.push([t, cpuText(c.cpu)]);
    memory.samples.push([t, bytesText(Math.min(memoryNow, limits.memory - PAGE))]);
    periods.samples.push([t, String(c.periods)]);
    throttled.samples.push([t, String(c.throttled)]);
    restarts.samples.push([t, String(c.restarts)]);
    oomGauge?.samples.push([t, lastOom === undefined ? '0' : '1']);
  }
  return lastOom === undefined
    ? { restarts: c.restarts, lastStart }
    : { restarts: c.restarts, lastStart, lastOom };
}
