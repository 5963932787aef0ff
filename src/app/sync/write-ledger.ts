/**
 * Serialises writes to one AWS target (a plan operation's key: an assignment, a permission set,
 * a provisioning) across the keys this process reconciles at once, and remembers which writes
 * succeeded when, so that a key whose read is older than another key's write to the same target
 * does not repeat it.
 *
 * Keys overlap: `user:X` and `group:G` (X in G), or any key and the periodic full reconcile, can
 * both plan "create X's assignment" from reads taken before either wrote. The second one to hold
 * the target sees a write newer than its read and drops its operation: no duplicate AWS write,
 * no ConflictException. A dropped operation that disagrees with the newer write (delete after a
 * create) means the key's read is stale; the caller reconciles the key again.
 */

/** The write sequence at a point in time; compare with `writtenAfter`. */
export type LedgerMark = number;

interface LastWrite {
  readonly seq: number;
  readonly kind: string;
}

export class WriteLedger {
  #seq = 0;
  readonly #last = new Map<string, LastWrite>();
  /** Per target, the tail of the chain of holders. */
  readonly #locks = new Map<string, Promise<void>>();
  readonly #maxRemembered: number;

  /** `maxRemembered` bounds memory; the oldest records are forgotten first. */
  constructor(maxRemembered = 100_000) {
    this.#maxRemembered = maxRemembered;
  }

  /** Take before reading the state a plan is computed from. */
  mark(): LedgerMark {
    return this.#seq;
  }

  /** The kind of the last successful write to `target` after `mark`, if any. */
  writtenAfter(target: string, mark: LedgerMark): string | undefined {
    const last = this.#last.get(target);
    return last && last.seq > mark ? last.kind : undefined;
  }

  /** Records a successful write to `target`. */
  record(target: string, kind: string): void {
    this.#seq += 1;
    this.#last.delete(target);
    this.#last.set(target, { seq: this.#seq, kind });
    if (this.#last.size > this.#maxRemembered) {
      const oldest = this.#last.keys().next();
      if (!oldest.done) this.#last.delete(oldest.value);
    }
  }

  /**
   * Runs `fn` holding every target in `targets`. A holder joins the queue of every one of its
   * targets at once (synchronously), so holders are served in arrival order and two holders can
   * never wait on each other.
   */
  async exclusive<T>(targets: Iterable<string>, fn: () => Promise<T>): Promise<T> {
    const unique = [...new Set(targets)];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous: Promise<void>[] = [];
    const tails = new Map<string, Promise<void>>();
    for (const target of unique) {
      const before = this.#locks.get(target);
      if (before) previous.push(before);
      const tail = (before ?? Promise.resolve()).then(() => held);
      tails.set(target, tail);
      this.#locks.set(target, tail);
    }
    try {
      await Promise.all(previous);
      return await fn();
    } finally {
      release();
      // The last holder of a target drops its entry, so the map does not grow forever.
      for (const [target, tail] of tails) {
        if (this.#locks.get(target) === tail) this.#locks.delete(target);
      }
    }
  }
}
