/**
 * A resolved secret (token, key, password). The value is held in a private field and only comes
 * out through `reveal()`, so logging, JSON serialisation, string interpolation and `util.inspect`
 * all print a redaction marker instead. `source` names where it came from (e.g. `env:OKTA_TOKEN`)
 * and is safe to show.
 */
export class Secret {
  readonly #value: string;

  /**
   * @param value the secret itself; never shown except through `reveal()`.
   * @param source where it came from, without the value, e.g. `env:OKTA_API_TOKEN` or `file:key.pem`.
   */
  constructor(
    value: string,
    readonly source: string,
  ) {
    this.#value = value;
  }

  /** The secret value. Call it only at the point of use (an HTTP header, a signing key). */
  reveal(): string {
    return this.#value;
  }

  /** Never the value: `[redacted secret from <source>]`. */
  toString(): string {
    return `[redacted secret from ${this.source}]`;
  }

  /** JSON.stringify writes the marker, never the value. */
  toJSON(): string {
    return this.toString();
  }

  /** Node's util.inspect (console.log, pino's fallbacks) shows the marker, never the value. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${this.toString()})`;
  }
}
