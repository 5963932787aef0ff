/**
 * The cheap read path of serve's per-key reconciles (issue #7, item 5): re-read Okta for the key,
 * read only that key's Identity Center principal, its assignments (ListAccountAssignmentsForPrincipal)
 * and the permission sets involved, then compute desired state and the plan with the same rules
 * compiler and planner as `plan`, on inputs narrowed to the key (src/core/plan/key-scope.ts says
 * what narrowing changes and how it is restored).
 *
 * - `user:<id>`: the user (status), the user's groups, the user's IdC user (by ExternalId, then
 *   by userName as linking does), its assignments, and the permission sets those involve. The
 *   plan decides the user's access exactly: every group of the user is read.
 * - `group:<id>`: the group (exists? name?) and its members, its IdC group (GROUP mode), that
 *   group's assignments, and the permission sets the rules derive from the group. Members whose
 *   access may have changed (joined or left since last seen, or every member when the group's
 *   targets changed) are handed to their own `user:` keys.
 *
 * Rare structural changes take the full path instead: a permission set to retire (no group
 * yields it any more), which needs every assignment of it.
 */
import type { IdcGroup, IdcUser, PermissionSet } from '../../core/domain/identity-center.js';
import type { OktaGroupId, OktaUserId, PermissionSetArn } from '../../core/domain/ids.js';
import type { OktaDirectory, OktaGroup, OktaUser } from '../../core/domain/okta.js';
import { userKey } from '../../core/events/reconcile-key.js';
import { linkPrincipals } from '../../core/linking/link-principals.js';
import type { ActualState } from '../../core/plan/actual-state.js';
import { computePlan } from '../../core/plan/compute-plan.js';
import {
  groupScopes,
  matchedByAnyRule,
  sameTargets,
  scopeGroupPlan,
  widenDesired,
} from '../../core/plan/key-scope.js';
import type { Plan, PlanOperation } from '../../core/plan/plan.js';
import type { SyncPolicy } from '../../core/rules/compiled-rule.js';
import type { DesiredState } from '../../core/rules/desired-state.js';
import { computeDesiredState } from '../../core/rules/desired-state.js';
import type { IdentityCenterReader, PrincipalLookup } from '../../ports/aws-readers.js';
import type { OktaPrincipalReader } from '../../ports/okta-directory.js';
import type { Store } from '../../ports/store.js';
import type { KeyReadCache, KeyReadSnapshot } from './key-read-cache.js';
import { scopePlan } from './scope-plan.js';

export interface KeyPlanDeps {
  readonly policy: SyncPolicy;
  readonly identityCenter: IdentityCenterReader;
  readonly okta: OktaPrincipalReader;
  readonly store: Store;
  readonly cache: KeyReadCache;
  /** Epoch ms, for how fresh the cached ownership tags and principals are. */
  readonly now: () => number;
  /**
   * Whether the key may take its user's IdC user from the cache (USER_LINK_FRESH_MS). False on a
   * retry: an attempt that failed or waited may have failed because the link went stale.
   */
  readonly reuseLinks?: boolean;
}

/**
 * How old the tags (ownership) of a permission set a user key writes to may be before the key
 * reads them again. A burst of keys writing to one set confirms its ownership once per window,
 * not once per key; the tags a full read or a key read are as fresh as that read.
 */
export const OWNERSHIP_FRESH_MS = 5_000;

/**
 * How long a user key trusts the IdC user an Okta user was last resolved to (by a full read or a
 * key). The link changes only when SCIM deletes and re-creates the IdC user; a write to a stale
 * one fails, and the retry resolves afresh. A burst of changes to one user resolves it once.
 */
export const USER_LINK_FRESH_MS = 30_000;

/**
 * How old a permission set read whole (definition, tags, provisioning) may be for a `group:` key
 * to plan with it instead of reading it again; as old as the tags a user key trusts. A burst of
 * membership changes to one group then reads its permission set once per window, not once per
 * group key. Any permission set write by a key voids every such read; drift made outside is seen
 * by the first group key after the window, or the periodic full reconcile.
 */
