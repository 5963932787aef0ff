import type { IdcUser, PermissionSet } from '../domain/identity-center.js';
import type { OktaUser } from '../domain/okta.js';
import type { Inventory } from '../inventory/inventory.js';
import type { AccountRef, Entitlement, EntitlementIndex } from './entitlements.js';
import { buildEntitlements } from './entitlements.js';

/**
 * What `access` filters on. Every given filter must match (AND); matching is case-insensitive
 * and exact on any of the listed identifiers.
 * - user: Okta login, Okta id, email, IdC userName or IdC user id;
 * - group: Okta group name or id, IdC group displayName or id;
 * - account: account id, name or IAM alias;
 * - permissionSet: permission set name or ARN, or (for federation) the IAM role name or ARN.
 */
export interface AccessFilter {
  readonly user?: string;
  readonly group?: string;
  readonly account?: string;
  readonly permissionSet?: string;
}

/** One step of a grant's path, from the person to the account. */
export interface PathStep {
  readonly kind:
    | 'okta-user'
    | 'okta-group'
    | 'idc-user'
    | 'idc-group'
    | 'permission-set'
    | 'saml-provider'
    | 'iam-role'
    | 'account';
  readonly id: string;
  readonly name: string;
}

/** A person's access to an account, and exactly how they get it. */
export interface AccessGrant {
  readonly kind: Entitlement['kind'];
  readonly user: {
    readonly oktaUserId?: string;
    readonly oktaLogin?: string;
    readonly oktaStatus?: string;
    readonly idcUserId?: string;
    readonly idcUserName?: string;
  };
  readonly account: AccountRef;
  /** Identity Center grants. */
  readonly permissionSet?: { readonly arn: string; readonly name: string };
  /** SAML federation grants. */
  readonly role?: { readonly arn: string; readonly name: string };
  readonly group?: {
    readonly oktaGroupId?: string;
    readonly oktaGroupName?: string;
    readonly idcGroupId?: string;
    readonly idcGroupName?: string;
  };
  readonly path: readonly PathStep[];
}

/** What a permission set (or a federated role) lets its holders do. */
export interface EffectivePolicies {
  readonly kind: 'permission-set' | 'iam-role';
  readonly arn: string;
  readonly name: string;
  readonly sessionDuration?: string;
  readonly managedPolicies: readonly string[];
  /** `path + name` of each customer managed policy, resolved in each target account. */
  readonly customerManagedPolicies: readonly string[];
  /** The inline policy document (permission sets) or the inline policy names (roles). */
  readonly inlinePolicy?: string;
  readonly inlinePolicyNames?: readonly string[];
  readonly permissionsBoundary?: string;
}

export interface AccessReport {
  readonly filter: AccessFilter;
  /** One row per person × account × permission set or role × path, sorted. */
  readonly grants: readonly AccessGrant[];
  /** The group-level entitlements that matched, including groups with no members. */
  readonly entitlements: readonly Entitlement[];
  /** The effective policies of every permission set and role in `grants` or `entitlements`. */
  readonly policies: readonly EffectivePolicies[];
}

