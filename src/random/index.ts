/**
 * Seeded random streams and substreams.
 *
 * The generator is xoshiro128** (Blackman & Vigna 2018, "Scrambled linear pseudorandom number
 * generators", https://prng.di.unimi.it/): 128 bits of state, 32-bit output, only 32-bit integer
 * operations, so it is fast and bit-exact in JavaScript on every platform.
 *
 * A stream is named by a seed and a path of small integers, e.g. `(seed, [replicate, purpose])`.
 * Its state is a hash of that name, never a position in another stream, so replicate k can be
 * re-drawn alone and work can be split across workers with identical results.
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** A source of randomness passed explicitly to everything that draws (never a global). */
export interface RandomSource {
  /** The seed this stream was derived from. */
  readonly seed: number;
  /** The substream path below the seed. */
  readonly path: readonly number[];
  /** Next 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  random(): number;
  /** Uniform double in the open interval (0, 1): safe to invert (log, quantiles). */
  uniformOpen(): number;
  /** Standard normal by inversion: exactly one uniform per draw. */
  normal(): number;
  /** An independent stream named by this stream's seed and path extended by `path`. */
  substream(...path: number[]): RandomSource;
}

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

/** MurmurHash3's 32-bit finaliser (Appleby 2011): full avalanche on 32-bit words. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Distinct odd constants per state word (fractional bits of sqrt(2), sqrt(3), sqrt(5), sqrt(7)). */
const LANE = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a] as const;

function validateSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(
      `invalid seed. \`seed\` must be a non-negative safe integer. Value: \`${seed}\`.`,
    );
  }
}

function deriveState(seed: number, path: readonly number[]): Uint32Array {
  const words = [
    seed >>> 0,
    Math.floor(seed / 4294967296) >>> 0,
    path.length,
    ...path.map((p) => p >>> 0),
  ];
  const state = new Uint32Array(4);
  for (let lane = 0; lane < 4; lane++) {
    let h: number = LANE[lane]!;
    for (const w of words) h = fmix32(Math.imul(h ^ w, 0x9e3779b1) + lane);
    state[lane] = fmix32(h + 0x9e3779b9);
  }
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
  return state;
}

class Xoshiro128StarStar implements RandomSource {
  readonly seed: number;
  readonly path: readonly number[];
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number, path: readonly number[]) {
    this.seed = seed;
    this.path = path;
    const s = deriveState(seed, path);
    this.s0 = s[0]!;
    this.s1 = s[1]!;
    this.s2 = s[2]!;
    this.s3 = s[3]!;
  }

  uint32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  random(): number {
    const a = this.uint32() >>> 5;
    const b = this.uint32() >>> 6;
    return (a * TWO_POW_26 + b) / TWO_POW_53;
  }

  uniformOpen(): number {
    const a = this.uint32() >>> 5;
    const b = this.uint32() >>> 6;
    return (a * TWO_POW_26 + b + 0.5) / TWO_POW_53;
  }

  normal(): number {
    return normalQuantile(this.uniformOpen(), 0, 1);
  }

  substream(...path: number[]): RandomSource {
    for (const p of path) {
      if (!Number.isInteger(p) || p < 0 || p > 0xffffffff) {
        throw new RangeError(
          `invalid substream index. Must be an integer in [0, 2^32). Value: \`${p}\`.`,
        );
      }
    }
    return new Xoshiro128StarStar(this.seed, [...this.path, ...path]);
  }
}

/**
 * Creates the stream named by `seed` (a non-negative safe integer) and an optional path.
 *
 * @example
 * const rng = createStream(20261123);
 * const replicate3 = rng.substream(3); // same numbers whichever worker draws it
 */
export function createStream(seed: number, ...path: number[]): RandomSource {
  validateSeed(seed);
  return new Xoshiro128StarStar(seed, []).substream(...path);
}