export const PERMISSION_SET_FRESH_MS = OWNERSHIP_FRESH_MS;

/** A key's narrowed plan, ready for the guards and the executor. */
export interface KeyPlan {
  readonly kind: 'planned';
  /** The plan of the narrowed inputs, before scoping to the key. */
  readonly narrowPlan: Plan;
  /** The operations to apply for the key. */
  readonly scoped: Plan;
  readonly desired: DesiredState;
  /** Other keys to queue (members of a group whose access may have changed). */
  readonly keysToQueue: readonly string[];
  /** Store writes after the apply: what the Okta cache should remember of the key's groups. */
  remember(): Promise<void>;
}

export type KeyPlanOutcome = KeyPlan | { readonly kind: 'needs-full'; readonly reason: string };

/** Plans one `user:` key from narrowed reads. */
export async function planUserKey(
  deps: KeyPlanDeps,
  snapshot: KeyReadSnapshot,
  oktaUserId: string,
): Promise<KeyPlanOutcome> {
  const { policy, okta, store } = deps;
  const [user, groupsNow, previousGroupIds] = await Promise.all([
    okta.readUser(oktaUserId),
    okta.readUserGroups(oktaUserId),
    store.listUserGroups(oktaUserId as OktaUserId),
  ]);
  const groups = user ? groupsNow : [];
  const current = new Set<string>(groups.map((group) => group.id));
  // Groups the user left. One of them that now reads empty is kept in the inputs (with no
  // members) so that the empty-source guard sees it, exactly as a full plan would.
  const left = previousGroupIds.filter((id) => !current.has(id));
  const guardedGroups: OktaGroup[] = [];
  const leftForGood: string[] = [];
  for (const id of left) {
    const group = await okta.readGroup(id);
    if (group && matchedByAnyRule(policy, group) && !(await okta.groupHasMembers(id))) {
      guardedGroups.push(group);
    } else {
      leftForGood.push(id);
    }
  }
  const directory: OktaDirectory = {
    users: user ? [user] : [],
    groups: [...groups, ...guardedGroups],
    memberships: groups.map((group) => ({ groupId: group.id, userId: oktaUserId as OktaUserId })),
  };
  const idcUser = await resolveUser(deps, snapshot, oktaUserId, user);
  const links = linkPrincipals(directory, { users: idcUser ? [idcUser] : [], groups: [] });
  const narrowDesired = computeDesiredState(policy, directory, snapshot.organization, links);
  const fresh = groupScopes(policy, groups, snapshot.organization);
  const readIds = new Set<string>([...current, ...guardedGroups.map((g) => g.id)]);
  const desired = widenDesired(
    narrowDesired,
    [...snapshot.groupScopes.values()].filter((scope) => !readIds.has(scope.oktaGroupId)),
  );
  const assignments = idcUser
    ? (
        await deps.identityCenter.readAssignmentsForPrincipals(snapshot.instance, [
          { principalType: 'USER', principalId: idcUser.userId },
        ])
      ).filter((a) => a.principalType === 'USER' && a.principalId === idcUser.userId)
    : [];
  const cachedPermissionSets = await readPermissionSets(
    deps,
    snapshot,
    [...narrowDesired.permissionSets.keys()],
    assignments.map((a) => a.permissionSetArn),
    'cached-ownership',
  );
  const previousMemberCounts = await memberCounts(store, guardedGroups);
  const planWith = (permissionSets: PermissionSet[]) => {
    const actual: ActualState = {
      instance: snapshot.instance,
      permissionSets,
      assignments,
      users: idcUser ? [idcUser] : [],
      groups: [],
      organization: snapshot.organization,
    };
    const narrowPlan = computePlan(desired, actual, { previousMemberCounts });
    const scoped = scopePlan(narrowPlan, { kind: 'user', id: oktaUserId }, { desired, actual });
    return { narrowPlan, scoped };
  };
  // Ownership decides what may be written, so it is confirmed fresh, but only for the
  // permission sets the plan would write to: most of a user's permission sets see no change,
  // and reading their tags on every key was most of serve's sso-admin calls. A set the cache
  // takes for unowned that has since been tagged as ours is picked up by the next full read.
  let { narrowPlan, scoped } = planWith(cachedPermissionSets);
  const written = writtenPermissionSetArns(scoped);
  if (written.size > 0) {
    const confirmed = await confirmOwnership(deps, snapshot, cachedPermissionSets, written);
    if (confirmed.changed) ({ narrowPlan, scoped } = planWith(confirmed.permissionSets));
  }
  return {
    kind: 'planned',
    narrowPlan,
    scoped,
    desired,
    keysToQueue: [],
    async remember() {
      for (const group of groups) deps.cache.updateGroup(group.id, fresh.get(group.id));
      const matched = groups.filter((group) => fresh.has(group.id));
      // Only memberships that changed: most user keys change none, and the cached bodies of
      // groups already remembered are kept fresh by their group keys and full reads.
      const remembered = new Set<string>(previousGroupIds);
      const joined = user ? matched.filter((group) => !remembered.has(group.id)) : [];
      if (joined.length === 0 && leftForGood.length === 0) return;
      // Leaving one group (the common change) is one statement and needs no transaction.
      if (joined.length === 0 && leftForGood.length === 1) {
        await store.removeGroupMember(leftForGood[0] as OktaGroupId, oktaUserId as OktaUserId);
        return;
      }
      await store.transaction(async (tx) => {
        if (user && joined.length > 0) {
          await tx.putOktaUsers([user]);
          await tx.putOktaGroups(joined);
          for (const group of joined) await tx.addGroupMember(group.id, user.id);
        }
        // A group that reads empty keeps its remembered members, so the guard keeps holding.
        for (const id of leftForGood) {
          await tx.removeGroupMember(id as OktaGroupId, oktaUserId as OktaUserId);
        }
      });
    },
  };
}

