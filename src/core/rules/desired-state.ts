import type { PermissionSetDefinition, PrincipalType } from '../domain/identity-center.js';
import { PermissionSetName, type AccountId } from '../domain/ids.js';
import { OKTA_STATUSES_WITH_ACCESS, type OktaDirectory, type OktaUser } from '../domain/okta.js';
import type { OrganizationTree } from '../domain/organizations.js';
import type { PrincipalLinks } from '../linking/link-principals.js';
import { AccountCatalog, type AccountExclusionReason } from './account-catalog.js';
import type { AssignMode, CompiledRule, SyncPolicy } from './compiled-rule.js';
import { matchGroup, substitute, type Captures } from './match-group.js';
import { ProtectedPrincipals } from './protected-principals.js';

/** Why an assignment is wanted: the rule, the Okta group it matched and, in USER mode, the user. */
export interface AssignmentReason {
  readonly rule: string;
  readonly oktaGroupId: string;
  readonly oktaGroupName: string;
  readonly oktaUserId?: string;
  readonly oktaLogin?: string;
}

/**
 * The canonical key of a desired or actual assignment, by permission set NAME (the ARN may not
 * exist yet): `accountId|permissionSetName|USER or GROUP|principalId`. No part can contain "|".
 */
export type DesiredAssignmentKey = string;

/** Builds a DesiredAssignmentKey. */
export function desiredAssignmentKey(
  accountId: string,
  permissionSetName: string,
  principalType: PrincipalType,
  principalId: string,
): DesiredAssignmentKey {
  return `${accountId}|${permissionSetName}|${principalType}|${principalId}`;
}

/** Splits a DesiredAssignmentKey back into its parts. */
export function splitAssignmentKey(key: DesiredAssignmentKey): {
  readonly accountId: string;
  readonly permissionSetName: string;
  readonly principalType: PrincipalType;
  readonly principalId: string;
} {
  const [accountId = '', permissionSetName = '', principalType, principalId = ''] = key.split('|');
  return {
    accountId,
    permissionSetName,
    principalType: principalType === 'GROUP' ? 'GROUP' : 'USER',
    principalId,
  };
}

/** A permission set the rules want. */
export interface DesiredPermissionSet {
  readonly name: string;
  /** The template key; undefined when no template defines it (it must then exist already). */
  readonly template: string | undefined;
  /** The full definition, ownership tag included; undefined without a template. */
  readonly definition: PermissionSetDefinition | undefined;
  /** Rules that yield it, in config order. */
  readonly rules: readonly string[];
}

/** An Okta principal the rules want to grant access to that Identity Center does not have yet. */
export interface PendingPrincipal {
  readonly kind: 'user' | 'group';
  readonly oktaId: string;
  /** Login for users, name for groups. */
  readonly name: string;
  readonly rules: readonly string[];
  /** How many assignments wait on it. */
  readonly assignments: number;
}

export const DesiredStateProblemKinds = [
  'invalid-permission-set-name',
  'missing-template',
  'conflicting-templates',
  'invalid-account-id',
] as const;
export type DesiredStateProblemKind = (typeof DesiredStateProblemKinds)[number];

/** Something in the rules that could not be honoured; reported, never thrown. */
export interface DesiredStateProblem {
  readonly kind: DesiredStateProblemKind;
  readonly rule: string;
  readonly oktaGroupId?: string;
  readonly oktaGroupName?: string;
  readonly message: string;
}

/** One rule applied to one matched Okta group: what it targets (for guards and scope). */
export interface GroupTarget {
  readonly rule: string;
  readonly mode: AssignMode;
  readonly oktaGroupId: string;
  readonly permissionSetName: string;
  readonly accounts: readonly AccountId[];
}

/** An Okta group some rule matched, with its current direct member count. */
export interface MatchedGroup {
  readonly oktaGroupId: string;
  readonly name: string;
  readonly rules: readonly string[];
  readonly memberCount: number;
}

/** A desired assignment that is not made because its principal is protected. */
export interface ProtectedGrant {
  readonly rule: string;
  readonly permissionSetName: string;
  readonly principalType: PrincipalType;
  readonly principalId: string;
  readonly protectedBy: string;
  readonly accounts: number;
}

