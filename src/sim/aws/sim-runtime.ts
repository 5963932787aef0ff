import { AwsSimError } from './aws-sim-error.js';
import type { AwsState } from './aws-state.js';
import type { PageTokens } from './page-tokens.js';
import type { SeededRandom } from './seeded-random.js';

/** Services the simulator serves (STS included, which has no model file here). */
export const simServiceNames = [
  'sso-admin',
  'identitystore',
  'organizations',
  'iam',
  'sts',
] as const;
export type SimServiceName = (typeof simServiceNames)[number];

/** Faults for one operation (or `*`, or a service). Probabilities are in [0, 1]. */
export interface OperationFaults {
  /** Extra latency before the operation answers. */
  readonly latencyMs?: number;
  /** Chance the call is rejected as throttled, on top of the token buckets. */
  readonly throttleProbability?: number;
  /** Chance the call answers a 5xx internal error. */
  readonly serverErrorProbability?: number;
  /** Chance an async operation this call starts ends FAILED ("An unexpected internal…"). */
  readonly asyncFailureProbability?: number;
  /** Chance a permission-set write answers ConflictException (concurrent modification). */
  readonly conflictProbability?: number;
}

/**
 * Faults keyed by `*` (every operation), a service name (`sso-admin`), an operation name
 * (`CreateAccountAssignment`) or `service:Operation`. The most specific key wins per field.
 */
export type FaultSettings = Readonly<Record<string, OperationFaults>>;

/** Quotas (ref §7). All default to AWS's published values. */
export interface QuotaSettings {
  /** When false, no token bucket applies (benchmarks of the product, not of AWS limits). Default true. */
  readonly enabled?: boolean;
  /** Requests/s per service; a number applies to all. Default 20 for each service. */
  readonly ratePerSecond?: number | Partial<Record<SimServiceName, number>>;
  /** Bucket size; default = the rate (one second of burst). */
  readonly burst?: number;
  /** Outstanding (IN_PROGRESS) CreateAccountAssignment calls. Default 15 (not raisable at AWS). */
  readonly outstandingCreateAssignments?: number;
  /** Concurrent ProvisionPermissionSet calls. Default 3. */
  readonly concurrentProvisions?: number;
  /** Default 3500. */
  readonly permissionSetsPerInstance?: number;
  /** Default 500. */
  readonly provisionedPermissionSetsPerAccount?: number;
  /** AWS-managed + customer-managed policies per permission set. Default 20. */
  readonly policiesPerPermissionSet?: number;
}

/** Choices for behaviour the reference marks UNVERIFIED; see ref §6, §12. */
export interface BehaviourSettings {
  /**
   * DeleteAccountAssignment of a tuple that does not exist: `async-failure` (default; accepted,
   * then FAILED "Received a 404 status error: Assignment not found.") or `sync-not-found`
   * (ResourceNotFoundException at once, as moto does).
   */
  readonly deleteMissingAssignment?: 'async-failure' | 'sync-not-found';
  /** Error code when the outstanding-create or concurrent-provision quota is hit. Default ThrottlingException. */
  readonly asyncLimitErrorCode?: string;
  /** Answer with the model's `httpError` codes instead of AWS's observed 400s (ref §2.3). Default false. */
  readonly useModelStatusCodes?: boolean;
  /**
   * Chance an Organizations list page comes back empty with a NextToken, which the model says
   * can happen. Default 0.1 so clients that stop at an empty page are caught.
   */
  readonly organizationsEmptyPageProbability?: number;
  /** `ExternalIds[].Issuer` recorded for SCIM-pushed principals (undocumented at AWS). */
  readonly externalIdIssuer?: string;
  /**
   * Account registered as Identity Center delegated administrator ('' = none, the default). Its
   * principals may call the IdC, identity-store and Organizations APIs, but assignments into the
   * management account, or provisioning there, answer AccessDeniedException (ref §6).
   */
  readonly delegatedAdminAccountId?: string;
}

/** Mutable run-time settings shared by the handlers. */
export interface SimSettings {
  faults: FaultSettings;
  quotas: Required<Omit<QuotaSettings, 'ratePerSecond' | 'burst'>> & {
    ratePerSecond: Record<SimServiceName, number>;
    burst: number | undefined;
  };
  behaviour: Required<BehaviourSettings>;
  asyncLatencyMs: number;
}

/** Who is calling: every request carries one, so policy evaluation can be added later. */
export interface Principal {
  readonly accountId: string;
  readonly arn: string;
  /** IAM unique id (`AIDA…`) or, for sessions, `AROA…:session`. */
  readonly userId: string;
  readonly kind: 'user' | 'assumed-role';
  readonly roleName?: string;
  readonly sessionName?: string;
  readonly accessKeyId: string;
}

export interface RequestContext {
  readonly requestId: string;
  readonly service: SimServiceName;
  readonly operation: string;
  readonly principal: Principal;
  readonly region: string;
  /** Effective faults for this operation. */
  readonly faults: OperationFaults;
}

export type OperationHandler = (input: Record<string, unknown>, ctx: RequestContext) => unknown;

/** What handlers share: state, the seeded random source, page tokens and settings. */
export interface SimRuntime {
  readonly state: AwsState;
  readonly random: SeededRandom;
  readonly tokens: PageTokens;
  readonly settings: SimSettings;
  /** Milliseconds since the epoch; one place so async due times are consistent. */
  now(): number;
}

/** Limits for one paginated listing. */
export interface PageLimits {
  readonly defaultSize: number;
  readonly maxSize: number;
}

/**
 * Slices a listing into pages with opaque tokens bound to `scope`. `invalidToken` builds the
 * service's error for a forged or foreign token. The items must be in a stable order.
 */
export function paginate<T>(
  runtime: SimRuntime,
  items: readonly T[],
  scope: string,
  token: unknown,
  pageSize: unknown,
  limits: PageLimits,
  invalidToken: () => AwsSimError,
): { page: T[]; next: string | undefined } {
  let offset = 0;
  if (typeof token === 'string' && token !== '') {
    const decoded = runtime.tokens.decode(scope, token);
    if (decoded === undefined) throw invalidToken();
    offset = decoded;
  }
  const size = Math.min(
    typeof pageSize === 'number' ? pageSize : limits.defaultSize,
    limits.maxSize,
  );
  const page = items.slice(offset, offset + size);
  const nextOffset = offset + page.length;
  return {
    page,
    next: nextOffset < items.length ? runtime.tokens.encode(scope, nextOffset) : undefined,
  };
}

/** The standard `ValidationException` for a bad token in the JSON services. */
export function invalidNextToken(): AwsSimError {
  return new AwsSimError('ValidationException', 'The NextToken provided is invalid or expired.');
}

/** Reads a string member already validated by the model (required ones are present). */
export function str(input: Record<string, unknown>, name: string): string {
  const v = input[name];
  return typeof v === 'string' ? v : '';
}

/** Reads an optional string member. */
export function optStr(input: Record<string, unknown>, name: string): string | undefined {
  const v = input[name];
  return typeof v === 'string' ? v : undefined;
}