/** Plans one `group:` key from narrowed reads. */
export async function planGroupKey(
  deps: KeyPlanDeps,
  snapshot: KeyReadSnapshot,
  oktaGroupId: string,
): Promise<KeyPlanOutcome> {
  const { policy, okta, store } = deps;
  const [group, members, cached, rememberedMembers] = await Promise.all([
    okta.readGroup(oktaGroupId),
    okta.readGroupMembers(oktaGroupId),
    store.getOktaGroup(oktaGroupId as OktaGroupId),
    store.listGroupMembers(oktaGroupId as OktaGroupId),
  ]);
  const currentMembers: readonly OktaUser[] = group ? members : [];
  const freshScope = group
    ? groupScopes(policy, [group], snapshot.organization).get(group.id)
    : undefined;
  const previousScope =
    snapshot.groupScopes.get(oktaGroupId) ??
    (cached
      ? groupScopes(policy, [cached.value], snapshot.organization).get(oktaGroupId)
      : undefined);
  if (!freshScope && !previousScope) {
    // No rule matches the group, now or before: nothing of it is managed.
    return emptyGroupPlan(deps, snapshot, oktaGroupId, group);
  }
  const groupMode = Boolean(freshScope?.groupMode || previousScope?.groupMode);
  const idcGroup = groupMode
    ? await resolveGroup(deps, snapshot, oktaGroupId, group ?? undefined)
    : undefined;
  const directory: OktaDirectory = {
    users: currentMembers,
    groups: group ? [group] : [],
    memberships: currentMembers.map((member) => ({
      groupId: oktaGroupId as OktaGroupId,
      userId: member.id,
    })),
  };
  const links = linkPrincipals(directory, { users: [], groups: idcGroup ? [idcGroup] : [] });
  const narrowDesired = computeDesiredState(policy, directory, snapshot.organization, links);
  const desired = widenDesired(
    narrowDesired,
    [...snapshot.groupScopes.values()].filter((scope) => scope.oktaGroupId !== oktaGroupId),
  );
  const names = new Set([
    ...(freshScope?.permissionSetNames ?? []),
    ...(previousScope?.permissionSetNames ?? []),
  ]);
  const assignments = idcGroup
    ? (
        await deps.identityCenter.readAssignmentsForPrincipals(snapshot.instance, [
          { principalType: 'GROUP', principalId: idcGroup.groupId },
        ])
      ).filter((a) => a.principalType === 'GROUP' && a.principalId === idcGroup.groupId)
    : [];
  const permissionSets = await readPermissionSets(
    deps,
    snapshot,
    [...names],
    assignments.map((a) => a.permissionSetArn),
    'definitions',
  );
  const actual: ActualState = {
    instance: snapshot.instance,
    permissionSets,
    assignments,
    users: [],
    groups: idcGroup ? [idcGroup] : [],
    organization: snapshot.organization,
  };
  const previousMemberCounts = cached
    ? new Map([[oktaGroupId, rememberedMembers.length]])
    : undefined;
  const narrowPlan = computePlan(desired, actual, {
    ...(previousMemberCounts ? { previousMemberCounts } : {}),
  });
  const retiring = narrowPlan.operations.find(
    (op): op is Extract<PlanOperation, { kind: 'delete-permission-set' }> =>
      op.kind === 'delete-permission-set' && names.has(op.name),
  );
  if (retiring) {
    return {
      kind: 'needs-full',
      reason: `permission set ${retiring.name} is no longer yielded by any group: retiring it needs all of its assignments`,
    };
  }
  const scoped = scopeGroupPlan(narrowPlan, oktaGroupId, {
    permissionSetNames: names,
    idcGroupIds: new Set(idcGroup ? [idcGroup.groupId] : []),
    liveIdcGroupIds: new Set(idcGroup ? [idcGroup.groupId] : []),
  });
  const guarded = narrowPlan.guards.emptySourceGroups.some(
    (g) => g.oktaGroupId === oktaGroupId && !g.confirmed,
  );
  const userMode = Boolean(freshScope?.userMode || previousScope?.userMode);
  const keysToQueue: string[] = [];
  if (userMode && !guarded) {
    const now = new Set<string>(currentMembers.map((m) => m.id));
    const before = new Set<string>(rememberedMembers);
    const targetsChanged = !sameTargets(freshScope, previousScope) || !cached;
    for (const id of new Set([...now, ...before])) {
      if (targetsChanged || now.has(id) !== before.has(id)) keysToQueue.push(userKey(id));
    }
  }
  return {
    kind: 'planned',
    narrowPlan,
    scoped,
    desired,
    keysToQueue: keysToQueue.sort(),
    async remember() {
      deps.cache.updateGroup(oktaGroupId, freshScope);
      // A group that reads empty keeps its remembered members, so the guard keeps holding.
      if (!group || !freshScope || guarded) return;
      // Only what changed: a membership event runs this for a group of any size, and rewriting
      // every member's row each time was most of a group key's store work.
      const remembered = new Set<string>(rememberedMembers);
      const joined = currentMembers.filter((member) => !remembered.delete(member.id));
      const groupChanged = !cached || JSON.stringify(cached.value) !== JSON.stringify(group);
      if (!groupChanged && joined.length === 0 && remembered.size === 0) return;
      await store.transaction(async (tx) => {
        if (joined.length > 0) await tx.putOktaUsers(joined);
        if (groupChanged) await tx.putOktaGroups([group]);
        await tx.replaceGroupMembers(
          group.id,
          currentMembers.map((m) => m.id),
        );
      });
    },
  };
}

