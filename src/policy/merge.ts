/**
 * Policy layering: each file's spec over the result so far, starting from the defaults. Objects
 * merge field by field; arrays and scalars replace (a file that lists `exclude` means exactly
 * that list, not the defaults plus it).
 */
import type { Policy } from './types.js';

/** What one policy file's `spec` may hold: any subset of `Policy`, at any depth. */
export type PolicySpec = DeepPartial<Policy>;

/** Objects become optional field by field; arrays and scalars are replaced whole, never merged. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeValue(base: unknown, override: unknown): unknown {
  if (override === undefined) return structuredClone(base);
  if (!isPlainObject(base) || !isPlainObject(override)) return structuredClone(override);
  const merged: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(base), ...Object.keys(override)])) {
    merged[key] = mergeValue(base[key], override[key]);
  }
  return merged;
}

/** A new policy: `specs` applied in order over `base`; neither is modified. */
export function mergePolicy(base: Policy, ...specs: readonly PolicySpec[]): Policy {
  return specs.reduce<Policy>(
    (policy, spec) => mergeValue(policy, spec) as Policy,
    structuredClone(base),
  );
}
