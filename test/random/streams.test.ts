/**
 * Known answers for the seeded streams and checks that sibling substreams are independent.
 *
 * Provenance of the expected values: an independent computation in Python 3 (hashlib, and
 * CPython's C MT19937 in the `random` module; NumPy 2.4's `MT19937._legacy_seeding` gives the same
 * words), not ecasim's code:
 *
 *   words = [seed % 2**32, seed // 2**32, len(path), *path]
 *   key = struct.unpack('>8I', hashlib.sha256(struct.pack('<%dI' % len(words), *words)).digest())
 *   r = random.Random(sum(w << (32 * i) for i, w in enumerate(key)))  # init_by_array(key)
 *   [r.getrandbits(32) for _ in range(1250)]   # genrand_int32: uint32()
 *   [random.Random(...).random() for _ in range(3)]   # genrand_res53: random()
 *
 * (`random.seed(int)` passes the integer's 32-bit words, least significant first, to
 * `init_by_array`; each key's last word is non-zero, so all eight are passed.)
 */
import mt19937 from '@stdlib/random-base-mt19937';
import { createStream, seededState, streamKey } from '../../src/random/index.js';
import { pchisq } from '../../src/stats/distributions.js';

interface Known {
  seed: number;
  path: number[];
  key: number[];
  /** word index → uint32 */
  words: Record<number, number>;
  random: number[];
}

const KNOWN: Known[] = [
  {
    seed: 0,
    path: [],
    key: [
      367819760, 3037147828, 2676107488, 2099525203, 955900843, 2571829423, 149267391, 4267048331,
    ],
    words: {
      0: 226204221,
      1: 856706730,
      2: 3089190374,
      3: 1835007163,
      4: 3399824344,
      623: 1885423723,
      624: 3614471035,
      1247: 1370474584,
      1248: 2716270149,
      1249: 3161439376,
    },
    random: [0.05266726910671271, 0.7192581849340043, 0.7915832869923868],
  },
  {
    seed: 20261123,
    path: [],
    key: [
      2884858575, 967212346, 2826360522, 237684191, 341561369, 2462946387, 4035840556, 3493486591,
    ],
    words: {
      0: 500345153,
      1: 223790274,
      2: 440688157,
      3: 716721531,
      4: 2333118613,
      623: 1850983878,
      624: 1254950631,
      1247: 1763446633,
      1248: 3507723252,
      1249: 480538296,
    },
    random: [0.11649568417746747, 0.10260570173617245, 0.5432215073516368],
  },
  {
    seed: 20261123,
    path: [3, 0],
    key: [
      2421781250, 1518494666, 797563296, 905275419, 3527570975, 3662730069, 3121056183, 1637517535,
    ],
    words: {
      0: 2138182985,
      1: 2553988057,
      2: 299690408,
      3: 783355305,
      4: 1897793721,
      623: 632653112,
      624: 2057607613,
      1247: 3014576319,
      1248: 3886909226,
      1249: 2821217057,
    },
    random: [0.4978345229822895, 0.06977711008779042, 0.44186452783147323],
  },
  {
    seed: 2 ** 48 + 5,
    path: [7, 1],
    key: [
      2885808976, 2365100804, 1081064782, 4056672722, 140597165, 2623833343, 3995134449, 136124387,
    ],
    words: {
      0: 4025407817,
      1: 1858822210,
      2: 3563707410,
      3: 2458825018,
      4: 2370364586,
      623: 162787369,
      624: 646694329,
      1247: 1769861188,
      1248: 4032322341,
      1249: 2994783230,
    },
    random: [0.937238294130495, 0.8297402901387945, 0.551893515455099],
  },
  {
    seed: 42,
    path: [0, 4294967295],
    key: [
      3178493491, 3479277441, 1264460403, 894357486, 457577018, 893091826, 513573004, 1938901266,
    ],
    words: {
      0: 4165692171,
      1: 4197308151,
      2: 3290816976,
      3: 642468638,
      4: 156492618,
      623: 3097994845,
      624: 3045765380,
      1247: 3501917168,
      1248: 2131768454,
      1249: 1847966741,
    },
    random: [0.9699007941578474, 0.7662030320583759, 0.03643628159151635],
  },
];

const name = (k: Known): string => `(${[k.seed, ...k.path].join(', ')})`;

