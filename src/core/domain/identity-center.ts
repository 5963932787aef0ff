import type {
  AccountId,
  IdcGroupId,
  IdcUserId,
  IdentityStoreId,
  InstanceArn,
  ManagedPolicyArn,
  PermissionSetArn,
} from './ids.js';
import type { Tags } from './organizations.js';

export interface IdcInstance {
  readonly instanceArn: InstanceArn;
  readonly identityStoreId: IdentityStoreId;
  readonly status?: string;
  readonly name?: string;
}

/** An identity-store ExternalId: how SCIM push links an Identity Center principal to Okta. */
export interface ExternalId {
  readonly issuer: string;
  readonly id: string;
}

export interface IdcUser {
  readonly userId: IdcUserId;
  readonly userName: string;
  readonly displayName?: string;
  readonly emails: readonly string[];
  readonly externalIds: readonly ExternalId[];
}

export interface IdcGroup {
  readonly groupId: IdcGroupId;
  readonly displayName: string;
  readonly description?: string;
  readonly externalIds: readonly ExternalId[];
}

export interface IdcGroupMembership {
  readonly groupId: IdcGroupId;
  readonly userId: IdcUserId;
  readonly membershipId?: string;
}

export interface CustomerManagedPolicyReference {
  readonly name: string;
  /** Defaults to "/" as in AWS. */
  readonly path: string;
}

/** A permissions boundary is either an AWS managed policy or a customer managed reference. */
export type PermissionsBoundary =
  | { readonly kind: 'managed'; readonly managedPolicyArn: ManagedPolicyArn }
  | { readonly kind: 'customer-managed'; readonly reference: CustomerManagedPolicyReference };

/** The definable content of a permission set: what a template produces and drift compares. */
export interface PermissionSetDefinition {
  readonly name: string;
  readonly description?: string;
  /** ISO-8601 duration, PT1H..PT12H; AWS defaults to PT1H when omitted. */
  readonly sessionDuration?: string;
  readonly relayState?: string;
  readonly managedPolicies: readonly ManagedPolicyArn[];
  readonly customerManagedPolicies: readonly CustomerManagedPolicyReference[];
  /** The inline policy document as JSON text, or undefined for none. */
  readonly inlinePolicy?: string;
  readonly permissionsBoundary?: PermissionsBoundary;
  readonly tags: Tags;
}

export const ProvisioningStatuses = [
  'LATEST_PERMISSION_SET_PROVISIONED',
  'LATEST_PERMISSION_SET_NOT_PROVISIONED',
] as const;
export type ProvisioningStatus = (typeof ProvisioningStatuses)[number];

export interface PermissionSet extends PermissionSetDefinition {
  readonly permissionSetArn: PermissionSetArn;
  readonly createdDate?: string;
  /** Accounts the permission set is provisioned to, with whether the latest version is there. */
  readonly provisionedTo: readonly {
    readonly accountId: AccountId;
    readonly status: ProvisioningStatus;
  }[];
}

export const PrincipalTypes = ['USER', 'GROUP'] as const;
export type PrincipalType = (typeof PrincipalTypes)[number];

export type IdcPrincipal =
  | { readonly principalType: 'USER'; readonly principalId: IdcUserId }
  | { readonly principalType: 'GROUP'; readonly principalId: IdcGroupId };

export interface AccountAssignment {
  readonly instanceArn: InstanceArn;
  readonly accountId: AccountId;
  readonly permissionSetArn: PermissionSetArn;
  readonly principalType: PrincipalType;
  readonly principalId: IdcUserId | IdcGroupId;
}

export const AsyncStatuses = ['IN_PROGRESS', 'FAILED', 'SUCCEEDED'] as const;
export type AsyncStatus = (typeof AsyncStatuses)[number];
