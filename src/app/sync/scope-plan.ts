/**
 * Narrows a plan to one reconcile key. A key's reconcile plans from fresh state with the same
 * rules, planner and guards as a full one, then applies only the operations that concern the
 * key, so that a membership event never applies unrelated drift (the periodic full reconcile
 * does that, under its own maxDeletes guard).
 */
import type { ParsedReconcileKey } from '../../core/events/reconcile-key.js';
import type { ActualState } from '../../core/plan/actual-state.js';
import { narrowPlan } from '../../core/plan/key-scope.js';
import type { Plan, PlanOperation } from '../../core/plan/plan.js';
import type { DesiredState } from '../../core/rules/desired-state.js';

/** What scoping needs besides the plan. */
export interface ScopeContext {
  readonly desired: DesiredState;
  readonly actual: ActualState;
  /**
   * Permission set names the key's group yielded before (from the store's Okta cache), so that
   * the permission set of a deleted or renamed group is still in scope.
   */
  readonly previousPermissionSets?: readonly string[];
}

function isAssignment(
  op: PlanOperation,
): op is Extract<PlanOperation, { kind: 'create-assignment' | 'delete-assignment' }> {
  return op.kind === 'create-assignment' || op.kind === 'delete-assignment';
}

function permissionSetNameOf(op: PlanOperation): string {
  return isAssignment(op) ? op.permissionSetName : op.name;
}

/** The IdC principal ids that stand for an Okta user or group: linked, or by SCIM ExternalId. */
function principalIds(kind: 'user' | 'group', oktaId: string, context: ScopeContext): Set<string> {
  const ids = new Set<string>();
  if (kind === 'user') {
    const linked = context.desired.links.idcUserOf(oktaId);
    if (linked) ids.add(linked.userId);
    for (const user of context.actual.users) {
      if (user.externalIds.some((external) => external.id === oktaId)) ids.add(user.userId);
    }
  } else {
    const linked = context.desired.links.idcGroupOf(oktaId);
    if (linked) ids.add(linked.groupId);
    for (const group of context.actual.groups) {
      if (group.externalIds.some((external) => external.id === oktaId)) ids.add(group.groupId);
    }
  }
  return ids;
}

/**
 * The operations of `plan` that concern `key`, with the plan's summary and delete guard
 * recomputed for them:
 * - `full`: everything;
 * - `user:<id>`: assignments of the user's IdC principal (or whose reason names the user), plus
 *   the creation of a permission set one of them needs;
 * - `group:<id>`: assignments whose reason names the group or whose principal is its IdC group,
 *   and every operation on the permission sets the group yields now or yielded before;
 * - `permission-set:<name>`: every operation on that permission set.
 * Except for `full`, deletes of assignments whose principal no longer exists in the identity
 * store are left out: AWS fails them, and the assignment grants nothing.
 */
export function scopePlan(plan: Plan, key: ParsedReconcileKey, context: ScopeContext): Plan {
  if (key.kind === 'full') return plan;
  // Once SCIM deletes a principal, AWS keeps its assignments and fails every delete of them
  // (aws-identity-center.md §6): they grant nothing, and a key that tried would retry forever.
  const liveUsers = new Set<string>(context.actual.users.map((u) => u.userId));
  const liveGroups = new Set<string>(context.actual.groups.map((g) => g.groupId));
  const orphaned = (op: PlanOperation, type: 'USER' | 'GROUP'): boolean =>
    op.kind === 'delete-assignment' &&
    op.principalType === type &&
    !(type === 'USER' ? liveUsers : liveGroups).has(op.principalId);
  let keep: (op: PlanOperation) => boolean;
  if (key.kind === 'permission-set') {
    keep = (op) =>
      !orphaned(op, 'USER') && !orphaned(op, 'GROUP') && permissionSetNameOf(op) === key.name;
  } else if (key.kind === 'user') {
    const ids = principalIds('user', key.id, context);
    const mine = (op: PlanOperation): boolean =>
      isAssignment(op) &&
      ((op.principalType === 'USER' && ids.has(op.principalId)) || op.reason.oktaUserId === key.id);
    const needed = new Set(
      plan.operations
        .filter((op) => op.kind === 'create-assignment' && mine(op) && !op.permissionSetArn)
        .map(permissionSetNameOf),
    );
    keep = (op) =>
      !orphaned(op, 'USER') &&
      (mine(op) || (op.kind === 'create-permission-set' && needed.has(op.name)));
  } else {
    const ids = principalIds('group', key.id, context);
    const names = new Set(context.previousPermissionSets ?? []);
    for (const target of context.desired.groupTargets) {
      if (target.oktaGroupId === key.id) names.add(target.permissionSetName);
    }
    keep = (op) =>
      !orphaned(op, 'USER') &&
      !orphaned(op, 'GROUP') &&
      (names.has(permissionSetNameOf(op)) ||
        (isAssignment(op) &&
          ((op.principalType === 'GROUP' && ids.has(op.principalId)) ||
            op.reason.oktaGroupId === key.id)));
  }
  const oktaId = key.kind === 'user' || key.kind === 'group' ? key.id : undefined;
  return narrowPlan(plan, plan.operations.filter(keep), oktaId);
}
