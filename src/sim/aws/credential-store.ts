import type { Principal } from './sim-runtime.js';
import type { SeededRandom } from './seeded-random.js';

/** Credentials the simulator accepts, and who they stand for. */
export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present for STS session credentials; the request must carry it. */
  readonly sessionToken?: string;
  /** Epoch ms; session credentials are refused afterwards (`ExpiredToken`). */
  readonly expiresAt?: number;
  readonly principal: Principal;
}

const upperAlnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const secretAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Access keys known to the simulator: the management-account pair given at start-up, IAM user
 * keys from scenarios and the session credentials STS issued. Unknown keys are rejected by the
 * auth layer with UnrecognizedClientException / InvalidClientTokenId.
 */
export class CredentialStore {
  private readonly byKey = new Map<string, IssuedCredentials>();

  add(credentials: IssuedCredentials): void {
    this.byKey.set(credentials.accessKeyId, credentials);
  }

  get(accessKeyId: string): IssuedCredentials | undefined {
    return this.byKey.get(accessKeyId);
  }

  /** Issues STS session credentials (`ASIA…` keys) for a principal. */
  issueSession(
    random: SeededRandom,
    principal: Omit<Principal, 'accessKeyId'>,
    expiresAt: number,
  ): IssuedCredentials {
    const accessKeyId = 'ASIA' + random.chars(16, upperAlnum);
    const issued: IssuedCredentials = {
      accessKeyId,
      secretAccessKey: random.chars(40, secretAlphabet),
      sessionToken: 'IQoJb3JpZ2luX2VjE' + random.chars(300, secretAlphabet),
      expiresAt,
      principal: { ...principal, accessKeyId },
    };
    this.add(issued);
    return issued;
  }
}