function emptyGroupPlan(
  deps: KeyPlanDeps,
  snapshot: KeyReadSnapshot,
  oktaGroupId: string,
  group: OktaGroup | undefined,
): KeyPlan {
  const desired = computeDesiredState(
    deps.policy,
    { users: [], groups: group ? [group] : [], memberships: [] },
    snapshot.organization,
    linkPrincipals({ users: [], groups: [], memberships: [] }, { users: [], groups: [] }),
  );
  const plan = computePlan(desired, {
    instance: snapshot.instance,
    permissionSets: [],
    assignments: [],
    users: [],
    groups: [],
    organization: snapshot.organization,
  });
  return {
    kind: 'planned',
    narrowPlan: plan,
    scoped: { ...plan, operations: [], pending: [] },
    desired,
    keysToQueue: [],
    remember: () => {
      deps.cache.updateGroup(oktaGroupId, undefined);
      return Promise.resolve();
    },
  };
}

/**
 * The IdC user of an Okta user, as linking finds it: by ExternalId (every issuer seen, most
 * common first), else by userName = login. A user found by name whose ExternalId names another
 * Okta user that still exists belongs to that user (linking's ExternalId pass claims it first).
 * A deleted Okta user is looked up by ExternalId only: a full plan links it by nothing else.
 */
