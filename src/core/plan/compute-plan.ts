import type { PermissionSet, PermissionSetDefinition } from '../domain/identity-center.js';
import { OKTA_STATUSES_WITH_ACCESS } from '../domain/okta.js';
import {
  desiredAssignmentKey,
  splitAssignmentKey,
  type DesiredState,
} from '../rules/desired-state.js';
import type { ActualState } from './actual-state.js';
import { diffPermissionSet, needsProvision, planBoundary } from './diff-permission-set.js';
import {
  PLAN_VERSION,
  PLAN_WAVES,
  WAVE_OF_KIND,
  type BlockedDelete,
  type DeleteAssignmentOperation,
  type LeftAlone,
  type Plan,
  type PlanOperation,
  type PlanProblem,
  type Reason,
  type PlanPermissionSetDefinition,
} from './plan.js';

/** Options the caller brings from outside the two states. */
export interface PlanOptions {
  /**
   * Direct member counts per Okta group id at the previous run (from the store). A group the
   * rules match that had members then and reads empty now blocks the deletes it would cause.
   * Groups absent here are not guarded (nothing is known about them).
   */
  readonly previousMemberCounts?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /**
   * Confirms empty groups so their deletes go ahead: true for every group, or a list of Okta
   * group ids or names. Default: none confirmed.
   */
  readonly confirmEmptyGroups?: boolean | readonly string[];
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * AWS keeps assignments of a deleted principal, and deleting them FAILs asynchronously with a
 * 404; and a principal missing from a partial inventory must never read as deleted. Either way
 * the assignment is left alone and said so.
 */
const GONE =
  'principal is not in the identity store inventory (AWS fails deletes of assignments whose principal was deleted)';

/**
 * Computes the plan that turns `actual` into `desired`. Pure and deterministic: the same inputs
 * give a byte-equal plan (operations sorted by wave, then by key).
 *
 * Ownership: only permission sets tagged with the ownership tag are created, updated or deleted.
 * An assignment is touched only when its permission set is owned or named by a rule, its account
 * is eligible and in rule scope (or its owned permission set is being retired), and its principal
 * is one the rules consider: for users, when a rule assigns users and the user is linked to Okta
 * or was provisioned from an IdP (has an ExternalId: its Okta user was deleted); for groups, when
 * a GROUP-mode rule matches its Okta group, or it came from an IdP and a GROUP-mode rule exists.
 * Assignments of principals missing from the identity store are left alone (see GONE). Everything else is listed as unmanaged; protected accounts, permission
 * sets and principals are listed as protected. Creates always come before deletes; nothing is
 * ever replaced.
 */
export function computePlan(
  desired: DesiredState,
  actual: ActualState,
  options: PlanOptions = {},
): Plan {
  const { policy, links, accounts, protectedPrincipals } = desired;
  const ownership = policy.ownershipTag;
  const protectedSets = new Set(policy.safety.protected.permissionSets);
  const operations: PlanOperation[] = [];
  const unmanaged: LeftAlone[] = [];
  const protectedList: LeftAlone[] = [];
  const problems: PlanProblem[] = desired.problems.map((p) => ({ ...p }));

  const owned = (ps: PermissionSet): boolean => ps.tags[ownership.key] === ownership.value;
  const psByName = new Map<string, PermissionSet>();
  for (const ps of actual.permissionSets) {
    psByName.set(ps.name, ps);
  }
  const idcUsers = new Map(actual.users.map((u) => [u.userId as string, u]));
  const idcGroups = new Map(actual.groups.map((g) => [g.groupId as string, g]));
  const principalName = (type: 'USER' | 'GROUP', id: string): string =>
    (type === 'USER' ? idcUsers.get(id)?.userName : idcGroups.get(id)?.displayName) ?? id;

  for (const entry of desired.excludedAccounts) {
    if (entry.reason === 'protected') {
      protectedList.push({
        kind: 'account',
        accountId: entry.accountId,
        because: `protected by safety.protected.accounts (selected by ${entry.rules.join(', ')})`,
      });
    }
  }
  for (const grant of desired.protectedGrants) {
    protectedList.push({
      kind: 'principal',
      principalType: grant.principalType,
      principalId: grant.principalId,
      principalName: principalName(grant.principalType, grant.principalId),
      because: `protected by "${grant.protectedBy}"; rule ${grant.rule} would grant ${grant.permissionSetName} in ${grant.accounts} account(s)`,
    });
  }

  // ---- wave 1 and 2: create/update permission sets, then provision ---------------------------
  /** Names whose permission set cannot be used by assignments in this plan. */
  const unusable = new Map<string, string>();
  const desiredNames = [...desired.permissionSets.keys()].sort(byString);
  for (const name of desiredNames) {
    const want = desired.permissionSets.get(name);
    if (!want) continue;
    const have = psByName.get(name);
    if (protectedSets.has(name)) {
      protectedList.push({
        kind: 'permission-set',
        name,
        permissionSetArn: have?.permissionSetArn,
        because: 'protected by safety.protected.permissionSets: not created, changed or assigned',
      });
      unusable.set(name, 'protected');
      continue;
    }
    if (!have) {
      if (want.definition) {
        operations.push({
          kind: 'create-permission-set',
          key: `permission-set:${name}`,
          name,
          definition: sortedDefinition(want.definition),
          rules: [...want.rules],
        });
      } else {
        unusable.set(name, 'does not exist and no template defines it');
      }
      continue;
    }
    if (!owned(have)) {
      unmanaged.push({
        kind: 'permission-set',
        name,
        permissionSetArn: have.permissionSetArn,
        because: `exists without the ownership tag ${ownership.key}=${ownership.value}: its definition is left alone; its assignments are managed because rule ${want.rules.join(', ')} names it`,
      });
      continue;
    }
    if (!want.definition) continue;
    const changes = diffPermissionSet(want.definition, have);
    const provisionAll = changes.some(needsProvision);
    if (changes.length > 0) {
      operations.push({
        kind: 'update-permission-set',
        key: `permission-set:${name}`,
        name,
        permissionSetArn: have.permissionSetArn,
        changes,
        definition: sortedDefinition(want.definition),
      });
    }
    for (const target of have.provisionedTo) {
      const stale = target.status === 'LATEST_PERMISSION_SET_NOT_PROVISIONED';
      if (!provisionAll && !stale) continue;
      const exclusion = accounts.exclusionOf(target.accountId);
      if (exclusion === 'protected') {
        protectedList.push({
          kind: 'account',
          accountId: target.accountId,
          because: `protected: permission set ${name} is not re-provisioned there`,
        });
        continue;
      }
      if (exclusion !== undefined) {
        problems.push({
          kind: 'provision-skipped',
          message: `permission set ${name} is not re-provisioned to account ${target.accountId} (${exclusion})`,
        });
        continue;
      }
      operations.push({
        kind: 'provision-permission-set',
        key: `provision:${name}|${target.accountId}`,
        name,
        permissionSetArn: have.permissionSetArn,
        accountId: target.accountId,
        because: provisionAll ? 'updated' : 'not-latest',
      });
    }
  }

  // ---- assignments -----------------------------------------------------------------------------
  const scope = desired.scope;
  /**
   * Counters per permission set. Per-account counts are kept only for accounts where this plan
   * deletes, which is all the last-assignment risk needs; at a million assignments every avoided
   * string key and hash lookup counts.
   */
  interface PairCount {
    now: number;
    deletes: number;
    creates: number;
  }
  interface SetCount {
    readonly ps: PermissionSet;
    now: number;
    deletes: number;
    readonly pairs: Map<string, PairCount>;
  }
  const countsByArn = new Map<string, SetCount>();
  const countsByName = new Map<string, SetCount>();
  for (const ps of actual.permissionSets) {
    const counts: SetCount = { ps, now: 0, deletes: 0, pairs: new Map() };
    countsByArn.set(ps.permissionSetArn, counts);
    countsByName.set(ps.name, counts);
  }
  /** Desired keys that already exist, so they are not created. */
  const present = new Set<string>();
  const deletes: DeleteAssignmentOperation[] = [];

  const emptyGuard = emptySourceGuard(desired, options);

  for (const assignment of actual.assignments) {
    const arn = assignment.permissionSetArn;
    const counts = countsByArn.get(arn);
    const type = assignment.principalType;
    const id = assignment.principalId;
    if (!counts) {
      unmanaged.push(
        leftAloneAssignment(assignment, arn, 'its permission set is not in the inventory'),
      );
      continue;
    }
    counts.now += 1;
    const ps = counts.ps;
    const key = desiredAssignmentKey(assignment.accountId, ps.name, type, id);
    if (desired.assignments.has(key)) {
      present.add(key);
      continue;
    }

    const protection = protectionOf(assignment.accountId, ps.name, type, id);
    if (protection !== undefined) {
      protectedList.push(leftAloneAssignment(assignment, ps.name, protection));
      continue;
    }
    const notManaged = whyUnmanaged(assignment.accountId, ps, type, id);
    if (notManaged !== undefined) {
      unmanaged.push(leftAloneAssignment(assignment, ps.name, notManaged));
      continue;
    }
    const operation: DeleteAssignmentOperation = {
      kind: 'delete-assignment',
      key: `assignment:${key}`,
      accountId: assignment.accountId,
      permissionSetArn: arn,
      principalType: type,
      principalId: id,
      principalName: principalName(type, id),
      permissionSetName: ps.name,
      reason: deleteReason(ps.name, type, id),
      risks: [],
    };
    const blockedBy =
      type === 'USER' && emptyGuard.blockedPairs.size > 0
        ? emptyGuard.blockedPairs.get(`${assignment.accountId}|${ps.name}`)
        : undefined;
    if (blockedBy) {
      emptyGuard.blocked.push({
        operation,
        oktaGroupId: blockedBy.oktaGroupId,
        oktaGroupName: blockedBy.name,
      });
      continue;
    }
    deletes.push(operation);
    counts.deletes += 1;
    const pair = counts.pairs.get(assignment.accountId);
    if (pair) pair.deletes += 1;
    else counts.pairs.set(assignment.accountId, { now: 0, deletes: 1, creates: 0 });
  }
  if (deletes.length > 0) {
    for (const assignment of actual.assignments) {
      const counts = countsByArn.get(assignment.permissionSetArn);
      if (!counts || counts.pairs.size === 0) continue;
      const pair = counts.pairs.get(assignment.accountId);
      if (pair) pair.now += 1;
    }
  }

  const creates: PlanOperation[] = [];
  const skippedCreates = new Map<string, number>();
  for (const [key, reason] of desired.assignments) {
    if (present.has(key)) continue;
    const parts = splitAssignmentKey(key);
    const why = unusable.get(parts.permissionSetName);
    if (why !== undefined) {
      skippedCreates.set(
        parts.permissionSetName,
        (skippedCreates.get(parts.permissionSetName) ?? 0) + 1,
      );
      continue;
    }
    const counts = countsByName.get(parts.permissionSetName);
    if (counts && counts.pairs.size > 0) {
      const pair = counts.pairs.get(parts.accountId);
      if (pair) pair.creates += 1;
    }
    creates.push({
      kind: 'create-assignment',
      key: `assignment:${key}`,
      accountId: parts.accountId,
      permissionSetName: parts.permissionSetName,
      permissionSetArn: counts?.ps.permissionSetArn,
      principalType: parts.principalType,
      principalId: parts.principalId,
      principalName: principalName(parts.principalType, parts.principalId),
      reason,
    });
  }
  for (const [name, count] of [...skippedCreates].sort(([a], [b]) => byString(a, b))) {
    problems.push({
      kind: 'permission-set-unavailable',
      message: `${count} assignment(s) of permission set ${name} are not planned: it ${unusable.get(name) ?? ''}`,
    });
  }

  for (const operation of deletes) {
    const pair = countsByArn.get(operation.permissionSetArn)?.pairs.get(operation.accountId);
    const remaining = pair ? pair.now - pair.deletes + pair.creates : 1;
    operation.risks.push({
      kind: 'delete',
      message: `removes ${operation.principalType === 'USER' ? 'user' : 'group'} ${operation.principalName}'s access to ${operation.permissionSetName} in ${operation.accountId}; sessions already issued stay valid until they expire`,
    });
    if (remaining === 0) {
      operation.risks.push({
        kind: 'last-assignment',
        message: `last assignment of ${operation.permissionSetName} in ${operation.accountId}: AWS deletes the role AWSReservedSSO_${operation.permissionSetName}_* there, and a later re-assignment creates a new role ARN`,
      });
    }
  }

  // ---- wave 5: retire owned permission sets no rule wants ---------------------------------------
  for (const ps of [...actual.permissionSets].sort((a, b) => byString(a.name, b.name))) {
    if (desired.permissionSets.has(ps.name)) continue;
    if (!owned(ps)) {
      if (protectedSets.has(ps.name)) {
        protectedList.push({
          kind: 'permission-set',
          name: ps.name,
          permissionSetArn: ps.permissionSetArn,
          because: 'protected by safety.protected.permissionSets',
        });
      } else {
        unmanaged.push({
          kind: 'permission-set',
          name: ps.name,
          permissionSetArn: ps.permissionSetArn,
          because: `not owned (no ${ownership.key}=${ownership.value} tag)`,
        });
      }
      continue;
    }
    if (protectedSets.has(ps.name)) {
      protectedList.push({
        kind: 'permission-set',
        name: ps.name,
        permissionSetArn: ps.permissionSetArn,
        because: 'owned and no longer wanted, but protected by safety.protected.permissionSets',
      });
      continue;
    }
    const setCounts = countsByArn.get(ps.permissionSetArn);
    const remaining = setCounts ? setCounts.now - setCounts.deletes : 0;
    if (remaining > 0) {
      unmanaged.push({
        kind: 'permission-set',
        name: ps.name,
        permissionSetArn: ps.permissionSetArn,
        because: `owned and no longer wanted, but kept: ${remaining} assignment(s) this plan may not remove still use it`,
      });
      continue;
    }
    const provisionedTo = ps.provisionedTo.map((p) => p.accountId as string).sort(byString);
    operations.push({
      kind: 'delete-permission-set',
      key: `permission-set:${ps.name}`,
      name: ps.name,
      permissionSetArn: ps.permissionSetArn,
      provisionedTo,
      reason: {
        detail: `owned permission set ${ps.name} is no longer named by any rule for a current Okta group`,
      },
      risks: [
        {
          kind: 'delete',
          message: `deletes permission set ${ps.name}${provisionedTo.length > 0 ? ` and its AWSReservedSSO_${ps.name}_* roles in ${provisionedTo.length} account(s)` : ''}`,
        },
      ],
    });
  }

  // Each wave sorted on its own by key: a stable, total order without a comparator that looks
  // anything up (the sort runs on up to a million operations).
  const byKey = (a: { key: string }, b: { key: string }): number => byString(a.key, b.key);
  const waves = new Map<string, PlanOperation[]>(PLAN_WAVES.map((wave) => [wave, []]));
  for (const operation of operations) waves.get(WAVE_OF_KIND[operation.kind])?.push(operation);
  creates.sort(byKey);
  deletes.sort(byKey);
  const ordered: PlanOperation[] = [];
  for (const wave of PLAN_WAVES) {
    const list =
      wave === 'create-assignments'
        ? creates
        : wave === 'delete-assignments'
          ? deletes
          : (waves.get(wave) ?? []).sort(byKey);
    // A loop, not push(...list): spreading a million elements overflows the call stack.
    for (const operation of list) ordered.push(operation);
  }
  operations.length = 0;

  const counts = { add: 0, change: 0, destroy: 0, provision: 0 };
  for (const operation of ordered) {
    switch (operation.kind) {
      case 'create-permission-set':
      case 'create-assignment':
        counts.add += 1;
        break;
      case 'update-permission-set':
        counts.change += 1;
        break;
      case 'provision-permission-set':
        counts.provision += 1;
        break;
      case 'delete-assignment':
      case 'delete-permission-set':
        counts.destroy += 1;
        break;
    }
  }

  return {
    version: PLAN_VERSION,
    instanceArn: actual.instance.instanceArn,
    ownershipTag: { key: ownership.key, value: ownership.value },
    operations: ordered,
    pending: desired.pending.map((p) => ({ ...p, rules: [...p.rules] })),
    unmanaged: sortLeftAlone(unmanaged),
    protected: sortLeftAlone(protectedList),
    excludedAccounts: desired.excludedAccounts.map((e) => ({ ...e, rules: [...e.rules] })),
    problems,
    blockedDeletes: emptyGuard.blocked.sort((a, b) => byString(a.operation.key, b.operation.key)),
    guards: {
      maxDeletes: policy.safety.maxDeletes,
      deletes: counts.destroy,
      exceedsMaxDeletes: counts.destroy > policy.safety.maxDeletes,
      emptySourceGroups: emptyGuard.groups,
    },
    summary: counts,
  };

  function leftAloneAssignment(
    assignment: ActualState['assignments'][number],
    permissionSetName: string,
    because: string,
  ): LeftAlone {
    return {
      kind: 'assignment',
      accountId: assignment.accountId,
      permissionSetArn: assignment.permissionSetArn,
      principalType: assignment.principalType,
      principalId: assignment.principalId,
      principalName: principalName(assignment.principalType, assignment.principalId),
      permissionSetName,
      because,
    };
  }

  function protectionOf(
    accountId: string,
    psName: string,
    type: 'USER' | 'GROUP',
    id: string,
  ): string | undefined {
    if (accounts.exclusionOf(accountId) === 'protected') return 'account is protected';
    if (protectedSets.has(psName)) return 'permission set is protected';
    if (protectedPrincipals.empty) return undefined;
    const identifiers =
      type === 'USER'
        ? [id, idcUsers.get(id)?.userName, links.oktaUserOf(id)?.id, links.oktaUserOf(id)?.login]
        : [
            id,
            idcGroups.get(id)?.displayName,
            links.oktaGroupOf(id)?.id,
            links.oktaGroupOf(id)?.name,
          ];
    const entry = protectedPrincipals.match(identifiers);
    return entry === undefined ? undefined : `principal is protected by "${entry}"`;
  }

  function whyUnmanaged(
    accountId: string,
    ps: PermissionSet,
    type: 'USER' | 'GROUP',
    id: string,
  ): string | undefined {
    const isOwned = owned(ps);
    if (!isOwned && !scope.permissionSetNames.has(ps.name)) {
      return 'permission set is neither owned nor named by a rule';
    }
    const exclusion = accounts.exclusionOf(accountId);
    if (exclusion !== undefined) return `account is out of scope (${exclusion})`;
    const retiring = isOwned && !desired.permissionSets.has(ps.name);
    if (!retiring && !scope.accounts.has(accountId)) return 'account is not selected by any rule';
    if (type === 'USER') {
      if (!scope.userMode) return 'no rule assigns users';
      const user = idcUsers.get(id);
      if (!user) return GONE;
      if (!links.oktaUserOf(id) && user.externalIds.length === 0) {
        return 'user is local to Identity Center (no Okta link, no ExternalId)';
      }
      return undefined;
    }
    if (scope.groupIds.has(id)) return undefined;
    const group = idcGroups.get(id);
    const oktaGroup = links.oktaGroupOf(id);
    if (oktaGroup) return `Okta group ${oktaGroup.name} is not matched by a GROUP-mode rule`;
    if (!scope.groupMode) return 'no rule assigns groups';
    if (!group) return GONE;
    if (group.externalIds.length === 0) {
      return 'group is local to Identity Center (no Okta link, no ExternalId)';
    }
    return undefined;
  }

  function deleteReason(psName: string, type: 'USER' | 'GROUP', id: string): Reason {
    if (!desired.permissionSets.has(psName)) {
      return { detail: `no rule wants permission set ${psName} any more` };
    }
    if (type === 'USER') {
      const user = links.oktaUserOf(id);
      if (!user) {
        return { detail: 'the Identity Center user is linked to no Okta user (deleted in Okta?)' };
      }
      const base = { oktaUserId: user.id, oktaLogin: user.login };
      if (!OKTA_STATUSES_WITH_ACCESS.has(user.status)) {
        return { ...base, detail: `Okta user ${user.login} is ${user.status}` };
      }
      return {
        ...base,
        detail: `no rule grants ${psName} here to ${user.login} (not in a matching group)`,
      };
    }
    const group = links.oktaGroupOf(id);
    if (!group) {
      return { detail: 'the Identity Center group is linked to no Okta group (deleted in Okta?)' };
    }
    return {
      oktaGroupId: group.id,
      oktaGroupName: group.name,
      detail: `no rule assigns ${psName} here to Okta group ${group.name}`,
    };
  }
}

/** The definition with tags in key order, so plans are byte-stable. */
function sortedDefinition(definition: PermissionSetDefinition): PlanPermissionSetDefinition {
  const tags: Record<string, string> = {};
  for (const key of Object.keys(definition.tags).sort(byString)) {
    const value = definition.tags[key];
    if (value !== undefined) tags[key] = value;
  }
  // Built field by field in schema order, so a parsed plan re-serialises byte for byte.
  return {
    name: definition.name,
    description: definition.description,
    sessionDuration: definition.sessionDuration,
    relayState: definition.relayState,
    managedPolicies: [...definition.managedPolicies],
    customerManagedPolicies: definition.customerManagedPolicies.map((r) => ({
      name: r.name,
      path: r.path || '/',
    })),
    inlinePolicy: definition.inlinePolicy,
    permissionsBoundary: planBoundary(definition.permissionsBoundary),
    tags,
  };
}

function leftAloneKey(entry: LeftAlone): string {
  switch (entry.kind) {
    case 'permission-set':
      return `1|${entry.name}`;
    case 'assignment':
      return `2|${entry.accountId}|${entry.permissionSetName}|${entry.principalType}|${entry.principalId}`;
    case 'account':
      return `0|${entry.accountId}|${entry.because}`;
    case 'principal':
      return `3|${entry.principalType}|${entry.principalId}|${entry.because}`;
  }
}

function sortLeftAlone(entries: LeftAlone[]): LeftAlone[] {
  const keyed = entries.map((entry) => [leftAloneKey(entry), entry] as const);
  keyed.sort(([a], [b]) => byString(a, b));
  return keyed.map(([, entry]) => entry);
}

/**
 * The empty-source guard: a group the rules match that had members at the previous run and has
 * none now blocks the USER-mode deletes in the (account, permission set) pairs its rules target,
 * unless confirmed. An Okta outage or a filter mistake then cannot strip everyone's access.
 */
function emptySourceGuard(
  desired: DesiredState,
  options: PlanOptions,
): {
  readonly groups: Plan['guards']['emptySourceGroups'];
  readonly blockedPairs: ReadonlyMap<string, { oktaGroupId: string; name: string }>;
  readonly blocked: BlockedDelete[];
} {
  const previous = options.previousMemberCounts;
  const previousOf = (id: string): number | undefined =>
    previous === undefined
      ? undefined
      : previous instanceof Map
        ? (previous as ReadonlyMap<string, number>).get(id)
        : (previous as Readonly<Record<string, number>>)[id];
  const confirm = options.confirmEmptyGroups ?? false;
  const groups: Plan['guards']['emptySourceGroups'] = [];
  const guarded = new Map<string, { oktaGroupId: string; name: string }>();
  for (const group of desired.matchedGroups) {
    if (group.memberCount > 0) continue;
    const before = previousOf(group.oktaGroupId);
    if (before === undefined || before === 0) continue;
    const confirmed =
      confirm === true ||
      (Array.isArray(confirm) &&
        (confirm.includes(group.oktaGroupId) || confirm.includes(group.name)));
    groups.push({
      oktaGroupId: group.oktaGroupId,
      name: group.name,
      previousMemberCount: before,
      confirmed,
    });
    if (!confirmed)
      guarded.set(group.oktaGroupId, { oktaGroupId: group.oktaGroupId, name: group.name });
  }
  const blockedPairs = new Map<string, { oktaGroupId: string; name: string }>();
  if (guarded.size > 0) {
    for (const target of desired.groupTargets) {
      const group = guarded.get(target.oktaGroupId);
      if (!group || target.mode !== 'USER') continue;
      for (const account of target.accounts) {
        const pair = `${account}|${target.permissionSetName}`;
        if (!blockedPairs.has(pair)) blockedPairs.set(pair, group);
      }
    }
  }
  return { groups, blockedPairs, blocked: [] };
}
