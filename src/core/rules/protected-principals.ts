/**
 * The `safety.protected.principals` list: entries may be Identity Center principal ids, Okta ids,
 * Okta logins, IdC userNames or group names. Matching ignores case, so a protection entry can
 * only ever protect more than was meant, never less.
 */
export class ProtectedPrincipals {
  private readonly entries: ReadonlyMap<string, string>;

  constructor(entries: readonly string[]) {
    this.entries = new Map(entries.map((entry) => [entry.toLowerCase(), entry]));
  }

  /** True when nothing is protected (lets callers skip the lookups). */
  get empty(): boolean {
    return this.entries.size === 0;
  }

  /** The configured entry that protects any of the given identifiers, or undefined. */
  match(identifiers: readonly (string | undefined)[]): string | undefined {
    if (this.entries.size === 0) return undefined;
    for (const identifier of identifiers) {
      if (identifier === undefined) continue;
      const entry = this.entries.get(identifier.toLowerCase());
      if (entry !== undefined) return entry;
    }
    return undefined;
  }
}
