const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** mulberry32: small, fast and deterministic, so a seed reproduces a whole organisation. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Okta-shaped ids: a 3-character kind prefix (`00u` user, `00g` group, `who` hook, `0oa` app)
 * followed by 17 base62 characters, 20 in all, as in real orgs.
 */
export function makeOktaIdGenerator(random: () => number): (prefix: string) => string {
  return (prefix) => {
    let id = prefix;
    while (id.length < 20) id += alphabet.charAt(Math.floor(random() * alphabet.length));
    return id;
  };
}

/**
 * Ids kept in lexicographic order, which is the list order of users and groups; `after` cursors
 * are the last id of the previous page, so a page is a binary search plus a slice.
 */
export class SortedIdIndex {
  private ids: string[] = [];
  // Inserts append and sort lazily on the next read, so seeding 100,000 ids is one sort, and an
  // API insert between reads is a near-sorted sort (linear in practice).
  private sorted = true;

  get size(): number {
    return this.ids.length;
  }

  insert(id: string): void {
    const last = this.ids[this.ids.length - 1];
    if (last !== undefined && last > id) this.sorted = false;
    this.ids.push(id);
  }

  remove(id: string): void {
    this.ensureSorted();
    const i = this.lowerBound(id);
    if (this.ids[i] === id) this.ids.splice(i, 1);
  }

  /** Ids strictly after `cursor` (all ids when undefined), in order. */
  *after(cursor: string | undefined): Generator<string> {
    this.ensureSorted();
    let i = cursor === undefined ? 0 : this.upperBound(cursor);
    const ids = this.ids;
    while (i < ids.length) {
      const id = ids[i++];
      if (id !== undefined) yield id;
    }
  }

  private ensureSorted(): void {
    if (this.sorted) return;
    this.ids.sort();
    this.ids = this.ids.filter((id, i, a) => i === 0 || a[i - 1] !== id);
    this.sorted = true;
  }

  private lowerBound(id: string): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ids[mid] ?? '') < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private upperBound(id: string): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ids[mid] ?? '') <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
