import type { IamRole } from '../domain/iam.js';
import type { IdcGroup, IdcUser, PermissionSet } from '../domain/identity-center.js';
import type { OktaGroup, OktaUser } from '../domain/okta.js';
import type { Account } from '../domain/organizations.js';
import type { Inventory } from '../inventory/inventory.js';

/**
 * The entitlement graph of an inventory, at group level (before expanding groups to members):
 * - group-assignment: IdC group (and the Okta group linked to it) → permission set → account;
 * - user-assignment: IdC user (and the linked Okta user) → permission set → account, directly;
 * - saml-federation: Okta group named by the federation convention → IAM role → account.
 */
export const EntitlementKinds = ['group-assignment', 'user-assignment', 'saml-federation'] as const;
export type EntitlementKind = (typeof EntitlementKinds)[number];

/** An account as grants show it; the account may be missing from the organisation. */
export interface AccountRef {
  readonly id: string;
  readonly name?: string;
  readonly status?: string;
  readonly aliases: readonly string[];
}

export type Entitlement =
  | {
      readonly kind: 'group-assignment';
      readonly idcGroup: IdcGroup;
      readonly oktaGroup?: OktaGroup;
      readonly permissionSet: PermissionSet;
      readonly account: AccountRef;
    }
  | {
      readonly kind: 'user-assignment';
      readonly idcUser: IdcUser;
      readonly oktaUser?: OktaUser;
      readonly permissionSet: PermissionSet;
      readonly account: AccountRef;
    }
  | {
      readonly kind: 'saml-federation';
      readonly oktaGroup: OktaGroup;
      readonly role: IamRole;
      readonly samlProviderArns: readonly string[];
      readonly account: AccountRef;
    };

/** Indexes over an inventory that the access queries and the graph share. */
export interface EntitlementIndex {
  readonly entitlements: readonly Entitlement[];
  readonly idcUsers: ReadonlyMap<string, IdcUser>;
  readonly oktaUsers: ReadonlyMap<string, OktaUser>;
  /** IdC group id → member IdC user ids. */
  readonly idcMembers: ReadonlyMap<string, readonly string[]>;
  /** Okta group id → member Okta user ids. */
  readonly oktaMembers: ReadonlyMap<string, readonly string[]>;
  /** IdC user id → linked Okta user, and back. */
  readonly oktaUserOfIdc: ReadonlyMap<string, OktaUser>;
  readonly idcUserOfOkta: ReadonlyMap<string, IdcUser>;
  readonly oktaGroupOfIdc: ReadonlyMap<string, OktaGroup>;
  readonly permissionSets: ReadonlyMap<string, PermissionSet>;
  readonly accounts: ReadonlyMap<string, AccountRef>;
}

