/**
 * Fixture builders for pure-core tests: whole states built in memory, no file system. Ids are
 * derived from small numbers so tests read as "user 3 in group 2" and stay deterministic; every
 * builder returns values that pass the real id validators.
 */
import type {
  AccountAssignment,
  IdcGroup,
  IdcUser,
  PermissionSet,
  ProvisioningStatus,
} from '../domain/identity-center.js';
import {
  AccountId,
  IdcGroupId,
  IdcUserId,
  IdentityStoreId,
  InstanceArn,
  ManagedPolicyArn,
  OktaGroupId,
  OktaUserId,
  OrganizationalUnitId,
  OrganizationId,
  PermissionSetArn,
  RootId,
} from '../domain/ids.js';
import type { OktaDirectory, OktaGroup, OktaMembership, OktaUser } from '../domain/okta.js';
import type {
  Account,
  AccountStatus,
  OrganizationalUnit,
  OrganizationTree,
  Tags,
} from '../domain/organizations.js';
import { linkPrincipals } from '../linking/link-principals.js';
import type { ActualState } from '../plan/actual-state.js';
import { computePlan, type PlanOptions } from '../plan/compute-plan.js';
import { narrowPlan } from '../plan/key-scope.js';
import { PLAN_VERSION, type Plan, type PlanOperation } from '../plan/plan.js';
import {
  DEFAULT_OWNERSHIP_TAG,
  type AccountSelector,
  type AssignMode,
  type CaptureTemplate,
  type CompiledRule,
  type GroupMatcher,
  type PermissionSetTemplate,
  type SafetySettings,
  type SyncPolicy,
} from '../rules/compiled-rule.js';
import { computeDesiredState, type DesiredState } from '../rules/desired-state.js';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `00u` followed by 17 digits: a valid 20-character Okta user id. */
export const oktaUserIdOf = (n: number): OktaUserId => OktaUserId.parse(`00u${pad(n, 17)}`);
/** `00g` followed by 17 digits: a valid 20-character Okta group id. */
export const oktaGroupIdOf = (n: number): OktaGroupId => OktaGroupId.parse(`00g${pad(n, 17)}`);
/** A UUID-shaped identity-store user id ending in n. */
export const idcUserIdOf = (n: number): IdcUserId =>
  IdcUserId.parse(`9067${pad(0, 4)}-0000-4000-8000-${pad(n, 12)}`);
/** A UUID-shaped identity-store group id ending in n (distinct from user ids). */
export const idcGroupIdOf = (n: number): IdcGroupId =>
  IdcGroupId.parse(`9067${pad(0, 4)}-1111-4000-8000-${pad(n, 12)}`);
/** The twelve-digit account id 1000000000nn. */
export const accountIdOf = (n: number): AccountId => AccountId.parse(`1${pad(n, 11)}`);
/** An OU id `ou-ab12-000000nn`. */
export const ouIdOf = (n: number): OrganizationalUnitId =>
  OrganizationalUnitId.parse(`ou-ab12-${pad(n, 8)}`);

export function oktaUser(n: number, overrides: Partial<OktaUser> = {}): OktaUser {
  return {
    id: oktaUserIdOf(n),
    login: `user${n}@example.com`,
    email: `user${n}@example.com`,
    status: 'ACTIVE',
    ...overrides,
  };
}

export function oktaGroup(n: number, overrides: Partial<OktaGroup> = {}): OktaGroup {
  return { id: oktaGroupIdOf(n), name: `group-${n}`, type: 'OKTA_GROUP', ...overrides };
}

/**
 * An Okta directory. `members` maps a group to its users; groups and users are given as built
 * values so overrides (names, statuses) stay visible in the test.
 */
