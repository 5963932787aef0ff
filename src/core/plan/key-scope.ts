/**
 * Pure helpers of serve's per-key reconciles, which plan from narrowed inputs: the Okta
 * principals of one key and the AWS state of their Identity Center principals only.
 *
 * Narrow inputs change two things the planner decides from the whole directory, and this module
 * restores both from what every Okta group contributes (cached from the last full read, with the
 * key's own groups read fresh):
 * - rule scope (accounts some rule selects, permission set names some rule yields), which decides
 *   whether an existing assignment is managed at all;
 * - whether an owned permission set is still wanted by any group, which decides whether its
 *   assignments are being retired.
 * Without them, a narrow plan would leave alone what a full plan deletes, or delete what a full
 * plan leaves alone.
 */
import type { OktaGroup } from '../domain/okta.js';
import type { OrganizationTree } from '../domain/organizations.js';
import { linkPrincipals } from '../linking/link-principals.js';
import type { SyncPolicy } from '../rules/compiled-rule.js';
import type { DesiredPermissionSet, DesiredState } from '../rules/desired-state.js';
import { computeDesiredState } from '../rules/desired-state.js';
import { matchGroup } from '../rules/match-group.js';
import type { Plan, PlanOperation } from './plan.js';

/** What one Okta group contributes to rule scope, whoever its members are. */
export interface GroupScope {
  readonly oktaGroupId: string;
  readonly name: string;
  /** Permission sets the rules derive from the group. */
  readonly permissionSetNames: readonly string[];
  /** Accounts the rules select for the group (eligible ones only). */
  readonly accounts: readonly string[];
  /** True when a USER-mode rule matches the group (its members get assignments). */
  readonly userMode: boolean;
  /** True when a GROUP-mode rule matches the group (its Identity Center group gets them). */
  readonly groupMode: boolean;
}

const NO_LINKS = linkPrincipals(
  { users: [], groups: [], memberships: [] },
  { users: [], groups: [] },
);

/**
 * The scope each group contributes, computed with the same rules compiler as a full plan (rule
 * matching and selectors do not depend on members or links). Groups no rule matches are absent.
 */
export function groupScopes(
  policy: SyncPolicy,
  groups: readonly OktaGroup[],
  organization: OrganizationTree,
): Map<string, GroupScope> {
  const desired = computeDesiredState(
    policy,
    { users: [], groups, memberships: [] },
    organization,
    NO_LINKS,
  );
  const names = new Map(groups.map((group) => [group.id as string, group.name]));
  const scopes = new Map<
    string,
    { names: Set<string>; accounts: Set<string>; userMode: boolean; groupMode: boolean }
  >();
  for (const target of desired.groupTargets) {
    let scope = scopes.get(target.oktaGroupId);
    if (!scope) {
      scope = { names: new Set(), accounts: new Set(), userMode: false, groupMode: false };
      scopes.set(target.oktaGroupId, scope);
    }
    scope.names.add(target.permissionSetName);
    for (const account of target.accounts) scope.accounts.add(account);
    if (target.mode === 'USER') scope.userMode = true;
    else scope.groupMode = true;
  }
  // A group matched by a rule whose permission set name is invalid yields no target; it is
  // still matched (its problems are reported by the full plan).
  const result = new Map<string, GroupScope>();
  for (const [oktaGroupId, scope] of scopes) {
    result.set(oktaGroupId, {
      oktaGroupId,
      name: names.get(oktaGroupId) ?? '',
      permissionSetNames: [...scope.names].sort(),
      accounts: [...scope.accounts].sort(),
      userMode: scope.userMode,
      groupMode: scope.groupMode,
    });
  }
  return result;
}

/** True when some rule's group matcher selects the group. */
export function matchedByAnyRule(policy: SyncPolicy, group: OktaGroup): boolean {
  return policy.rules.some((rule) => matchGroup(rule.groups, group) !== undefined);
}

