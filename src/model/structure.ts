/**
 * Structure learning by greedy hill-climbing on a decomposable score (BIC; Schwarz 1978) over
 * directed acyclic graphs: at each step the single arc addition, removal or reversal that raises
 * the score most is applied, until none does (Chickering, Geiger & Heckerman 1995; Scutari 2010,
 * bnlearn's `hc`). Constraints: whitelisted arcs are present from the start and never removed or
 * reversed; blacklisted and otherwise forbidden arcs (`allowed`) are never added; at most
 * `maxParents` parents; acyclicity. Deterministic: candidates are scanned in a fixed order
 * (children, then parents, in node order) and a later candidate replaces the best only when
 * strictly better, so ties go to the first.
 */

export interface HillClimbOptions {
  /** The nodes, in the order that breaks ties. */
  readonly nodes: readonly string[];
  /** Local score of a node given a parent set (higher is better); −Infinity rejects the set. */
  readonly score: (node: string, parents: readonly string[]) => number;
  /** Whether the arc from → to may ever be in the graph (tiers, blacklist, kinds). */
  readonly allowed: (from: string, to: string) => boolean;
  /** Arcs [from, to] that must be present. */
  readonly whitelist?: readonly (readonly [string, string])[];
  /** At most this many parents a node: one number, or a node's own limit. */
  readonly maxParents: number | ((node: string) => number);
  /** Safety cap on the number of moves (default 10 000). */
  readonly maxMoves?: number;
}

export interface HillClimbResult {
  /** node → parents, parents in node order. */
  readonly parents: Record<string, string[]>;
  /** Total score of the final graph. */
  readonly score: number;
  /** Moves applied. */
  readonly moves: number;
  /** Distinct local scores computed (the cache's size). */
  readonly evaluations: number;
}

/** Minimum score gain for a move: guards against cycling on rounding noise. */
const MIN_GAIN = 1e-9;

/**
 * Greedy hill-climbing over DAGs from the whitelist-only graph. Local scores are cached by
 * (node, parent set), so each step costs O(V²) cache look-ups plus the fits of the one or two
 * nodes whose parents changed. Complexity per step O(V² · (V + E)) for the acyclicity checks.
 *
 * @example
 * const r = hillClimb({ nodes: ['a', 'b'], score, allowed: () => true, maxParents: 2 });
 * r.parents; // { a: [], b: ['a'] }
 */
export function hillClimb(options: HillClimbOptions): HillClimbResult {
  const { nodes, score, allowed, whitelist = [], maxMoves = 10000 } = options;
  const limit = options.maxParents;
  const maxParentsOf = typeof limit === 'number' ? () => limit : limit;
  const rank = new Map(nodes.map((n, i) => [n, i]));
  const parents = new Map<string, string[]>(nodes.map((n) => [n, []]));
  const fixed = new Set(whitelist.map(([a, b]) => `${a}\u0000${b}`));
  for (const [from, to] of whitelist) parents.get(to)!.push(from);
  const sorted = (ps: string[]): string[] => ps.sort((a, b) => rank.get(a)! - rank.get(b)!);
  for (const n of nodes) sorted(parents.get(n)!);

  const cache = new Map<string, number>();
  const local = (node: string, ps: readonly string[]): number => {
    const key = `${node}\u0000${ps.join('\u0000')}`;
    let s = cache.get(key);
    if (s === undefined) {
      s = score(node, ps);
      cache.set(key, s);
    }
    return s;
  };
  // is there a directed path from `from` to `to`, ignoring the arc skipFrom → skipTo?
  const reaches = (from: string, to: string, skipFrom?: string, skipTo?: string): boolean => {
    const children = new Map<string, string[]>(nodes.map((n) => [n, []]));
    for (const [c, ps] of parents) {
      for (const p of ps) if (!(p === skipFrom && c === skipTo)) children.get(p)!.push(c);
    }
    const stack = [from];
    const seen = new Set<string>([from]);
    while (stack.length) {
      const x = stack.pop()!;
      if (x === to) return true;
      for (const c of children.get(x)!) {
        if (!seen.has(c)) {
          seen.add(c);
          stack.push(c);
        }
      }
    }
    return false;
  };

  let moves = 0;
  for (; moves < maxMoves; moves++) {
    let best = MIN_GAIN;
    let apply: (() => void) | undefined;
    for (const v of nodes) {
      const pv = parents.get(v)!;
      const current = local(v, pv);
      for (const u of nodes) {
        if (u === v) continue;
        if (pv.includes(u)) {
          if (fixed.has(`${u}\u0000${v}`)) continue;
          const without = pv.filter((p) => p !== u);
          const dRemove = local(v, without) - current;
          if (dRemove > best) {
            best = dRemove;
            apply = () => parents.set(v, without);
          }
          // reversal u → v becomes v → u
          const pu = parents.get(u)!;
          if (allowed(v, u) && pu.length < maxParentsOf(u) && !reaches(u, v, u, v)) {
            const withV = sorted([...pu, v]);
            const d = dRemove + local(u, withV) - local(u, pu);
            if (d > best) {
              best = d;
              apply = () => {
                parents.set(v, without);
                parents.set(u, withV);
              };
            }
          }
        } else if (pv.length < maxParentsOf(v) && allowed(u, v) && !reaches(v, u)) {
          const withU = sorted([...pv, u]);
          const d = local(v, withU) - current;
          if (d > best) {
            best = d;
            apply = () => parents.set(v, withU);
          }
        }
      }
    }
    if (!apply) break;
    apply();
  }
  let total = 0;
  for (const n of nodes) total += local(n, parents.get(n)!);
  return {
    parents: Object.fromEntries(nodes.map((n) => [n, [...parents.get(n)!]])),
    score: total,
    moves,
    evaluations: cache.size,
  };
}
