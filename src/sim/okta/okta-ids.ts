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
  private readonly ids: string[] = [];

  get size(): number {
    return this.ids.length;
  }

  insert(id: string): void {
    const i = this.lowerBound(id);
    if (this.ids[i] !== id) this.ids.splice(i, 0, id);
  }

  remove(id: string): void {
    const i = this.lowerBound(id);
    if (this.ids[i] === id) this.ids.splice(i, 1);
  }

  /** Ids strictly after `cursor` (all ids when undefined), in order. */
  *after(cursor: string | undefined): Generator<string> {
    let i = cursor === undefined ? 0 : this.upperBound(cursor);
    while (i < this.ids.length) {
      const id = this.ids[i++];
      if (id !== undefined) yield id;
    }
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
