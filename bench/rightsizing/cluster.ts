/**
 * The benchmark as a cluster: one Deployment per trace job (one pod, one container `main`, no
 * requests today), and its first 16 hours as cAdvisor series in OpenMetrics for promtool.
 */
import type { ClusterSnapshot, KubeObject } from '../../src/cluster/types.js';
import type { OpenMetricsFamily } from '../../src/metrics/openmetrics/write.js';
import { HISTORY_STEPS, STEP_SECONDS, type Job } from './trace.js';

export const NAMESPACE = 'bench';
export const CONTAINER = 'main';
/** Start of the history, aligned to the step. */
export const T0 = 1_699_999_800;
/** Seconds between counter samples: rate() over one step then sees five samples. */
const COUNTER_INTERVAL = 60;

export function workloadName(job: Job): string {
  return job.id.replace(/_/g, '-').toLowerCase();
}

export function podName(job: Job): string {
  return `${workloadName(job)}-5d8f7c9b4-b3nch`;
}

export function benchSnapshot(jobs: readonly Job[]): ClusterSnapshot {
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
  ];
  for (const job of jobs) {
    const name = workloadName(job);
    const labels = { app: name };
    const podSpec = { containers: [{ name: CONTAINER, image: 'registry.example/job:1' }] };
    // The ReplicaSet carries its Deployment's spec, as the controller makes it.
    const workloadSpec = {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: podSpec },
    };
    objects.push(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: NAMESPACE, uid: `d-${name}` },
        spec: workloadSpec,
      },
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${name}-5d8f7c9b4`,
          namespace: NAMESPACE,
          uid: `rs-${name}`,
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `d-${name}`, controller: true },
          ],
        },
        spec: workloadSpec,
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName(job),
          namespace: NAMESPACE,
          uid: `p-${name}`,
          labels,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: `${name}-5d8f7c9b4`,
              uid: `rs-${name}`,
              controller: true,
            },
          ],
        },
        spec: podSpec,
      },
    );
  }
  return {
    clusterName: 'google-trace-bench',
    source: 'snapshot',
    objects,
    apiGroups: [],
    skipped: [],
  };
}

/**
 * Step k covers (T0 + 300k, T0 + 300(k+1)]. The CPU counter grows at the step's usage, sampled
 * every minute; the working set is sampled at each step's end. A range query at step ends then
 * gives back exactly the trace's values.
 */
export function historyOpenMetrics(jobs: readonly Job[]): OpenMetricsFamily[] {
  const perStep = STEP_SECONDS / COUNTER_INTERVAL;
  const cpu = jobs.map((job) => {
    const samples = [{ t: T0, v: 0 }];
    let total = 0;
    for (let k = 0; k < HISTORY_STEPS; k++) {
      for (let i = 1; i <= perStep; i++) {
        total += job.cpu[k] * COUNTER_INTERVAL;
        samples.push({ t: T0 + k * STEP_SECONDS + i * COUNTER_INTERVAL, v: round(total) });
      }
    }
    return { name: 'container_cpu_usage_seconds_total', labels: labelsOf(job), samples };
  });
  const memory = jobs.map((job) => ({
    name: 'container_memory_working_set_bytes',
    labels: labelsOf(job),
    samples: job.memory
      .slice(0, HISTORY_STEPS)
      .map((v, k) => ({ t: T0 + (k + 1) * STEP_SECONDS, v: Math.round(v) })),
  }));
  return [
    { name: 'container_cpu_usage_seconds_total', type: 'counter', series: cpu },
    { name: 'container_memory_working_set_bytes', type: 'gauge', series: memory },
  ];
}

function labelsOf(job: Job): Record<string, string> {
  return { namespace: NAMESPACE, pod: podName(job), container: CONTAINER };
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
