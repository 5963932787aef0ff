import type { OktaGroupId, OktaUserId } from './ids.js';

/** Okta user statuses (Management API `UserStatus`). */
export const OktaUserStatuses = [
  'STAGED',
  'PROVISIONED',
  'ACTIVE',
  'RECOVERY',
  'PASSWORD_EXPIRED',
  'LOCKED_OUT',
  'SUSPENDED',
  'DEPROVISIONED',
] as const;
export type OktaUserStatus = (typeof OktaUserStatuses)[number];

/**
 * Statuses in which a user keeps AWS access. DEPROVISIONED (deactivated) and SUSPENDED users lose
 * every owned assignment (PRODUCT.md §4, deprovisioning); a deleted user is simply absent.
 */
export const OKTA_STATUSES_WITH_ACCESS: ReadonlySet<OktaUserStatus> = new Set([
  'ACTIVE',
  'PROVISIONED',
  'RECOVERY',
  'PASSWORD_EXPIRED',
  'LOCKED_OUT',
]);

export interface OktaUser {
  readonly id: OktaUserId;
  readonly login: string;
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly status: OktaUserStatus;
}

export const OktaGroupTypes = ['OKTA_GROUP', 'APP_GROUP', 'BUILT_IN'] as const;
export type OktaGroupType = (typeof OktaGroupTypes)[number];

export interface OktaGroup {
  readonly id: OktaGroupId;
  readonly name: string;
  readonly description?: string;
  readonly type: OktaGroupType;
}

export interface OktaMembership {
  readonly groupId: OktaGroupId;
  readonly userId: OktaUserId;
}

/** Everything read from Okta in one pass. */
export interface OktaDirectory {
  readonly users: readonly OktaUser[];
  readonly groups: readonly OktaGroup[];
  readonly memberships: readonly OktaMembership[];
}