async function resolveUser(
  deps: KeyPlanDeps,
  snapshot: KeyReadSnapshot,
  oktaUserId: string,
  user: OktaUser | undefined,
): Promise<IdcUser | undefined> {
  const now = deps.now();
  // A deleted Okta user is resolved afresh: its access is being removed, and its link ends.
  if (user && deps.reuseLinks) {
    const known = deps.cache.userWithin(oktaUserId, now, USER_LINK_FRESH_MS);
    if (known) return known;
  }
  const names = user ? [...new Set([user.login, user.login.toLowerCase()])] : [];
  const found = await resolvePrincipal(
    snapshot,
    oktaUserId,
    names,
    (lookup) => deps.identityCenter.findUser(snapshot.instance, lookup),
    (otherId) => deps.okta.readUser(otherId),
  );
  deps.cache.noteUser(oktaUserId, found, now);
  return found;
}

/** The IdC group of an Okta group: by ExternalId, else by displayName = name (see resolveUser). */
function resolveGroup(
  deps: KeyPlanDeps,
  snapshot: KeyReadSnapshot,
  oktaGroupId: string,
  group: OktaGroup | undefined,
): Promise<IdcGroup | undefined> {
  return resolvePrincipal(
    snapshot,
    oktaGroupId,
    group ? [group.name] : [],
    (lookup) => deps.identityCenter.findGroup(snapshot.instance, lookup),
    (otherId) => deps.okta.readGroup(otherId),
  );
}

/**
 * Linking's lookup for one Okta principal: by ExternalId under each issuer seen, then by each of
 * `names` in turn; a principal found by name whose ExternalId names another Okta principal that
 * still exists (`oktaExists`) belongs to that one, so none is returned.
 */
async function resolvePrincipal<T extends { readonly externalIds: readonly { id: string }[] }>(
  snapshot: KeyReadSnapshot,
  oktaId: string,
  names: readonly string[],
  find: (lookup: PrincipalLookup) => Promise<T | undefined>,
  oktaExists: (oktaId: string) => Promise<unknown>,
): Promise<T | undefined> {
  for (const issuer of snapshot.issuers) {
    const found = await find({ kind: 'external-id', issuer, id: oktaId });
    if (found) return found;
  }
  for (const name of names) {
    const found = await find({ kind: 'name', name });
    if (!found) continue;
    if (found.externalIds.some((external) => external.id === oktaId)) return found;
    for (const external of found.externalIds) {
      if (await oktaExists(external.id)) return undefined;
    }
    return found;
  }
  return undefined;
}

/**
 * The permission sets named (by the key's desired state) or used (by its assignments). With
 * `definitions` each is read in full (a group key may update or provision them). With
 * `cached-ownership` (a user key, which only creates and deletes its user's assignments) a
 * permission set read before is taken from the cache as it is: its name never changes, its
 * definition does not matter to the key, and the caller confirms the tags (ownership) of the sets
 * it would write to with `confirmOwnership`. A name not in the cache is looked for
 * among the instance's permission sets: the list of ARNs, and a full read of each ARN the cache
 * does not know yet.
 */
