import { InputError } from '../errors.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Parses Prometheus-style durations (`90s`, `15m`, `24h`, `14d`, `1w`, `1h30m`) into seconds. */
export function parseDuration(text: string, what = 'duration'): number {
  const parts = [...text.matchAll(/(\d+)([smhdw])/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed !== text) {
    throw new InputError(`${what} "${text}" is not a duration like 30m, 24h or 14d`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_SECONDS[p[2]] ?? 0), 0);
}
