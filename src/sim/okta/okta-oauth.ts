import { createPublicKey, randomBytes, verify as verifySignature } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';

/** An API Services app allowed to use the client-credentials grant with private_key_jwt. */
export interface OAuthServiceApp {
  clientId: string;
  /** Public key(s) the app signs assertions with; matched by `kid` when present. */
  publicJwks: JsonWebKey[];
  /** Okta scopes granted to the app (consented by a Super Admin). */
  scopes: string[];
  /** Display name used as the System Log actor; default the client id. */
  name?: string;
}

export interface AccessToken {
  token: string;
  clientId: string;
  scopes: ReadonlySet<string>;
  expiresAtMs: number;
}

/** Outcome of a token request: a body and status in OAuth's error format. */
export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

const algorithms: Record<string, { hash: string; ec: boolean }> = {
  RS256: { hash: 'sha256', ec: false },
  RS384: { hash: 'sha384', ec: false },
  RS512: { hash: 'sha512', ec: false },
  ES256: { hash: 'sha256', ec: true },
  ES384: { hash: 'sha384', ec: true },
  ES512: { hash: 'sha512', ec: true },
};

function oauthError(status: number, error: string, description: string): TokenResponse {
  return { status, body: { error, error_description: description } };
}

function decodeJson(part: string | undefined): Record<string, unknown> | undefined {
  if (!part) return undefined;
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The org authorization server's `/oauth2/v1/token` for service apps: client_credentials with a
 * private_key_jwt assertion (signature, `iss`=`sub`=client id, `aud` = token URL, `exp` within
 * an hour), issuing opaque bearer tokens that expire.
 */
export class OAuthServer {
  readonly apps = new Map<string, OAuthServiceApp>();
  private readonly tokens = new Map<string, AccessToken>();
  private readonly usedJti = new Set<string>();

  constructor(
    private readonly tokenUrl: () => string,
    private readonly now: () => number = Date.now,
    /** Access-token lifetime; Okta's is fixed at one hour. */
    public tokenTtlSeconds = 3600,
  ) {}

  register(app: OAuthServiceApp): void {
    this.apps.set(app.clientId, {
      ...app,
      publicJwks: [...app.publicJwks],
      scopes: [...app.scopes],
    });
  }

  /** Resolves a bearer token; expired or unknown tokens give undefined. */
  lookup(token: string): AccessToken | undefined {
    const t = this.tokens.get(token);
    if (!t) return undefined;
    if (t.expiresAtMs <= this.now()) {
      this.tokens.delete(token);
      return undefined;
    }
    return t;
  }

  /** Handles a form-encoded token request. */
  token(form: URLSearchParams): TokenResponse {
    if (form.get('grant_type') !== 'client_credentials') {
      return oauthError(
        400,
        'unsupported_grant_type',
        'The authorization grant type is not supported by the authorization server.',
      );
    }
    if (
      form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
    ) {
      return oauthError(
        401,
        'invalid_client',
        'private_key_jwt client authentication is required for Okta scopes.',
      );
    }
    const assertion = form.get('client_assertion') ?? '';
    const parts = assertion.split('.');
    const header = decodeJson(parts[0]);
    const claims = decodeJson(parts[1]);
    if (parts.length !== 3 || !header || !claims) {
      return oauthError(401, 'invalid_client', 'The client_assertion is not a valid JWT.');
    }
    const clientId = claims.iss;
    const app = typeof clientId === 'string' ? this.apps.get(clientId) : undefined;
    if (!app || claims.sub !== clientId) {
      return oauthError(
        401,
        'invalid_client',
        'The client_assertion token has an invalid issuer or subject.',
      );
    }
    const alg = typeof header.alg === 'string' ? algorithms[header.alg] : undefined;
    if (!alg)
      return oauthError(401, 'invalid_client', 'The client_assertion algorithm is not supported.');
    const candidates = app.publicJwks.filter(
      (k) => header.kid === undefined || (k as { kid?: unknown }).kid === header.kid,
    );
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const signature = Buffer.from(parts[2] ?? '', 'base64url');
    const valid = candidates.some((jwk) => {
      try {
        const key: KeyObject = createPublicKey({ key: jwk, format: 'jwk' });
        return verifySignature(
          alg.hash,
          signed,
          alg.ec ? { key, dsaEncoding: 'ieee-p1363' } : key,
          signature,
        );
      } catch {
        return false;
      }
    });
    if (!valid)
      return oauthError(401, 'invalid_client', 'The client_assertion signature is invalid.');
    if (claims.aud !== this.tokenUrl()) {
      return oauthError(
        401,
        'invalid_client',
        `The audience of the client_assertion must be ${this.tokenUrl()}.`,
      );
    }
    const nowSec = Math.floor(this.now() / 1000);
    const exp = claims.exp;
    if (typeof exp !== 'number' || exp <= nowSec) {
      return oauthError(401, 'invalid_client', 'The client_assertion token is expired.');
    }
    if (exp - nowSec > 3600 + 60) {
      return oauthError(
        401,
        'invalid_client',
        'The client_assertion token has an expiration too far in the future.',
      );
    }
    if (typeof claims.jti === 'string') {
      const key = `${app.clientId}:${claims.jti}`;
      if (this.usedJti.has(key))
        return oauthError(
          401,
          'invalid_client',
          'The client_assertion token has already been used.',
        );
      this.usedJti.add(key);
    }
    const requested = (form.get('scope') ?? '').split(/\s+/).filter((s) => s !== '');
    if (requested.length === 0)
      return oauthError(
        400,
        'invalid_scope',
        "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
      );
    const notGranted = requested.filter((s) => !app.scopes.includes(s));
    if (notGranted.length > 0) {
      return oauthError(
        400,
        'invalid_scope',
        `The following scopes are not allowed: ${notGranted.join(' ')}`,
      );
    }
    const token = `sim_at_${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, {
      token,
      clientId: app.clientId,
      scopes: new Set(requested),
      expiresAtMs: this.now() + this.tokenTtlSeconds * 1000,
    });
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: this.tokenTtlSeconds,
        access_token: token,
        scope: requested.join(' '),
      },
    };
  }
}