export function oktaDirectory(input: {
  readonly users?: readonly OktaUser[];
  readonly groups?: readonly OktaGroup[];
  readonly members?: readonly (readonly [OktaGroup, readonly OktaUser[]])[];
}): OktaDirectory {
  const memberships: OktaMembership[] = [];
  for (const [group, users] of input.members ?? []) {
    for (const user of users) memberships.push({ groupId: group.id, userId: user.id });
  }
  return { users: input.users ?? [], groups: input.groups ?? [], memberships };
}

/**
 * The IdC user SCIM would create for an Okta user: ExternalId = Okta id, userName = login.
 * `externalId: false` leaves the ExternalId out (a user created before externalId mapping).
 */
export function idcUserFor(
  user: OktaUser,
  n: number,
  options: { readonly externalId?: boolean; readonly userName?: string } = {},
): IdcUser {
  return {
    userId: idcUserIdOf(n),
    userName: options.userName ?? user.login,
    emails: user.email ? [user.email] : [],
    externalIds: options.externalId === false ? [] : [{ issuer: 'okta', id: user.id }],
  };
}

/** The IdC group a push would create for an Okta group; see idcUserFor for options. */
export function idcGroupFor(
  group: OktaGroup,
  n: number,
  options: { readonly externalId?: boolean; readonly displayName?: string } = {},
): IdcGroup {
  return {
    groupId: idcGroupIdOf(n),
    displayName: options.displayName ?? group.name,
    externalIds: options.externalId === false ? [] : [{ issuer: 'okta', id: group.id }],
  };
}

/** An IdC user with no Okta counterpart. */
export function idcUser(n: number, userName = `local${n}@example.com`): IdcUser {
  return { userId: idcUserIdOf(n), userName, emails: [], externalIds: [] };
}

/** An IdC group with no Okta counterpart. */
export function idcGroup(n: number, displayName = `local-group-${n}`): IdcGroup {
  return { groupId: idcGroupIdOf(n), displayName, externalIds: [] };
}

// ---- organisation ------------------------------------------------------------------------------

export const ORGANIZATION_ID = OrganizationId.parse('o-abcdefghij');
export const ROOT_ID = RootId.parse('r-ab12');
export const INSTANCE_ARN = InstanceArn.parse('arn:aws:sso:::instance/ssoins-0123456789abcdef');
export const IDENTITY_STORE_ID = IdentityStoreId.parse('d-9067000000');

/** Permission set ARN number n in the fixture instance. */
export const permissionSetArnOf = (n: number): PermissionSetArn =>
  PermissionSetArn.parse(`arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-${pad(n, 16)}`);

export interface AccountSpec {
  readonly n: number;
  /** The OU number it sits in directly; the root when absent. */
  readonly ou?: number;
  readonly status?: AccountStatus;
  readonly tags?: Tags;
  readonly name?: string;
}

/**
 * An organisation tree from a compact spec: OUs as `{ n, parent? }` (parent another OU number,
 * the root when absent) and accounts as AccountSpec. Account 0 is the management account unless
 * `management` says otherwise.
 */
export function organizationTree(spec: {
  readonly ous?: readonly {
    readonly n: number;
    readonly parent?: number;
    readonly name?: string;
  }[];
  readonly accounts: readonly AccountSpec[];
  readonly management?: number;
}): OrganizationTree {
  const ous = spec.ous ?? [];
  const parentOf = new Map(ous.map((o) => [o.n, o.parent]));
  const pathTo = (ou: number | undefined): (RootId | OrganizationalUnitId)[] => {
    const path: (RootId | OrganizationalUnitId)[] = [];
    for (let at = ou; at !== undefined; at = parentOf.get(at)) path.unshift(ouIdOf(at));
    return [ROOT_ID, ...path];
  };
  const organizationalUnits: OrganizationalUnit[] = ous.map((o) => ({
    id: ouIdOf(o.n),
    name: o.name ?? `ou-${o.n}`,
    parentId: o.parent === undefined ? ROOT_ID : ouIdOf(o.parent),
  }));
  const accounts: Account[] = spec.accounts.map((a) => ({
    id: accountIdOf(a.n),
    name: a.name ?? `account-${a.n}`,
    email: `aws+${a.n}@example.com`,
    status: a.status ?? 'ACTIVE',
    tags: a.tags ?? {},
    parentPath: pathTo(a.ou),
  }));
  return {
    organization: {
      id: ORGANIZATION_ID,
      managementAccountId: accountIdOf(spec.management ?? 0),
      root: { id: ROOT_ID, name: 'Root' },
    },
    organizationalUnits,
    accounts,
  };
}