describe('known answers: MT19937 seeded with SHA-256 of the stream name', () => {
  test.each(KNOWN.map((k) => [name(k), k] as const))('stream %s', (_, k) => {
    expect(Array.from(streamKey(k.seed, k.path))).toEqual(k.key);
    const s = createStream(k.seed, ...k.path);
    const words: Record<number, number> = {};
    for (let i = 0; i < 1250; i++) {
      const w = s.uint32();
      if (i in k.words) words[i] = w;
    }
    expect(words).toEqual(k.words);
    const u = createStream(k.seed, ...k.path);
    expect([u.random(), u.random(), u.random()]).toEqual(k.random);
  });

  test('the word generator is @stdlib/random-base-mt19937 word for word (5000 words, 8 twists)', () => {
    for (const k of KNOWN) {
      const ours = createStream(k.seed, ...k.path);
      const theirs = mt19937.factory({ seed: streamKey(k.seed, k.path) });
      for (let i = 0; i < 5000; i++) {
        const a = ours.uint32();
        const b = theirs();
        if (a !== b) throw new Error(`stream ${name(k)} word ${i}: ours ${a}, @stdlib ${b}`);
      }
    }
  });

  test('the seeding is @stdlib/random-base-mt19937 init_by_array state for state (300 keys of 1–700 words)', () => {
    const rng = createStream(20261207, 99);
    for (let t = 0; t < 300; t++) {
      const len = t < 100 ? 8 : 1 + (rng.uint32() % 700);
      const key = new Uint32Array(len);
      for (let i = 0; i < len; i++) key[i] = rng.uint32();
      const theirs = mt19937.factory({ seed: key }).state; // [version, sections, N, ...state]
      expect(theirs[0]).toBe(1);
      expect(theirs[2]).toBe(624);
      const ours = seededState(key);
      for (let i = 0; i < 624; i++) {
        if (ours[i]! >>> 0 !== theirs[3 + i]!)
          throw new Error(
            `key ${t} (length ${len}) word ${i}: ours ${ours[i]! >>> 0}, @stdlib ${theirs[3 + i]}`,
          );
      }
    }
  });

  test('a substream is the stream named by the extended path, however it is reached', () => {
    const a = createStream(20261123).substream(3).substream(0);
    const b = createStream(20261123, 3).substream(0);
    const c = createStream(20261123).substream(3, 0);
    const d = createStream(20261123, 3, 0);
    const first = (s: ReturnType<typeof createStream>): number[] => [s.uint32(), s.uint32()];
    const expected = [KNOWN[2]!.words[0], KNOWN[2]!.words[1]];
    for (const s of [a, b, c, d]) expect(first(s)).toEqual(expected);
    expect(d.path).toEqual([3, 0]);
    expect(d.seed).toBe(20261123);
    // drawing from a parent does not move its substreams
    const parent = createStream(20261123, 3);
    for (let i = 0; i < 100; i++) parent.random();
    expect(first(parent.substream(0))).toEqual(expected);
  });

  test('names differ in every word: seeds 2^32 apart, path [0] against [], [0, 0] against [0]', () => {
    const firsts = [
      createStream(7),
      createStream(7 + 2 ** 32),
      createStream(7, 0),
      createStream(7, 0, 0),
      createStream(7, 1),
    ].map((s) => s.uint32());
    expect(new Set(firsts).size).toBe(firsts.length);
  });
});

describe('uniforms', () => {
  test('random() is in [0, 1), uniformOpen() in (0, 1), both from two words (53 bits)', () => {
    const s = createStream(1);
    const t = createStream(1);
    for (let i = 0; i < 1000; i++) {
      const a = t.uint32() >>> 5;
      const b = t.uint32() >>> 6;
      expect(s.random()).toBe((a * 67108864 + b) / 9007199254740992);
    }
    const o = createStream(2);
    for (let i = 0; i < 10000; i++) {
      const u = o.uniformOpen();
      expect(u > 0 && u < 1).toBe(true);
    }
  });

  test('invalid seeds and substream indices are rejected with the value', () => {
    expect(() => createStream(-1)).toThrow(
      /`seed` must be a non-negative safe integer. Value: `-1`/,
    );
    expect(() => createStream(1.5)).toThrow(RangeError);
    expect(() => createStream(2 ** 53)).toThrow(RangeError);
    expect(() => createStream(1, 2 ** 32)).toThrow(/substream index.*Value: `4294967296`/);
    expect(() => createStream(1).substream(-1)).toThrow(RangeError);
  });
});

describe('independence and uniformity of sibling substreams (n = 1e5 each)', () => {
  const N = 100_000;
  const draws = (seed: number, ...path: number[]): Float64Array => {
    const s = createStream(seed, ...path);
    return Float64Array.from({ length: N }, () => s.random());
  };

  function correlation(x: Float64Array, y: Float64Array): number {
    const n = x.length;
    let mx = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      mx += x[i]!;
      my += y[i]!;
    }
    mx /= n;
    my /= n;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      sxy += (x[i]! - mx) * (y[i]! - my);
      sxx += (x[i]! - mx) ** 2;
      syy += (y[i]! - my) ** 2;
    }
    return sxy / Math.sqrt(sxx * syy);
  }

  // Under independence r ~ N(0, 1/n): the bound is 4.5 standard errors, 4.5/√n ≈ 0.0142, so a
  // correct generator fails one pair with probability 7e-6 (the seeds are fixed).
  const bound = 4.5 / Math.sqrt(N);
  test.each([
    [20261123, [0], [1]],
    [20261123, [1], [2]],
    [20261123, [3, 0], [3, 1]],
    [1, [0, 0], [0, 1]],
    [0, [41], [42]],
  ])('seed %d: corr(substream %j, substream %j) within 4.5/√n; lag-1 too', (seed, a, b) => {
    const x = draws(seed, ...a);
    const y = draws(seed, ...b);
    expect(Math.abs(correlation(x, y))).toBeLessThan(bound);
    // lagged by one draw (streams started from related states would show here)
    expect(Math.abs(correlation(x.subarray(1), y.subarray(0, N - 1)))).toBeLessThan(bound);
  });

  test('chi-square (100 bins) and Kolmogorov–Smirnov uniformity of substreams 0 … 4', () => {
    for (let k = 0; k < 5; k++) {
      const x = draws(20261123, k);
      const bins = new Float64Array(100);
      for (const u of x) bins[Math.floor(u * 100)]!++;
      const e = N / 100;
      const chi2 = bins.reduce((s, o) => s + (o - e) ** 2 / e, 0);
      // upper tail p-value against χ²(99); a correct generator fails with probability 1e-4
      expect(pchisq(chi2, 99)).toBeGreaterThan(1e-4);
      const sorted = Float64Array.from(x).sort();
      let d = 0;
      for (let i = 0; i < N; i++) d = Math.max(d, (i + 1) / N - sorted[i]!, sorted[i]! - i / N);
      // √n·D beyond 1.95 has probability 0.001 under uniformity (Kolmogorov's distribution)
      expect(Math.sqrt(N) * d).toBeLessThan(1.95);
    }
  });
});
