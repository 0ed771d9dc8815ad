/**
 * Kubernetes resource quantities (`500m`, `1.5`, `256Mi`, `1e3`, `2G`) to numbers and back.
 * No maintained npm package does this (client-node's `quantityToScalar` is internal, not
 * exported, and throws on decimals with binary suffixes such as `1.5Gi`), so here is the small
 * subset TARS needs: CPU in cores, memory in bytes, as plain numbers (exact to well below a
 * millicore or a byte for every realistic size).
 */
import { InputError } from '../errors.js';

const SUFFIX_FACTORS: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

// Sign, digits with an optional fraction, then a suffix or a decimal exponent (the API's grammar).
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** The quantity as a number of base units (cores for CPU, bytes for memory). */
export function parseQuantity(quantity: string | number): number {
  const value = typeof quantity === 'number' ? quantity : parseText(quantity);
  // `1e400` fits the grammar, and YAML reads an unquoted `.inf` or `.nan` as a number.
  if (!Number.isFinite(value)) throw new InputError(`"${quantity}" is not a finite quantity`);
  return value;
}

function parseText(quantity: string): number {
  const match = QUANTITY.exec(quantity.trim());
  if (match === null) throw new InputError(`"${quantity}" is not a Kubernetes quantity`);
  const [, mantissa, exponent, suffix] = match;
  const value = Number(mantissa);
  if (exponent !== undefined) return value * 10 ** Number(exponent.slice(1));
  return value * (SUFFIX_FACTORS[suffix ?? ''] ?? 1);
}

/** Like `parseQuantity`, but `undefined` for an absent or malformed value (outside input). */
export function tryParseQuantity(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  try {
    return parseQuantity(quantity);
  } catch {
    return undefined;
  }
}

/** Rounds cores up to a multiple of `stepMillicores` and prints them: `0.2349` → `235m`, `2` → `2`. */
export function formatCpu(cores: number, stepMillicores = 1): string {
  const millicores = roundUpTo(cores * 1000, stepMillicores);
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** Rounds bytes up to a multiple of `stepMi` MiB and prints them: `Gi` when whole, else `Mi`. */
export function formatMemory(bytes: number, stepMi = 1): string {
  const mebibytes = roundUpTo(bytes / 2 ** 20, stepMi);
  return mebibytes % 1024 === 0 && mebibytes > 0 ? `${mebibytes / 1024}Gi` : `${mebibytes}Mi`;
}

/** Cores after `formatCpu` rounding, as a number. */
export function roundCpu(cores: number, stepMillicores: number): number {
  return roundUpTo(cores * 1000, stepMillicores) / 1000;
}

/** Bytes after `formatMemory` rounding, as a number. */
export function roundMemory(bytes: number, stepMi: number): number {
  return roundUpTo(bytes / 2 ** 20, stepMi) * 2 ** 20;
}

// Tolerates float noise (0.1 * 3 * 1000 = 300.00000000000006 stays 300).
function roundUpTo(value: number, step: number): number {
  if (step <= 0) throw new RangeError(`rounding step must be positive, got ${step}`);
  return Math.ceil(value / step - 1e-9) * step;
}