/** Builds the entitlements of an inventory. Pure; the order is deterministic. */
export function buildEntitlements(inventory: Inventory): EntitlementIndex {
  const aws = inventory.aws;
  const okta = inventory.okta;
  const idcUsers = new Map((aws?.identityCenter.users ?? []).map((u) => [u.userId as string, u]));
  const idcGroups = new Map(
    (aws?.identityCenter.groups ?? []).map((g) => [g.groupId as string, g]),
  );
  const oktaUsers = new Map((okta?.users ?? []).map((u) => [u.id as string, u]));
  const oktaGroups = new Map((okta?.groups ?? []).map((g) => [g.id as string, g]));
  const permissionSets = new Map(
    (aws?.identityCenter.permissionSets ?? []).map((p) => [p.permissionSetArn as string, p]),
  );
  const aliases = new Map<string, readonly string[]>();
  for (const account of aws?.accounts ?? []) {
    if (account.inspected) aliases.set(account.accountId, account.aliases);
  }
  const accounts = new Map<string, AccountRef>();
  for (const account of aws?.organization.accounts ?? []) {
    accounts.set(account.id, accountRef(account, aliases.get(account.id) ?? []));
  }
  const accountOf = (id: string): AccountRef =>
    accounts.get(id) ?? { id, aliases: aliases.get(id) ?? [] };

  const oktaUserOfIdc = new Map<string, OktaUser>();
  const idcUserOfOkta = new Map<string, IdcUser>();
  const oktaGroupOfIdc = new Map<string, OktaGroup>();
  for (const link of inventory.links?.users ?? []) {
    const oktaUser = oktaUsers.get(link.oktaUserId);
    const idcUser = idcUsers.get(link.idcUserId);
    if (oktaUser) oktaUserOfIdc.set(link.idcUserId, oktaUser);
    if (idcUser) idcUserOfOkta.set(link.oktaUserId, idcUser);
  }
  for (const link of inventory.links?.groups ?? []) {
    const oktaGroup = oktaGroups.get(link.oktaGroupId);
    if (oktaGroup) oktaGroupOfIdc.set(link.idcGroupId, oktaGroup);
  }

  const idcMembers = groupBy(
    aws?.identityCenter.memberships ?? [],
    (m) => m.groupId,
    (m) => m.userId,
  );
  const oktaMembers = groupBy(
    okta?.memberships ?? [],
    (m) => m.groupId,
    (m) => m.userId,
  );

  const entitlements: Entitlement[] = [];
  for (const assignment of aws?.identityCenter.assignments ?? []) {
    const permissionSet = permissionSets.get(assignment.permissionSetArn) ?? {
      permissionSetArn: assignment.permissionSetArn,
      name: assignment.permissionSetArn,
      managedPolicies: [],
      customerManagedPolicies: [],
      tags: {},
      provisionedTo: [],
    };
    const account = accountOf(assignment.accountId);
    if (assignment.principalType === 'GROUP') {
      const idcGroup = idcGroups.get(assignment.principalId) ?? {
        groupId: assignment.principalId as IdcGroup['groupId'],
        displayName: `(deleted group ${assignment.principalId})`,
        externalIds: [],
      };
      const oktaGroup = oktaGroupOfIdc.get(assignment.principalId);
      entitlements.push({
        kind: 'group-assignment',
        idcGroup,
        ...(oktaGroup ? { oktaGroup } : {}),
        permissionSet,
        account,
      });
    } else {
      const idcUser = idcUsers.get(assignment.principalId) ?? {
        userId: assignment.principalId as IdcUser['userId'],
        userName: `(deleted user ${assignment.principalId})`,
        emails: [],
        externalIds: [],
      };
      const oktaUser = oktaUserOfIdc.get(assignment.principalId);
      entitlements.push({
        kind: 'user-assignment',
        idcUser,
        ...(oktaUser ? { oktaUser } : {}),
        permissionSet,
        account,
      });
    }
  }
  const roles = new Map<string, IamRole>();
  for (const account of aws?.accounts ?? []) {
    if (!account.inspected) continue;
    for (const role of account.roles) roles.set(role.arn, role);
  }
  for (const mapping of inventory.federation ?? []) {
    if (mapping.status !== 'ok' || !mapping.roleArn) continue;
    const oktaGroup = oktaGroups.get(mapping.oktaGroupId);
    const role = roles.get(mapping.roleArn);
    if (!oktaGroup || !role) continue;
    entitlements.push({
      kind: 'saml-federation',
      oktaGroup,
      role,
      samlProviderArns: mapping.samlProviderArns ?? [],
      account: accountOf(mapping.accountId),
    });
  }
  return {
    entitlements,
    idcUsers,
    oktaUsers,
    idcMembers,
    oktaMembers,
    oktaUserOfIdc,
    idcUserOfOkta,
    oktaGroupOfIdc,
    permissionSets,
    accounts,
  };
}

function accountRef(account: Account, aliases: readonly string[]): AccountRef {
  return { id: account.id, name: account.name, status: account.status, aliases };
}

function groupBy<T>(
  items: readonly T[],
  key: (item: T) => string,
  value: (item: T) => string,
): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const item of items) {
    const k = key(item);
    const list = result.get(k);
    if (list) list.push(value(item));
    else result.set(k, [value(item)]);
  }
  return result;
}
