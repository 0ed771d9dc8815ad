/**
 * A small seeded generator (sfc32) so the demo data is identical on every run and machine.
 * Only integer arithmetic and division: no Math.random, no transcendental functions whose last
 * bits could differ between JavaScript engines.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + (this.nextUint32() % (max - min + 1));
  }

  /** Roughly normal with mean 0 and standard deviation 1 (Irwin–Hall of 12 uniforms). */
  gaussian(): number {
    let sum = 0;
    for (let i = 0; i < 12; i++) sum += this.next();
    return sum - 6;
  }

  chars(length: number, alphabet: string): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.nextUint32() % alphabet.length];
    return out;
  }

  hex(length: number): string {
    return this.chars(length, '0123456789abcdef');
  }

  /** A version-4 UUID, as the API server assigns to `metadata.uid`. */
  uuid(): string {
    const h = this.hex(32).split('');
    h[12] = '4';
    h[16] = '89ab'[this.nextUint32() % 4] ?? '8';
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

/** The alphabet Kubernetes uses for generated name suffixes and pod-template hashes. */
export const KUBE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
