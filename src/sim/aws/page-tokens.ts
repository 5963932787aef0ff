import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a page token remembers: which listing it belongs to and where the next page starts. */
interface TokenPayload {
  /** Operation + scope (e.g. `ListAccountAssignments|111111111111|arn…`); a token only works there. */
  readonly s: string;
  readonly o: number;
}

/**
 * Opaque, tamper-evident page tokens: base64url of an HMAC tag and the payload. A token that
 * does not verify, or that comes from another listing, is rejected, as AWS rejects forged
 * tokens. The alphabet (`A-Za-z0-9-_`) fits every NextToken/Marker pattern in the models.
 */
export class PageTokens {
  private readonly key: Buffer;

  constructor(secret?: Buffer) {
    this.key = secret ?? randomBytes(32);
  }

  encode(scope: string, offset: number): string {
    const payload = Buffer.from(JSON.stringify({ s: scope, o: offset } satisfies TokenPayload));
    const tag = createHmac('sha256', this.key).update(payload).digest().subarray(0, 16);
    return Buffer.concat([tag, payload]).toString('base64url');
  }

  /** The offset a token encodes, or `undefined` when it is forged or from another listing. */
  decode(scope: string, token: string): number | undefined {
    const raw = Buffer.from(token, 'base64url');
    if (raw.length <= 16) return undefined;
    const tag = raw.subarray(0, 16);
    const payload = raw.subarray(16);
    const expected = createHmac('sha256', this.key).update(payload).digest().subarray(0, 16);
    if (!timingSafeEqual(tag, expected)) return undefined;
    try {
      const parsed = JSON.parse(payload.toString('utf8')) as Partial<TokenPayload>;
      if (parsed.s !== scope || typeof parsed.o !== 'number' || parsed.o < 0) return undefined;
      return parsed.o;
    } catch {
      return undefined;
    }
  }
}