/**
 * What the rules want, from current Okta data. Collections keyed by canonical strings so that the
 * planner diffs in O(n). Not JSON: the plan is the serialisable artefact.
 */
export interface DesiredState {
  readonly policy: SyncPolicy;
  readonly links: PrincipalLinks;
  readonly accounts: AccountCatalog;
  readonly protectedPrincipals: ProtectedPrincipals;
  /** By name. */
  readonly permissionSets: ReadonlyMap<string, DesiredPermissionSet>;
  /** Desired assignments with the first reason found (rules in config order, groups and users by id). */
  readonly assignments: ReadonlyMap<DesiredAssignmentKey, AssignmentReason>;
  /** Rule scope, for ownership decisions. */
  readonly scope: {
    /** Eligible accounts any rule selects. */
    readonly accounts: ReadonlySet<string>;
    /** Permission set names the rules name: every desired one plus literal names. */
    readonly permissionSetNames: ReadonlySet<string>;
    /** True when some rule assigns users. */
    readonly userMode: boolean;
    /** True when some rule assigns groups. */
    readonly groupMode: boolean;
    /** IdC group ids linked to Okta groups that GROUP-mode rules match. */
    readonly groupIds: ReadonlySet<string>;
  };
  readonly pending: readonly PendingPrincipal[];
  /** Accounts selectors named but that may not be touched, with the rules that named them. */
  readonly excludedAccounts: readonly {
    readonly accountId: string;
    readonly reason: AccountExclusionReason;
    readonly rules: readonly string[];
  }[];
  readonly problems: readonly DesiredStateProblem[];
  readonly protectedGrants: readonly ProtectedGrant[];
  readonly matchedGroups: readonly MatchedGroup[];
  readonly groupTargets: readonly GroupTarget[];
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Computes desired state: rules × Okta directory × organisation tree, through the principal links.
 *
 * - Rules apply in config order; groups and members are visited by id, so the first reason kept
 *   for an assignment is deterministic.
 * - Permission set names come from the rule's template with `{capture}` substituted; a name that
 *   is not a valid permission set name (1-32 of `[\w+=,.@-]`) is reported and skipped.
 * - USER mode grants every direct member whose status is in OKTA_STATUSES_WITH_ACCESS;
 *   deactivated and suspended users get nothing. Okta has no nested groups (group rules populate
 *   groups, they do not nest them), so membership is exactly the group's direct members.
 * - GROUP mode grants the Identity Center group pushed from the Okta group.
 * - Principals not yet in the identity store are reported as pending, never as errors.
 * - Protected principals are skipped and reported; protected, suspended, closing, closed and
 *   (unless allowed) management accounts are excluded by the account catalog and reported.
 */
export function computeDesiredState(
  policy: SyncPolicy,
  okta: OktaDirectory,
  organization: OrganizationTree,
  links: PrincipalLinks,
): DesiredState {
  const accounts = new AccountCatalog(organization, policy.safety);
  const protectedPrincipals = new ProtectedPrincipals(policy.safety.protected.principals);
  const ownership = policy.ownershipTag;

  const usersById = new Map<string, OktaUser>();
  for (const user of okta.users) usersById.set(user.id, user);
  const membersOf = new Map<string, OktaUser[]>();
  for (const membership of okta.memberships) {
    const user = usersById.get(membership.userId);
    if (!user) continue;
    const list = membersOf.get(membership.groupId);
    if (list) list.push(user);
    else membersOf.set(membership.groupId, [user]);
  }
  for (const list of membersOf.values()) list.sort((a, b) => byString(a.id, b.id));
  const groups = [...okta.groups].sort((a, b) => byString(a.id, b.id));

  const permissionSets = new Map<string, DesiredPermissionSet & { rules: string[] }>();
  const assignments = new Map<DesiredAssignmentKey, AssignmentReason>();
  const scopeAccounts = new Set<string>();
  const scopeNames = new Set<string>();
  const scopeGroupIds = new Set<string>();
  const pending = new Map<
    string,
    { kind: 'user' | 'group'; name: string; rules: Set<string>; n: number }
  >();
  const excluded = new Map<string, { reason: AccountExclusionReason; rules: Set<string> }>();
  const problems: DesiredStateProblem[] = [];
  const protectedGrants: ProtectedGrant[] = [];
  const matched = new Map<string, { name: string; rules: string[]; memberCount: number }>();
  const groupTargets: GroupTarget[] = [];
  /** `permissionSetName|account` pairs some USER-mode rule and group already targeted. */
  const targetedPairs = new Set<string>();
  let userMode = false;
  let groupMode = false;

  for (const rule of policy.rules) {
    if (rule.assign === 'USER') userMode = true;
    else groupMode = true;
    if (rule.permissionSet.placeholders.length === 0) scopeNames.add(rule.permissionSet.source);

    for (const group of groups) {
      const captures = matchGroup(rule.groups, group);
      if (!captures) continue;
      const members = membersOf.get(group.id) ?? [];
      const seen = matched.get(group.id);
      if (seen) seen.rules.push(rule.name);
      else
        matched.set(group.id, {
          name: group.name,
          rules: [rule.name],
          memberCount: members.length,
        });
      const problemAt = { rule: rule.name, oktaGroupId: group.id, oktaGroupName: group.name };

      const name = substitute(rule.permissionSet, captures);
      if (!name.ok) {
        problems.push({
          kind: 'invalid-permission-set-name',
          ...problemAt,
          message: `capture "${name.missing}" of group "${group.name}" is empty, so permission set "${rule.permissionSet.source}" has no name`,
        });
        continue;
      }
      const psName = name.value;
      if (!PermissionSetName.is(psName)) {
        problems.push({
          kind: 'invalid-permission-set-name',
          ...problemAt,
          message: `"${psName}" (from group "${group.name}") is not a valid permission set name: ${PermissionSetName.expected}`,
        });
        continue;
      }
      scopeNames.add(psName);
      const templateKey = rule.template ?? psName;
      const template = policy.templates[templateKey];
      const existing = permissionSets.get(psName);
      if (existing) {
        if (!existing.rules.includes(rule.name)) existing.rules.push(rule.name);
        if (template && existing.template !== templateKey) {
          problems.push({
            kind: 'conflicting-templates',
            ...problemAt,
            message: `permission set "${psName}" is built from template "${existing.template ?? '(none)'}" by rule "${existing.rules[0] ?? ''}"; template "${templateKey}" of rule "${rule.name}" is ignored`,
          });
        }
      } else {
        permissionSets.set(psName, {
          name: psName,
          template: template ? templateKey : undefined,
          definition: template
            ? {
                ...template,
                name: psName,
                tags: { ...template.tags, [ownership.key]: ownership.value },
              }
            : undefined,
          rules: [rule.name],
        });
        if (!template) {
          problems.push({
            kind: 'missing-template',
            ...problemAt,
            message: `no template "${templateKey}" defines permission set "${psName}"; it is used only if it already exists`,
          });
        }
      }

      const targetAccounts = resolveAccounts(rule, captures, problemAt);
      for (const account of targetAccounts) scopeAccounts.add(account);
      groupTargets.push({
        rule: rule.name,
        mode: rule.assign,
        oktaGroupId: group.id,
        permissionSetName: psName,
        accounts: targetAccounts,
      });
      if (targetAccounts.length === 0) continue;

      if (rule.assign === 'GROUP') {
        const idcGroup = links.idcGroupOf(group.id);
        if (!idcGroup) {
          addPending('group', group.id, group.name, rule.name, targetAccounts.length);
          continue;
        }
        const protectedBy = protectedPrincipals.match([
          group.id,
          group.name,
          idcGroup.groupId,
          idcGroup.displayName,
        ]);
        if (protectedBy !== undefined) {
          protectedGrants.push({
            rule: rule.name,
            permissionSetName: psName,
            principalType: 'GROUP',
            principalId: idcGroup.groupId,
            protectedBy,
            accounts: targetAccounts.length,
          });
          continue;
        }
        scopeGroupIds.add(idcGroup.groupId);
        const reason: AssignmentReason = {
          rule: rule.name,
          oktaGroupId: group.id,
          oktaGroupName: group.name,
        };
        for (const account of targetAccounts) {
          const key = desiredAssignmentKey(account, psName, 'GROUP', idcGroup.groupId);
          if (!assignments.has(key)) assignments.set(key, reason);
        }
        continue;
      }

      // A key can repeat only where an earlier rule or group targeted the same permission set in
      // the same account; elsewhere the has-check is skipped (it would double the map work).
      const fresh = targetAccounts.map((account) => {
        const pair = `${psName}|${account}`;
        if (targetedPairs.has(pair)) return false;
        targetedPairs.add(pair);
        return true;
      });
      for (const user of members) {
        if (!OKTA_STATUSES_WITH_ACCESS.has(user.status)) continue;
        const idcUser = links.idcUserOf(user.id);
        if (!idcUser) {
          addPending('user', user.id, user.login, rule.name, targetAccounts.length);
          continue;
        }
        if (!protectedPrincipals.empty) {
          const protectedBy = protectedPrincipals.match([
            user.id,
            user.login,
            idcUser.userId,
            idcUser.userName,
          ]);
          if (protectedBy !== undefined) {
            protectedGrants.push({
              rule: rule.name,
              permissionSetName: psName,
              principalType: 'USER',
              principalId: idcUser.userId,
              protectedBy,
              accounts: targetAccounts.length,
            });
            continue;
          }
        }
        const reason: AssignmentReason = {
          rule: rule.name,
          oktaGroupId: group.id,
          oktaGroupName: group.name,
          oktaUserId: user.id,
          oktaLogin: user.login,
        };
        const suffix = `|${psName}|USER|${idcUser.userId}`;
        for (let i = 0; i < targetAccounts.length; i += 1) {
          const key = `${targetAccounts[i] ?? ''}${suffix}`;
          if (fresh[i] === true || !assignments.has(key)) assignments.set(key, reason);
        }
      }
    }
  }

  function resolveAccounts(
    rule: CompiledRule,
    captures: Captures,
    problemAt: { rule: string; oktaGroupId: string; oktaGroupName: string },
  ): readonly AccountId[] {
    const union = new Set<AccountId>();
    for (const selector of rule.accounts) {
      const selection = accounts.select(selector, captures);
      for (const { accountId, reason } of selection.excluded) {
        const entry = excluded.get(accountId);
        if (entry) entry.rules.add(rule.name);
        else excluded.set(accountId, { reason, rules: new Set([rule.name]) });
      }
      for (const { template, problem } of selection.invalid) {
        problems.push({
          kind: 'invalid-account-id',
          ...problemAt,
          message: `account "${template}" for group "${problemAt.oktaGroupName}": ${problem}`,
        });
      }
      if (rule.accounts.length === 1) return selection.accounts;
      for (const account of selection.accounts) union.add(account);
    }
    return [...union].sort();
  }

  function addPending(
    kind: 'user' | 'group',
    oktaId: string,
    name: string,
    rule: string,
    count: number,
  ): void {
    const entry = pending.get(oktaId);
    if (entry) {
      entry.rules.add(rule);
      entry.n += count;
    } else {
      pending.set(oktaId, { kind, name, rules: new Set([rule]), n: count });
    }
  }

  return {
    policy,
    links,
    accounts,
    protectedPrincipals,
    permissionSets,
    assignments,
    scope: {
      accounts: scopeAccounts,
      permissionSetNames: scopeNames,
      userMode,
      groupMode,
      groupIds: scopeGroupIds,
    },
    pending: [...pending]
      .sort(([a], [b]) => byString(a, b))
      .map(([oktaId, p]) => ({
        kind: p.kind,
        oktaId,
        name: p.name,
        rules: [...p.rules],
        assignments: p.n,
      })),
    excludedAccounts: [...excluded]
      .sort(([a], [b]) => byString(a, b))
      .map(([accountId, e]) => ({ accountId, reason: e.reason, rules: [...e.rules] })),
    problems,
    protectedGrants,
    matchedGroups: [...matched]
      .sort(([a], [b]) => byString(a, b))
      .map(([oktaGroupId, m]) => ({ oktaGroupId, ...m })),
    groupTargets,
  };
}
