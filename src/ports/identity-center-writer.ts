/**
 * Write-side port onto IAM Identity Center (sso-admin): everything the executor changes. Every
 * implementation must send each call, status polls included, through the shared sso-admin rate
 * limiter, because AWS budgets all sso-admin calls together (aws-identity-center.md §7).
 *
 * Methods make exactly one logical call each: they never poll, never wait for async work and
 * never retry conflicts. Polling, retry policy and concurrency limits belong to the executor.
 * Failures are thrown as `IdentityCenterWriteError`, classified so that callers need no AWS SDK
 * knowledge.
 */
import { OperationalError } from '../core/errors.js';
import type {
  AccountAssignment,
  AsyncStatus,
  CustomerManagedPolicyReference,
  PermissionsBoundary,
} from '../core/domain/identity-center.js';
import type {
  AccountId,
  InstanceArn,
  ManagedPolicyArn,
  PermissionSetArn,
} from '../core/domain/ids.js';
import type { Tags } from '../core/domain/organizations.js';

/**
 * How a failed write should be treated.
 * - throttling / transient: retry with backoff (the call gate already retried a few times);
 * - conflict: concurrent modification or delete-right-after-create; retry with backoff;
 * - already-exists: the thing the call would create is there (duplicate name, attached policy);
 * - not-found: the target does not exist (a delete of something already gone is a success);
 * - fatal: anything else (validation, access denied, quota); retrying cannot help.
 */
export const WriteErrorKinds = [
  'throttling',
  'transient',
  'conflict',
  'already-exists',
  'not-found',
  'fatal',
] as const;
export type WriteErrorKind = (typeof WriteErrorKinds)[number];

/** A failed write. `code` is the AWS error name, `awsRequestId` the request id when AWS sent one. */
export class IdentityCenterWriteError extends OperationalError {
  constructor(
    message: string,
    code: string,
    readonly kind: WriteErrorKind,
    readonly awsRequestId: string | null,
    options?: { cause?: unknown },
  ) {
    super(
      message,
      code,
      kind === 'throttling' || kind === 'transient' || kind === 'conflict',
      options,
    );
  }
}

/** Every successful write carries the AWS request id of the call (for audit), when AWS sent one. */
export interface WriteReceipt {
  readonly awsRequestId: string | null;
}

/** The three kinds of asynchronous sso-admin request. */
export const AsyncRequestKinds = ['provision', 'create-assignment', 'delete-assignment'] as const;
export type AsyncRequestKind = (typeof AsyncRequestKinds)[number];

/**
 * The status of an asynchronous request, as the starting call or a Describe…Status poll returns
 * it. `requestId` is the async request id to poll with; `awsRequestId` the HTTP request id.
 */
export interface AsyncRequestStatus extends WriteReceipt {
  readonly kind: AsyncRequestKind;
  readonly requestId: string;
  readonly status: AsyncStatus;
  /** Set when `status` is FAILED: AWS's free-text reason. */
  readonly failureReason?: string;
}

/** The attributes UpdatePermissionSet replaces. Undefined clears the value (AWS semantics). */
export interface PermissionSetAttributes {
  readonly description?: string;
  readonly sessionDuration?: string;
  readonly relayState?: string;
}

export interface NewPermissionSet extends PermissionSetAttributes {
  readonly name: string;
  /** Includes the ownership tag: a permission set is owned from the moment it exists. */
  readonly tags: Tags;
}

/** Where to provision: one account, or every account the permission set is provisioned to. */
export type ProvisionTarget =
  | { readonly kind: 'account'; readonly accountId: AccountId }
  | { readonly kind: 'all-provisioned' };

export interface IdentityCenterWriter {
  createPermissionSet(
    instanceArn: InstanceArn,
    permissionSet: NewPermissionSet,
  ): Promise<WriteReceipt & { readonly permissionSetArn: PermissionSetArn }>;
  /** Sends all three attributes every time: AWS clears RelayState when it is omitted. */
  updatePermissionSet(
    instanceArn: InstanceArn,
    permissionSetArn: PermissionSetArn,
    attributes: PermissionSetAttributes,
  ): Promise<WriteReceipt>;
  /** Fails with kind `conflict` while the permission set still has assignments or is provisioned. */
  deletePermissionSet(
    instanceArn: InstanceArn,
    permissionSetArn: PermissionSetArn,
  ): Promise<WriteReceipt>;
  attachManagedPolicy(
    instanceArn: InstanceArn,
    permissionSetArn: PermissionSetArn,
    policyArn: ManagedPolicyArn,
  ): Promise<WriteReceipt>;
  detachManagedPolicy(
    instanceArn: InstanceArn,
    permissionSetArn: PermissionSetArn,
    policyArn: ManagedPolicyArn,
  ): Promise<WriteReceipt>;
  attachCustomerManagedPolicy(
    instanceArn: InstanceArn,
    permissionSetArn: PermissionSetArn,
    reference: CustomerManagedPolicyReference,
  ): Promise<WriteReceipt>;
  detachCustomerManagedPolicy(
    instanceArn: InstanceArn,
    permissionSetArn: PermissionSetArn,
    reference: CustomerManagedPolicyReference,
  ): Promise<WriteReceipt>;
  putInlinePolicy(
    instanceArn: InstanceArn,
    permissionSetArn: PermissionSetArn,
    document: string,
  ): Promise<WriteReceipt>;
  deleteInlinePolicy(
    instanceArn: InstanceArn,
    permissionSetArn: PermissionSetArn,
  ): Promise<WriteReceipt>;
  putPermissionsBoundary(
    instanceArn: InstanceArn,
    permissionSetArn: PermissionSetArn,
    boundary: PermissionsBoundary,
  ): Promise<WriteReceipt>;
  deletePermissionsBoundary(
    instanceArn: InstanceArn,
    permissionSetArn: PermissionSetArn,
  ): Promise<WriteReceipt>;
  tagPermissionSet(
    instanceArn: InstanceArn,
    permissionSetArn: PermissionSetArn,
    tags: Tags,
  ): Promise<WriteReceipt>;
  untagPermissionSet(
    instanceArn: InstanceArn,
    permissionSetArn: PermissionSetArn,
    tagKeys: readonly string[],
  ): Promise<WriteReceipt>;
  /** Starts provisioning (async); poll with `describeProvisioning`. */
  provisionPermissionSet(
    instanceArn: InstanceArn,
    permissionSetArn: PermissionSetArn,
    target: ProvisionTarget,
  ): Promise<AsyncRequestStatus>;
  /** Starts an assignment creation (async); poll with `describeAssignmentCreation`. */
  createAccountAssignment(assignment: AccountAssignment): Promise<AsyncRequestStatus>;
  /** Starts an assignment deletion (async); poll with `describeAssignmentDeletion`. */
  deleteAccountAssignment(assignment: AccountAssignment): Promise<AsyncRequestStatus>;
  describeProvisioning(instanceArn: InstanceArn, requestId: string): Promise<AsyncRequestStatus>;
  describeAssignmentCreation(
    instanceArn: InstanceArn,
    requestId: string,
  ): Promise<AsyncRequestStatus>;
  describeAssignmentDeletion(
    instanceArn: InstanceArn,
    requestId: string,
  ): Promise<AsyncRequestStatus>;
}
