/** One answered request. */
export interface CallLogEntry {
  /** Epoch ms. */
  readonly at: number;
  readonly service: string;
  readonly operation: string;
  readonly status: number;
  readonly errorCode?: string;
}

/** Counts and recent entries, as the control API returns them. */
export interface CallLogSnapshot {
  readonly total: number;
  /** `service:Operation` → calls (errors included). */
  readonly counts: Readonly<Record<string, number>>;
  /** `service:Operation:ErrorCode` → errors. */
  readonly errors: Readonly<Record<string, number>>;
  /** The most recent entries (at most `capacity`), oldest first. */
  readonly entries: readonly CallLogEntry[];
}

/**
 * Per-operation call counters plus a bounded ring of recent calls, so tests and benchmarks can
 * assert the call budget (ref §8) without unbounded memory.
 */
export class CallLog {
  private counts = new Map<string, number>();
  private errors = new Map<string, number>();
  private entries: CallLogEntry[] = [];
  private total = 0;

  constructor(private readonly capacity = 10_000) {}

  record(entry: Omit<CallLogEntry, 'at'>): void {
    const key = `${entry.service}:${entry.operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (entry.errorCode) {
      const ekey = `${key}:${entry.errorCode}`;
      this.errors.set(ekey, (this.errors.get(ekey) ?? 0) + 1);
    }
    this.total++;
    this.entries.push({ at: Date.now(), ...entry });
    if (this.entries.length > this.capacity)
      this.entries.splice(0, this.entries.length - this.capacity);
  }

  snapshot(): CallLogSnapshot {
    return {
      total: this.total,
      counts: Object.fromEntries(this.counts),
      errors: Object.fromEntries(this.errors),
      entries: [...this.entries],
    };
  }

  reset(): void {
    this.counts = new Map();
    this.errors = new Map();
    this.entries = [];
    this.total = 0;
  }
}
