/** Which pods a selector picks: Services, PodDisruptionBudgets and workloads' pod templates. */
import type { KubeObject } from '../cluster/types.js';
import { arrayField, field, isRecord, recordField } from './objects.js';

/** The labels a workload gives its pods (CronJobs nest the template one level deeper). */
export function podTemplateLabels(workload: KubeObject): Record<string, string> {
  const path =
    workload.kind === 'CronJob'
      ? ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels']
      : ['spec', 'template', 'metadata', 'labels'];
  const labels = recordField(workload, ...path) ?? {};
  return Object.fromEntries(
    Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

function expressionMatches(expression: unknown, labels: Record<string, string>): boolean {
  const key = field(expression, 'key');
  const values = arrayField(expression, 'values').filter((v): v is string => typeof v === 'string');
  if (typeof key !== 'string') return false;
  switch (field(expression, 'operator')) {
    case 'In':
      return labels[key] !== undefined && values.includes(labels[key]);
    case 'NotIn':
      return labels[key] === undefined || !values.includes(labels[key]);
    case 'Exists':
      return labels[key] !== undefined;
    case 'DoesNotExist':
      return labels[key] === undefined;
    default:
      return false;
  }
}

/**
 * A LabelSelector (matchLabels and matchExpressions) against labels. An empty selector selects
 * nothing here: for a PodDisruptionBudget that is the safe reading.
 */
export function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isRecord(selector)) return false;
  const matchLabels = recordField(selector, 'matchLabels') ?? {};
  const expressions = arrayField(selector, 'matchExpressions');
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return false;
  return (
    Object.entries(matchLabels).every(([k, v]) => labels[k] === v) &&
    expressions.every((e) => expressionMatches(e, labels))
  );
}

/** The Services of the workload's namespace whose (plain map) selector picks its pods. */
export function servicesSelecting(
  workload: KubeObject,
  services: readonly KubeObject[],
): KubeObject[] {
  const labels = podTemplateLabels(workload);
  return services.filter(
    (svc) =>
      svc.metadata.namespace === workload.metadata.namespace &&
      labelSelectorMatches({ matchLabels: recordField(svc, 'spec', 'selector') ?? {} }, labels),
  );
}
