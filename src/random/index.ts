/**
 * Seeded random streams and substreams.
 *
 * The generator is the 32-bit Mersenne Twister MT19937 (Matsumoto & Nishimura 1998, "Mersenne
 * Twister: a 623-dimensionally equidistributed uniform pseudo-random number generator", ACM
 * TOMACS 8:3–30), as @stdlib/random-base-mt19937 implements it: the generator of R, Python and
 * NumPy's legacy `RandomState`, bit-exact in JavaScript on every platform.
 *
 * A stream is named by a seed and a path of small integers, e.g. `(seed, [replicate, purpose])`.
 * Its state is derived from that name, never from a position in another stream, so replicate k
 * can be re-drawn alone and work can be split across workers with identical results: the name is
 * encoded as little-endian 32-bit words `[seed mod 2³², ⌊seed / 2³²⌋, path length, ...path]`,
 * hashed with SHA-256 (FIPS 180-4), and the digest's eight big-endian words seed the generator
 * through the reference `init_by_array` (the seeding of Python's `random.seed(int)` and NumPy's
 * `RandomState(array)`, so a stream can be recomputed outside ecasim; see test/random).
 *
 * Variates (normal, gamma, Poisson) come from @stdlib's factories with the stream injected as
 * their `prng` (src/random/variates.ts).
 */
import { createHash } from 'node:crypto';
import normalFactory from '@stdlib/random-base-normal';

/** A source of randomness passed explicitly to everything that draws (never a global). */
export interface RandomSource {
  /** The seed this stream was derived from. */
  readonly seed: number;
  /** The substream path below the seed. */
  readonly path: readonly number[];
  /** Next 32-bit unsigned integer (MT19937's `genrand_int32`). */
  uint32(): number;
  /** Uniform double in [0, 1) with 53 random bits (MT19937's `genrand_res53`). */
  random(): number;
  /** Uniform double in the open interval (0, 1): safe to invert (log, quantiles). */
  uniformOpen(): number;
  /** Standard normal (@stdlib/random-base-normal, improved ziggurat, this stream injected). */
  normal(): number;
  /** An independent stream named by this stream's seed and path extended by `path`. */
  substream(...path: number[]): RandomSource;
}

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;
const TWO_POW_32 = 4294967296;

function validateSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(
      `invalid seed. \`seed\` must be a non-negative safe integer. Value: \`${seed}\`.`,
    );
  }
}

function validatePath(path: readonly number[]): void {
  for (const p of path) {
    if (!Number.isInteger(p) || p < 0 || p > 0xffffffff) {
      throw new RangeError(
        `invalid substream index. Must be an integer in [0, 2^32). Value: \`${p}\`.`,
      );
    }
  }
}

/**
 * The `init_by_array` key of the stream named (seed, path): SHA-256 of the name's words. A hash,
 * rather than the words themselves, so that sibling names (k, k + 1) give unrelated keys.
 */
export function streamKey(seed: number, path: readonly number[]): Uint32Array {
  const words = [seed % TWO_POW_32, Math.floor(seed / TWO_POW_32), path.length, ...path];
  const message = Buffer.alloc(4 * words.length);
  words.forEach((w, i) => message.writeUInt32LE(w, 4 * i));
  const digest = createHash('sha256').update(message).digest();
  const key = new Uint32Array(8);
  for (let i = 0; i < 8; i++) key[i] = digest.readUInt32BE(4 * i);
  return key;
}

/** MT19937's word count N. */
const N = 624;

/**
 * The stream's generator state after seeding: the reference `init_genrand(19650218)` followed by
 * `init_by_array` with the stream's key (Matsumoto & Nishimura's mt19937ar.c, 2002; the seeding
 * of @stdlib/random-base-mt19937 given a seed array). Written out here because a design study
 * seeds tens of streams a replicate (one a variable, batch and purpose): through
 * `mt19937.factory({ seed })` a stream cost 53 µs to seed (most of it @stdlib building the
 * generator object: its accessors and read-only properties), about 2.5 ms a replicate and 11% of
 * a design trial's time; seeded here it costs a few µs. test/random checks the state against
 * @stdlib's word for word for many keys, and the words against @stdlib, Python and NumPy.
 */