// ---- rules and policy --------------------------------------------------------------------------

/** A capture template from its source, placeholders found as config would. */
export function captureTemplate(source: string): CaptureTemplate {
  return {
    source,
    placeholders: [...source.matchAll(/\{([A-Za-z_$][\w$]*)\}/g)].map((m) => m[1] ?? ''),
  };
}

export const selectIds = (...ids: readonly (string | number)[]): AccountSelector => ({
  kind: 'ids',
  ids: ids.map((id) => captureTemplate(typeof id === 'number' ? accountIdOf(id) : id)),
});
export const selectOu = (ou: number, recursive = true): AccountSelector => ({
  kind: 'ou',
  ou: ouIdOf(ou),
  recursive,
});
export const selectTags = (tags: Tags): AccountSelector => ({ kind: 'tags', tags });
export const selectAll: AccountSelector = { kind: 'all' };

/** A compiled rule; `groups` is a list of names, `{ ids }` or a RegExp with named captures. */
export function rule(
  name: string,
  spec: {
    readonly groups: readonly string[] | { readonly ids: readonly string[] } | RegExp;
    readonly permissionSet: string;
    readonly template?: string;
    readonly accounts: readonly AccountSelector[];
    readonly assign?: AssignMode;
  },
): CompiledRule {
  const groups: GroupMatcher =
    spec.groups instanceof RegExp
      ? {
          kind: 'pattern',
          pattern: spec.groups,
          captureNames: [...spec.groups.source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map(
            (m) => m[1] ?? '',
          ),
        }
      : 'ids' in spec.groups
        ? { kind: 'ids', ids: spec.groups.ids }
        : { kind: 'names', names: spec.groups };
  return {
    name,
    groups,
    permissionSet: captureTemplate(spec.permissionSet),
    template: spec.template,
    accounts: spec.accounts,
    assign: spec.assign ?? 'USER',
  };
}

/** A permission-set template with empty policy lists unless given. */
export function psTemplate(overrides: Partial<PermissionSetTemplate> = {}): PermissionSetTemplate {
  return { managedPolicies: [], customerManagedPolicies: [], tags: {}, ...overrides };
}

export const READ_ONLY_POLICY = ManagedPolicyArn.parse('arn:aws:iam::aws:policy/ReadOnlyAccess');
export const ADMIN_POLICY = ManagedPolicyArn.parse('arn:aws:iam::aws:policy/AdministratorAccess');

/** A sync policy; safety defaults: maxDeletes 25, nothing protected, no management account. */
export function syncPolicy(spec: {
  readonly rules: readonly CompiledRule[];
  readonly templates?: Readonly<Record<string, PermissionSetTemplate>>;
  readonly safety?: Partial<Omit<SafetySettings, 'protected'>> & {
    readonly protected?: Partial<SafetySettings['protected']>;
  };
}): SyncPolicy {
  return {
    rules: spec.rules,
    templates: spec.templates ?? {},
    safety: {
      maxDeletes: spec.safety?.maxDeletes ?? 25,
      allowManagementAccount: spec.safety?.allowManagementAccount ?? false,
      protected: {
        accounts: spec.safety?.protected?.accounts ?? [],
        permissionSets: spec.safety?.protected?.permissionSets ?? [],
        principals: spec.safety?.protected?.principals ?? [],
      },
    },
    ownershipTag: DEFAULT_OWNERSHIP_TAG,
  };
}

// ---- actual state ------------------------------------------------------------------------------

export const OWNED_TAGS: Tags = { [DEFAULT_OWNERSHIP_TAG.key]: DEFAULT_OWNERSHIP_TAG.value };

/**
 * A permission set as AWS would describe it: number n, a name, a definition from a template,
 * owned (ownership tag added) unless `owned: false`, provisioned to the given account numbers.
 */
export function permissionSet(
  n: number,
  name: string,
  template: PermissionSetTemplate = psTemplate(),
  options: {
    readonly owned?: boolean;
    readonly provisionedTo?: readonly (number | readonly [number, ProvisioningStatus])[];
  } = {},
): PermissionSet {
  return {
    ...template,
    name,
    permissionSetArn: permissionSetArnOf(n),
    tags: options.owned === false ? template.tags : { ...template.tags, ...OWNED_TAGS },
    provisionedTo: (options.provisionedTo ?? []).map((p) =>
      typeof p === 'number'
        ? { accountId: accountIdOf(p), status: 'LATEST_PERMISSION_SET_PROVISIONED' as const }
        : { accountId: accountIdOf(p[0]), status: p[1] },
    ),
  };
}

/** An account assignment in the fixture instance. */
export function assignment(
  account: number,
  ps: PermissionSet,
  principal: IdcUser | IdcGroup,
): AccountAssignment {
  return 'userId' in principal
    ? {
        instanceArn: INSTANCE_ARN,
        accountId: accountIdOf(account),
        permissionSetArn: ps.permissionSetArn,
        principalType: 'USER',
        principalId: principal.userId,
      }
    : {
        instanceArn: INSTANCE_ARN,
        accountId: accountIdOf(account),
        permissionSetArn: ps.permissionSetArn,
        principalType: 'GROUP',
        principalId: principal.groupId,
      };
}

export function actualState(spec: {
  readonly organization: OrganizationTree;
  readonly permissionSets?: readonly PermissionSet[];
  readonly assignments?: readonly AccountAssignment[];
  readonly users?: readonly IdcUser[];
  readonly groups?: readonly IdcGroup[];
}): ActualState {
  return {
    instance: { instanceArn: INSTANCE_ARN, identityStoreId: IDENTITY_STORE_ID, status: 'ACTIVE' },
    organization: spec.organization,
    permissionSets: spec.permissionSets ?? [],
    assignments: spec.assignments ?? [],
    users: spec.users ?? [],
    groups: spec.groups ?? [],
  };
}

/** Links, desired state and plan in one call, as the application will do it. */
export function planOf(
  policy: SyncPolicy,
  okta: OktaDirectory,
  actual: ActualState,
  options: PlanOptions = {},
): { readonly desired: DesiredState; readonly plan: Plan } {
  const links = linkPrincipals(okta, { users: actual.users, groups: actual.groups });
  const desired = computeDesiredState(policy, okta, actual.organization, links);
  return { desired, plan: computePlan(desired, actual, options) };
}

/**
 * A plan of exactly `operations`, not planned: nothing pending, unmanaged or protected, and the
 * summary and delete guard counted from the operations. For tests (and benchmarks) of what
 * consumes plans: the executor, saved-plan checks, the plan-file loader.
 */
export function planOfOperations(
  instanceArn: string,
  operations: readonly PlanOperation[],
  maxDeletes = 25,
): Plan {
  const empty: Plan = {
    version: PLAN_VERSION,
    instanceArn,
    ownershipTag: DEFAULT_OWNERSHIP_TAG,
    operations: [],
    pending: [],
    unmanaged: [],
    protected: [],
    excludedAccounts: [],
    problems: [],
    blockedDeletes: [],
    guards: { maxDeletes, deletes: 0, exceedsMaxDeletes: false, emptySourceGroups: [] },
    summary: { add: 0, change: 0, destroy: 0, provision: 0 },
  };
  return narrowPlan(empty, operations);
}
