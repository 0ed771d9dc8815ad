import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import {
  formatCpu,
  formatMemory,
  parseQuantity,
  roundCpu,
  roundMemory,
  tryParseQuantity,
} from './quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['500m', 0.5],
    ['1', 1],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['250000n', 0.00025],
    ['100u', 0.0001],
    ['2k', 2000],
    ['128M', 128e6],
    ['1G', 1e9],
    ['256Mi', 256 * 2 ** 20],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['64Ki', 65536],
    ['1Ti', 2 ** 40],
    ['1e3', 1000],
    ['1.2E-3', 0.0012],
    ['+4', 4],
  ])('%s is %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 9);
  });

  it('accepts numbers as they are (YAML may give an unquoted 2)', () => {
    expect(parseQuantity(2)).toBe(2);
  });

  it.each(['', 'abc', '1Xi', '10 Mi', 'Mi', '1.2.3', '1e400', Infinity, NaN])(
    'rejects %j with an InputError',
    (text) => {
      expect(() => parseQuantity(text)).toThrow(InputError);
      expect(tryParseQuantity(text)).toBeUndefined();
    },
  );

  it('tryParseQuantity passes absence through', () => {
    expect(tryParseQuantity(undefined)).toBeUndefined();
    expect(tryParseQuantity('1Gi')).toBe(2 ** 30);
  });
});

describe('formatting rounds up to a readable step', () => {
  it('CPU in millicores, whole cores without a suffix', () => {
    expect(formatCpu(0.2341, 5)).toBe('235m');
    expect(formatCpu(0.235, 5)).toBe('235m');
    expect(formatCpu(0.3, 5)).toBe('300m');
    expect(formatCpu(2, 5)).toBe('2');
    expect(formatCpu(1.0001, 5)).toBe('1005m');
    expect(roundCpu(0.0101, 5)).toBeCloseTo(0.015, 12);
  });

  it('memory in MiB, whole GiB as Gi', () => {
    expect(formatMemory(100 * 2 ** 20 + 1)).toBe('101Mi');
    expect(formatMemory(2 ** 30)).toBe('1Gi');
    expect(formatMemory(2 ** 30 + 1)).toBe('1025Mi');
    expect(formatMemory(33 * 2 ** 20, 4)).toBe('36Mi');
    expect(roundMemory(1, 1)).toBe(2 ** 20);
  });

  it('round-trips through parseQuantity', () => {
    for (const cores of [0.005, 0.123, 1.5, 3]) {
      expect(parseQuantity(formatCpu(cores, 1))).toBeCloseTo(cores, 9);
    }
    for (const mi of [1, 300, 1024, 4096]) {
      expect(parseQuantity(formatMemory(mi * 2 ** 20))).toBe(mi * 2 ** 20);
    }
  });

  it('refuses a non-positive step', () => {
    expect(() => formatCpu(1, 0)).toThrow(RangeError);
  });
});
