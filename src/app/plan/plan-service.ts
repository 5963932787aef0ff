import type { IdcInstance, PermissionSet } from '../../core/domain/identity-center.js';
import type {
  InstanceArn,
  OktaGroupId,
  OktaUserId,
  PermissionSetArn,
} from '../../core/domain/ids.js';
import type { OktaDirectory } from '../../core/domain/okta.js';
import { linkPrincipals } from '../../core/linking/link-principals.js';
import type { ActualState } from '../../core/plan/actual-state.js';
import { computePlan } from '../../core/plan/compute-plan.js';
import type { Plan } from '../../core/plan/plan.js';
import type { SyncPolicy } from '../../core/rules/compiled-rule.js';
import type { DesiredState } from '../../core/rules/desired-state.js';
import { computeDesiredState } from '../../core/rules/desired-state.js';
import type {
  IdentityCenterReader,
  OrganizationsReader,
  ReadProgressListener,
} from '../../ports/aws-readers.js';
import type { OktaDirectoryReader } from '../../ports/okta-directory.js';
import type { Store } from '../../ports/store.js';
import type { RevalidatedPlan } from './revalidate-plan.js';
import { revalidatePlan } from './revalidate-plan.js';

/** The readers planning needs; the store remembers group sizes for the empty-source guard. */
export interface PlanServiceDeps {
  readonly identityCenter: IdentityCenterReader;
  readonly organizations: OrganizationsReader;
  readonly okta: OktaDirectoryReader;
  /** When given, previous member counts of matched Okta groups are read from its Okta cache. */
  readonly store?: Store;
}

export interface PlanServiceOptions {
  /** The instance to plan for; default the only one (aws.instanceArn in config). */
  readonly instanceArn?: InstanceArn;
  /** Confirms Okta groups that now read empty (empty-source guard): true, or ids or names. */
  readonly confirmEmptyGroups?: boolean | readonly string[];
  readonly onProgress?: ReadProgressListener;
}

/** A plan with the states it was computed from. */
export interface FreshPlan {
  readonly plan: Plan;
  readonly actual: ActualState;
  readonly desired: DesiredState;
  readonly instance: IdcInstance;
  /** The Okta directory as read (for `rememberMatchedGroups` after an apply). */
  readonly okta: OktaDirectory;
  /** AWS reads done: permission sets whose assignments were listed, of how many. */
  readonly reads: { readonly permissionSetsListed: number; readonly permissionSets: number };
}

/**
 * Reads Okta and AWS and computes the plan that makes AWS match the rules.
 *
 * Reading is kept cheap: the identity store, permission sets, the organisation and the Okta
 * directory are read once, in parallel; account assignments are then listed only for permission
 * sets the plan may touch (owned ones and ones a rule names), pair by provisioned pair. Other
 * permission sets' assignments are never read, so they cannot appear in the plan's "unmanaged"
 * list; they cannot be changed either.
 */
export async function planFromCurrentState(
  policy: SyncPolicy,
  deps: PlanServiceDeps,
  options: PlanServiceOptions = {},
): Promise<FreshPlan> {
  const instance = await deps.identityCenter.readInstance(options.instanceArn);
  const [identityStore, permissionSets, organization, okta] = await Promise.all([
    deps.identityCenter.readIdentityStore(instance, options.onProgress),
    deps.identityCenter.readPermissionSets(instance, options.onProgress),
    deps.organizations.readOrganization(options.onProgress),
    deps.okta.readDirectory(options.onProgress),
  ]);
  const links = linkPrincipals(okta, identityStore);
  const desired = computeDesiredState(policy, okta, organization, links);
  const relevant = permissionSets.filter((ps) => isRelevant(ps, policy, desired));
  const assignments = await deps.identityCenter.readAssignments(
    instance,
    relevant,
    options.onProgress,
  );
  const actual: ActualState = {
    instance,
    permissionSets,
    assignments,
    users: identityStore.users,
    groups: identityStore.groups,
    organization,
  };
  const previousMemberCounts = deps.store ? await previousCounts(deps.store, desired) : undefined;
  const plan = computePlan(desired, actual, {
    ...(previousMemberCounts ? { previousMemberCounts } : {}),
    ...(options.confirmEmptyGroups !== undefined
      ? { confirmEmptyGroups: options.confirmEmptyGroups }
      : {}),
  });
  return {
    plan,
    actual,
    desired,
    instance,
    okta,
    reads: { permissionSetsListed: relevant.length, permissionSets: permissionSets.length },
  };
}

/**
 * Re-validates a saved plan against fresh state (see `revalidatePlan`): operations no longer
 * needed are dropped, changed ones re-planned, each with an explanation.
 */
export async function revalidateSavedPlan(
  saved: Plan,
  policy: SyncPolicy,
  deps: PlanServiceDeps,
  options: PlanServiceOptions = {},
): Promise<RevalidatedPlan & { readonly fresh: FreshPlan }> {
  const fresh = await planFromCurrentState(policy, deps, {
    ...options,
    instanceArn: options.instanceArn ?? (saved.instanceArn as InstanceArn),
  });
  return { ...revalidatePlan(saved, fresh.plan), fresh };
}

/**
 * Remembers the current members of the Okta groups the rules match, in the store's Okta cache,
 * so that the next plan can tell a group that emptied (empty-source guard). Call after an apply.
 */
export async function rememberMatchedGroups(
  store: Store,
  okta: OktaDirectory,
  desired: DesiredState,
): Promise<void> {
  const matched = new Set(desired.matchedGroups.map((group) => group.oktaGroupId));
  const groups = okta.groups.filter((group) => matched.has(group.id));
  if (groups.length === 0) return;
  const members = new Map<string, OktaUserId[]>();
  for (const membership of okta.memberships) {
    if (!matched.has(membership.groupId)) continue;
    const list = members.get(membership.groupId) ?? [];
    list.push(membership.userId);
    members.set(membership.groupId, list);
  }
  const memberIds = new Set([...members.values()].flat());
  await store.transaction(async (tx) => {
    await tx.putOktaUsers(okta.users.filter((user) => memberIds.has(user.id)));
    await tx.putOktaGroups(groups);
    for (const group of groups) {
      await tx.replaceGroupMembers(group.id, members.get(group.id) ?? []);
    }
  });
}

/** A finder for the executor: the ARN of a permission set by name, read fresh from AWS. */
export function permissionSetArnFinder(
  reader: IdentityCenterReader,
  instance: IdcInstance,
): (name: string) => Promise<PermissionSetArn | undefined> {
  return async (name) =>
    (await reader.readPermissionSets(instance)).find((ps) => ps.name === name)?.permissionSetArn;
}

function isRelevant(ps: PermissionSet, policy: SyncPolicy, desired: DesiredState): boolean {
  return (
    ps.tags[policy.ownershipTag.key] === policy.ownershipTag.value ||
    desired.scope.permissionSetNames.has(ps.name) ||
    desired.permissionSets.has(ps.name)
  );
}

async function previousCounts(
  store: Store,
  desired: DesiredState,
): Promise<Map<string, number> | undefined> {
  const counts = new Map<string, number>();
  for (const group of desired.matchedGroups) {
    const cached = await store.getOktaGroup(group.oktaGroupId as OktaGroupId);
    if (!cached) continue;
    counts.set(
      group.oktaGroupId,
      (await store.listGroupMembers(group.oktaGroupId as OktaGroupId)).length,
    );
  }
  return counts.size > 0 ? counts : undefined;
}