export function seededState(key: Uint32Array): Int32Array {
  const mt = new Int32Array(N);
  mt[0] = 19650218;
  for (let i = 1; i < N; i++) {
    const prev = mt[i - 1]!;
    mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
  }
  const len = key.length;
  let i = 1;
  let j = 0;
  for (let k = Math.max(N, len); k > 0; k--) {
    const prev = mt[i - 1]!;
    mt[i] = (mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + key[j]! + j;
    i++;
    j++;
    if (i >= N) {
      mt[0] = mt[N - 1]!;
      i = 1;
    }
    if (j >= len) j = 0;
  }
  for (let k = N - 1; k > 0; k--) {
    const prev = mt[i - 1]!;
    mt[i] = (mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i;
    i++;
    if (i >= N) {
      mt[0] = mt[N - 1]!;
      i = 1;
    }
  }
  mt[0] = 0x80000000 | 0; // MSB is 1, assuring a non-zero initial array
  return mt;
}

/**
 * The MT19937 stream. The word generator (twist and tempering, Matsumoto & Nishimura 1998, as in
 * their reference `genrand_int32`) is written out here rather than called through @stdlib's
 * closure because of a measured cost (bench/sampler.ts, Node 20, 2 shared cores): through
 * @stdlib's call (a boxed unsigned 32-bit result each word) the uniforms-only bound took 443 ms
 * against 183 ms here, and the sampler fell to 0.58 M patients/s, below the 1 M/s it must keep;
 * with the words generated here it runs at 1.28 M/s (CPU time; 1.55–1.73 with the former
 * xoshiro128**). It is seeded by `seededState` above, and test/random checks it word for word
 * against @stdlib's generator and against Python's and NumPy's MT19937 for the same key.
 */
class Mt19937Stream implements RandomSource {
  readonly seed: number;
  readonly path: readonly number[];
  private readonly mt: Int32Array;
  private index = N; // the seeded state is twisted before the first word, as in the reference
  private standardNormal: (() => number) | undefined;

  constructor(seed: number, path: readonly number[]) {
    this.seed = seed;
    this.path = path;
    this.mt = seededState(streamKey(seed, path));
  }

  /** Next tempered word as a signed 32-bit integer (unsigned callers apply `>>> 0`). */
  private word(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    return y ^ (y >>> 18);
  }

  private twist(): void {
    const mt = this.mt;
    let i = 0;
    let y: number;
    for (; i < N - 397; i++) {
      y = (mt[i]! & 0x80000000) | (mt[i + 1]! & 0x7fffffff);
      mt[i] = mt[i + 397]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    for (; i < N - 1; i++) {
      y = (mt[i]! & 0x80000000) | (mt[i + 1]! & 0x7fffffff);
      mt[i] = mt[i + 397 - N]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    y = (mt[N - 1]! & 0x80000000) | (mt[0]! & 0x7fffffff);
    mt[N - 1] = mt[396]! ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    this.index = 0;
  }

  uint32(): number {
    return this.word() >>> 0;
  }

  random(): number {
    const a = this.word() >>> 5;
    const b = this.word() >>> 6;
    return (a * TWO_POW_26 + b) / TWO_POW_53;
  }

  uniformOpen(): number {
    const a = this.word() >>> 5;
    const b = this.word() >>> 6;
    return (a * TWO_POW_26 + b + 0.5) / TWO_POW_53;
  }

  normal(): number {
    // Made on first use: the factory draws the seed of its own index generator from this stream.
    this.standardNormal ??= normalFactory.factory(0, 1, { prng: () => this.uniformOpen() });
    return this.standardNormal();
  }

  substream(...path: number[]): RandomSource {
    validatePath(path);
    return new Mt19937Stream(this.seed, [...this.path, ...path]);
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
  validatePath(path);
  return new Mt19937Stream(seed, path);
}
