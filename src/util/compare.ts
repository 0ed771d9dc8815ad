/** Orders strings by code point, so a sorted list is the same in every locale (unlike localeCompare). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