async function readPermissionSets(
  deps: KeyPlanDeps,
  snapshot: KeyReadSnapshot,
  names: readonly string[],
  usedArns: readonly PermissionSetArn[],
  need: 'definitions' | 'cached-ownership',
): Promise<PermissionSet[]> {
  const { identityCenter, cache } = deps;
  const instance = snapshot.instance;
  const byArn = new Map<string, PermissionSet>();
  if (names.some((name) => !snapshot.permissionSetArns.has(name))) {
    const known = new Set<string>(snapshot.permissionSetArns.values());
    const unknown = (await identityCenter.listPermissionSetArns(instance)).filter(
      (arn) => !known.has(arn),
    );
    const read = await Promise.all(
      unknown.map((arn) => identityCenter.readPermissionSetByArn(instance, arn)),
    );
    const found = read.filter((ps): ps is PermissionSet => ps !== undefined);
    cache.notePermissionSets(found);
    for (const ps of found) byArn.set(ps.permissionSetArn, ps);
  }
  const wanted = new Set<PermissionSetArn>(usedArns);
  for (const name of names) {
    const arn = snapshot.permissionSetArns.get(name);
    if (arn) wanted.add(arn);
  }
  const toRead = [...wanted].filter((arn) => !byArn.has(arn));
  const now = deps.now();
  const readWhole: PermissionSet[] = [...byArn.values()];
  const read = await Promise.all(
    toRead.map(async (arn) => {
      const known =
        need === 'cached-ownership'
          ? snapshot.permissionSets.get(arn)
          : cache.readWholeWithin(arn, now, PERMISSION_SET_FRESH_MS);
      if (known) return [arn, known] as const;
      const ps = await identityCenter.readPermissionSetByArn(instance, arn);
      if (ps) readWhole.push(ps);
      return [arn, ps] as const;
    }),
  );
  const gone: PermissionSetArn[] = [];
  for (const [arn, ps] of read) {
    if (ps) byArn.set(arn, ps);
    else gone.push(arn);
  }
  cache.notePermissionSets([...byArn.values()], gone);
  cache.markReadWhole(readWhole, now);
  return [...byArn.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Permission sets (by ARN) that `plan`'s assignment creates and deletes write to. */
function writtenPermissionSetArns(plan: Plan): Set<PermissionSetArn> {
  const arns = new Set<PermissionSetArn>();
  for (const operation of plan.operations) {
    if (
      (operation.kind === 'create-assignment' || operation.kind === 'delete-assignment') &&
      operation.permissionSetArn
    ) {
      arns.add(operation.permissionSetArn as PermissionSetArn);
    }
  }
  return arns;
}

/**
 * Re-reads the tags (ownership) of the `written` permission sets and reports whether any differs
 * from what the cache held; a set that is gone is dropped. The cache keeps the fresh tags.
 */
async function confirmOwnership(
  deps: KeyPlanDeps,
  snapshot: KeyReadSnapshot,
  permissionSets: readonly PermissionSet[],
  written: ReadonlySet<PermissionSetArn>,
): Promise<{ permissionSets: PermissionSet[]; changed: boolean }> {
  let changed = false;
  const gone: PermissionSetArn[] = [];
  const refreshed: PermissionSet[] = [];
  const now = deps.now();
  const result = await Promise.all(
    permissionSets.map(async (ps) => {
      if (!written.has(ps.permissionSetArn)) return ps;
      if (deps.cache.tagsReadWithin(ps.permissionSetArn, now, OWNERSHIP_FRESH_MS)) return ps;
      const tags = await deps.identityCenter.readPermissionSetTags(
        snapshot.instance,
        ps.permissionSetArn,
      );
      if (!tags) {
        changed = true;
        gone.push(ps.permissionSetArn);
        return undefined;
      }
      if (!sameTags(tags, ps.tags)) changed = true;
      const fresh = { ...ps, tags };
      refreshed.push(fresh);
      return fresh;
    }),
  );
  deps.cache.notePermissionSets(refreshed, gone, now);
  return { permissionSets: result.filter((ps): ps is PermissionSet => ps !== undefined), changed };
}

function sameTags(a: PermissionSet['tags'], b: PermissionSet['tags']): boolean {
  const entries = (tags: PermissionSet['tags']) =>
    JSON.stringify(Object.entries(tags).sort(([x], [y]) => x.localeCompare(y)));
  return entries(a) === entries(b);
}

async function memberCounts(
  store: Store,
  groups: readonly OktaGroup[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const group of groups) {
    counts.set(group.id, (await store.listGroupMembers(group.id)).length);
  }
  return counts;
}