/** Answers "who has access to what, and why" from an inventory. Pure. */
export function queryAccess(inventory: Inventory, filter: AccessFilter = {}): AccessReport {
  const index = buildEntitlements(inventory);
  const matching = index.entitlements.filter((entitlement) =>
    entitlementMatches(entitlement, filter),
  );
  const grants = matching
    .flatMap((entitlement) => expand(entitlement, index))
    .filter((grant) => filter.user === undefined || userMatches(grant, filter.user, index));
  grants.sort(compareGrants);
  const entitlements = filter.user
    ? matching.filter((entitlement) => grants.some((grant) => sameSource(grant, entitlement)))
    : matching;
  const policies = new Map<string, EffectivePolicies>();
  for (const entitlement of entitlements) {
    if (entitlement.kind === 'saml-federation') {
      const role = entitlement.role;
      policies.set(role.arn, {
        kind: 'iam-role',
        arn: role.arn,
        name: role.roleName,
        managedPolicies: role.attachedPolicies.map((policy) => policy.policyArn),
        customerManagedPolicies: [],
        inlinePolicyNames: role.inlinePolicyNames,
      });
    } else {
      policies.set(
        entitlement.permissionSet.permissionSetArn,
        effectivePolicies(entitlement.permissionSet),
      );
    }
  }
  return {
    filter,
    grants,
    entitlements,
    policies: [...policies.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** The effective policies of one permission set. */
export function effectivePolicies(permissionSet: PermissionSet): EffectivePolicies {
  const boundary = permissionSet.permissionsBoundary;
  return {
    kind: 'permission-set',
    arn: permissionSet.permissionSetArn,
    name: permissionSet.name,
    ...(permissionSet.sessionDuration ? { sessionDuration: permissionSet.sessionDuration } : {}),
    managedPolicies: permissionSet.managedPolicies,
    customerManagedPolicies: permissionSet.customerManagedPolicies.map(
      (reference) => `${reference.path}${reference.name}`,
    ),
    ...(permissionSet.inlinePolicy ? { inlinePolicy: permissionSet.inlinePolicy } : {}),
    ...(boundary
      ? {
          permissionsBoundary:
            boundary.kind === 'managed'
              ? boundary.managedPolicyArn
              : `${boundary.reference.path}${boundary.reference.name}`,
        }
      : {}),
  };
}

/** The path as one line: `Okta group "a" → IdC group "a" → permission set Admin → account prod (5555…)`. */
export function describePath(path: readonly PathStep[]): string {
  const label: Record<PathStep['kind'], string> = {
    'okta-user': 'Okta user',
    'okta-group': 'Okta group',
    'idc-user': 'IdC user',
    'idc-group': 'IdC group',
    'permission-set': 'permission set',
    'saml-provider': 'SAML provider',
    'iam-role': 'role',
    account: 'account',
  };
  return path
    .map((step) =>
      step.kind === 'account' && step.name !== step.id
        ? `account ${step.name} (${step.id})`
        : `${label[step.kind]} ${step.name}`,
    )
    .join(' → ');
}

const same = (a: string | undefined, b: string): boolean =>
  a !== undefined && a.toLowerCase() === b.toLowerCase();

function accountMatches(account: AccountRef, query: string): boolean {
  return (
    same(account.id, query) ||
    same(account.name, query) ||
    account.aliases.some((alias) => same(alias, query))
  );
}

function entitlementMatches(entitlement: Entitlement, filter: AccessFilter): boolean {
  if (filter.account !== undefined && !accountMatches(entitlement.account, filter.account)) {
    return false;
  }
  if (filter.permissionSet !== undefined) {
    const query = filter.permissionSet;
    const ok =
      entitlement.kind === 'saml-federation'
        ? same(entitlement.role.roleName, query) || same(entitlement.role.arn, query)
        : same(entitlement.permissionSet.name, query) ||
          same(entitlement.permissionSet.permissionSetArn, query);
    if (!ok) return false;
  }
  if (filter.group !== undefined) {
    const query = filter.group;
    if (entitlement.kind === 'user-assignment') return false;
    const ok =
      entitlement.kind === 'group-assignment'
        ? same(entitlement.idcGroup.displayName, query) ||
          same(entitlement.idcGroup.groupId, query) ||
          same(entitlement.oktaGroup?.name, query) ||
          same(entitlement.oktaGroup?.id, query)
        : same(entitlement.oktaGroup.name, query) || same(entitlement.oktaGroup.id, query);
    if (!ok) return false;
  }
  return true;
}

function userMatches(grant: AccessGrant, query: string, index: EntitlementIndex): boolean {
  const { user } = grant;
  const oktaUser = user.oktaUserId ? index.oktaUsers.get(user.oktaUserId) : undefined;
  const idcUser = user.idcUserId ? index.idcUsers.get(user.idcUserId) : undefined;
  return (
    same(user.oktaUserId, query) ||
    same(user.oktaLogin, query) ||
    same(oktaUser?.email, query) ||
    same(user.idcUserId, query) ||
    same(user.idcUserName, query) ||
    (idcUser?.emails ?? []).some((email) => same(email, query))
  );
}

function userFields(idcUser: IdcUser | undefined, oktaUser: OktaUser | undefined) {
  return {
    ...(oktaUser
      ? { oktaUserId: oktaUser.id, oktaLogin: oktaUser.login, oktaStatus: oktaUser.status }
      : {}),
    ...(idcUser ? { idcUserId: idcUser.userId, idcUserName: idcUser.userName } : {}),
  };
}

function accountStep(account: AccountRef): PathStep {
  return { kind: 'account', id: account.id, name: account.name ?? account.id };
}

/** Expands a group-level entitlement into one grant per member. */
function expand(entitlement: Entitlement, index: EntitlementIndex): AccessGrant[] {
  if (entitlement.kind === 'user-assignment') {
    const { idcUser, oktaUser, permissionSet, account } = entitlement;
    return [
      {
        kind: entitlement.kind,
        user: userFields(idcUser, oktaUser),
        account,
        permissionSet: { arn: permissionSet.permissionSetArn, name: permissionSet.name },
        path: [
          ...(oktaUser
            ? [{ kind: 'okta-user' as const, id: oktaUser.id, name: oktaUser.login }]
            : []),
          { kind: 'idc-user', id: idcUser.userId, name: idcUser.userName },
          { kind: 'permission-set', id: permissionSet.permissionSetArn, name: permissionSet.name },
          accountStep(account),
        ],
      },
    ];
  }
  if (entitlement.kind === 'group-assignment') {
    const { idcGroup, oktaGroup, permissionSet, account } = entitlement;
    return (index.idcMembers.get(idcGroup.groupId) ?? []).map((userId) => {
      const idcUser = index.idcUsers.get(userId);
      const oktaUser = index.oktaUserOfIdc.get(userId);
      return {
        kind: entitlement.kind,
        user: { ...userFields(idcUser, oktaUser), idcUserId: userId },
        account,
        permissionSet: { arn: permissionSet.permissionSetArn, name: permissionSet.name },
        group: {
          idcGroupId: idcGroup.groupId,
          idcGroupName: idcGroup.displayName,
          ...(oktaGroup ? { oktaGroupId: oktaGroup.id, oktaGroupName: oktaGroup.name } : {}),
        },
        path: [
          ...(oktaGroup
            ? [{ kind: 'okta-group' as const, id: oktaGroup.id, name: oktaGroup.name }]
            : []),
          { kind: 'idc-group', id: idcGroup.groupId, name: idcGroup.displayName },
          { kind: 'permission-set', id: permissionSet.permissionSetArn, name: permissionSet.name },
          accountStep(account),
        ],
      };
    });
  }
  const { oktaGroup, role, samlProviderArns, account } = entitlement;
  return (index.oktaMembers.get(oktaGroup.id) ?? []).map((userId) => {
    const oktaUser = index.oktaUsers.get(userId);
    return {
      kind: entitlement.kind,
      user: { ...userFields(undefined, oktaUser), oktaUserId: userId },
      account,
      role: { arn: role.arn, name: role.roleName },
      group: { oktaGroupId: oktaGroup.id, oktaGroupName: oktaGroup.name },
      path: [
        { kind: 'okta-group', id: oktaGroup.id, name: oktaGroup.name },
        ...samlProviderArns.map((arn) => ({
          kind: 'saml-provider' as const,
          id: arn,
          name: arn.slice(arn.indexOf(':saml-provider/') + 15),
        })),
        { kind: 'iam-role', id: role.arn, name: role.roleName },
        accountStep(account),
      ],
    };
  });
}

function sameSource(grant: AccessGrant, entitlement: Entitlement): boolean {
  if (grant.kind !== entitlement.kind || grant.account.id !== entitlement.account.id) return false;
  if (entitlement.kind === 'saml-federation') {
    return (
      grant.role?.arn === entitlement.role.arn &&
      grant.group?.oktaGroupId === entitlement.oktaGroup.id
    );
  }
  if (grant.permissionSet?.arn !== entitlement.permissionSet.permissionSetArn) return false;
  return entitlement.kind === 'group-assignment'
    ? grant.group?.idcGroupId === entitlement.idcGroup.groupId
    : grant.user.idcUserId === entitlement.idcUser.userId;
}

function userKey(grant: AccessGrant): string {
  return (
    grant.user.oktaLogin ??
    grant.user.idcUserName ??
    grant.user.idcUserId ??
    ''
  ).toLowerCase();
}

function compareGrants(a: AccessGrant, b: AccessGrant): number {
  return (
    userKey(a).localeCompare(userKey(b)) ||
    a.account.id.localeCompare(b.account.id) ||
    (a.permissionSet?.name ?? a.role?.name ?? '').localeCompare(
      b.permissionSet?.name ?? b.role?.name ?? '',
    ) ||
    a.kind.localeCompare(b.kind) ||
    describePath(a.path).localeCompare(describePath(b.path))
  );
}
