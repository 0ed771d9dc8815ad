/** Kubernetes resource quantities (`250m`, `4180633n`, `31520Ki`, `1.5Gi`, `1e3`) as numbers. */
import { InputError } from '../../errors.js';

const SUFFIX: Readonly<Record<string, number>> = {
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

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|([a-zA-Z]*))$/;

export function parseQuantity(text: string): number {
  const match = QUANTITY.exec(text.trim());
  const factor = match?.[3] === undefined ? 1 : SUFFIX[match[3]];
  if (match === null || factor === undefined) {
    throw new InputError(`"${text}" is not a Kubernetes quantity`);
  }
  const exponent = match[2] === undefined ? 1 : 10 ** Number(match[2].slice(1));
  return Number(match[1]) * exponent * factor;
}