/** True when two scopes of one group target the same permission sets in the same accounts. */
export function sameTargets(a: GroupScope | undefined, b: GroupScope | undefined): boolean {
  if (!a || !b) return a === b;
  const same = (x: readonly string[], y: readonly string[]): boolean =>
    x.length === y.length && x.every((value, index) => value === y[index]);
  return (
    same(a.permissionSetNames, b.permissionSetNames) &&
    same(a.accounts, b.accounts) &&
    a.userMode === b.userMode &&
    a.groupMode === b.groupMode
  );
}

/**
 * Desired state computed from a key's narrowed directory, widened with the scope of the groups
 * it did not read: their accounts and permission set names join the rule scope, and their
 * permission sets join the wanted ones without a definition (so nothing is created or updated
 * for them, and an owned one is not taken for retired). Assignments, pending principals, guards'
 * inputs and problems stay the narrowed ones.
 */
export function widenDesired(
  desired: DesiredState,
  otherGroups: Iterable<GroupScope>,
): DesiredState {
  const accounts = new Set(desired.scope.accounts);
  const names = new Set(desired.scope.permissionSetNames);
  const permissionSets = new Map<string, DesiredPermissionSet>(desired.permissionSets);
  let userMode = desired.scope.userMode;
  let groupMode = desired.scope.groupMode;
  for (const scope of otherGroups) {
    for (const account of scope.accounts) accounts.add(account);
    for (const name of scope.permissionSetNames) {
      names.add(name);
      if (!permissionSets.has(name)) {
        permissionSets.set(name, { name, template: undefined, definition: undefined, rules: [] });
      }
    }
    userMode ||= scope.userMode;
    groupMode ||= scope.groupMode;
  }
  return {
    ...desired,
    permissionSets,
    scope: {
      ...desired.scope,
      accounts,
      permissionSetNames: names,
      userMode,
      groupMode,
    },
  };
}

/**
 * The operations of a group key's narrowed plan: creates, updates and provisions of the
 * permission sets the group yields (now or before), and the assignments of the group's own
 * Identity Center group (GROUP mode). Its members' USER-mode assignments are left to their
 * `user:` keys, which see every group of the user and so decide each user's access exactly.
 * Deletes of assignments whose group the identity store no longer has are left out (AWS fails
 * them). Pending principals are narrowed to the group itself.
 */
export function scopeGroupPlan(
  plan: Plan,
  oktaGroupId: string,
  context: {
    readonly permissionSetNames: ReadonlySet<string>;
    readonly idcGroupIds: ReadonlySet<string>;
    readonly liveIdcGroupIds: ReadonlySet<string>;
  },
): Plan {
  const keep = (op: PlanOperation): boolean => {
    switch (op.kind) {
      case 'create-permission-set':
      case 'update-permission-set':
      case 'provision-permission-set':
        return context.permissionSetNames.has(op.name);
      case 'delete-permission-set':
        return false;
      case 'create-assignment':
        return op.principalType === 'GROUP' && context.idcGroupIds.has(op.principalId);
      case 'delete-assignment':
        return (
          op.principalType === 'GROUP' &&
          context.idcGroupIds.has(op.principalId) &&
          context.liveIdcGroupIds.has(op.principalId)
        );
    }
  };
  return narrowPlan(plan, plan.operations.filter(keep), oktaGroupId);
}

/** The plan with only `operations`, its summary and delete guard recomputed for them. */
export function narrowPlan(
  plan: Plan,
  operations: readonly PlanOperation[],
  oktaId?: string,
): Plan {
  const count = (kinds: readonly PlanOperation['kind'][]): number =>
    operations.filter((op) => kinds.includes(op.kind)).length;
  const deletes = count(['delete-assignment', 'delete-permission-set']);
  return {
    ...plan,
    operations: [...operations],
    pending: oktaId === undefined ? plan.pending : plan.pending.filter((p) => p.oktaId === oktaId),
    summary: {
      add: count(['create-permission-set', 'create-assignment']),
      change: count(['update-permission-set']),
      destroy: deletes,
      provision: count(['provision-permission-set']),
    },
    guards: {
      ...plan.guards,
      deletes,
      exceedsMaxDeletes: deletes > plan.guards.maxDeletes,
    },
  };
}
