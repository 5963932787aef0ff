import { isDeepStrictEqual } from 'node:util';
import type { Plan, PlanOperation } from '../../core/plan/plan.js';
import { describeOperation } from '../apply/apply-plan.js';

/** What re-validation did to one operation of a saved plan. */
export interface RevalidationNote {
  /** dropped: no longer needed; replanned: still needed but different now; new: needed now but
   * not in the saved plan, so not applied (it needs its own review). */
  readonly change: 'dropped' | 'replanned' | 'new';
  readonly kind: PlanOperation['kind'];
  readonly key: string;
  readonly explanation: string;
}

export interface RevalidatedPlan {
  /** The saved plan's operations that are still needed, as they must be done now. */
  readonly plan: Plan;
  readonly notes: readonly RevalidationNote[];
}

const identity = (operation: PlanOperation): string => `${operation.kind}\u0000${operation.key}`;

/**
 * Re-validates a saved plan against a plan computed from fresh state. The result never does more
 * than the saved plan approved:
 * - an operation the fresh plan no longer has is dropped (someone already did it, or it is no
 *   longer wanted);
 * - one the fresh plan has in another form (a permission set changed differently, an ARN now
 *   known) is replaced by the fresh form ("re-planned");
 * - operations only the fresh plan has are not added; they are reported as "new" so that the
 *   user runs `plan` again to review them.
 * Everything but the operations (pending principals, left-alone lists, problems, blocked
 * deletes) comes from the fresh plan, and the guards and summary are recounted.
 */
export function revalidatePlan(saved: Plan, fresh: Plan): RevalidatedPlan {
  const freshByIdentity = new Map(fresh.operations.map((op) => [identity(op), op]));
  const savedIdentities = new Set(saved.operations.map(identity));
  const kept = new Set<PlanOperation>();
  const notes: RevalidationNote[] = [];
  for (const operation of saved.operations) {
    const current = freshByIdentity.get(identity(operation));
    if (!current) {
      notes.push({
        change: 'dropped',
        kind: operation.kind,
        key: operation.key,
        explanation: `${describeOperation(operation)}: no longer needed (already done, or no longer wanted)`,
      });
      continue;
    }
    if (!isDeepStrictEqual(stripUndefined(current), stripUndefined(operation))) {
      notes.push({
        change: 'replanned',
        kind: operation.kind,
        key: operation.key,
        explanation: `${describeOperation(operation)}: state changed since the plan was made; re-planned as ${describeOperation(current)}`,
      });
    }
    kept.add(current);
  }
  for (const operation of fresh.operations) {
    if (savedIdentities.has(identity(operation))) continue;
    notes.push({
      change: 'new',
      kind: operation.kind,
      key: operation.key,
      explanation: `${describeOperation(operation)}: needed now but not in the saved plan; not applied (run plan again to review it)`,
    });
  }
  // Fresh order: waves, then keys, as the planner sorts them.
  const operations = fresh.operations.filter((operation) => kept.has(operation));
  const summary = { add: 0, change: 0, destroy: 0, provision: 0 };
  for (const operation of operations) {
    if (operation.kind === 'create-permission-set' || operation.kind === 'create-assignment') {
      summary.add += 1;
    } else if (operation.kind === 'update-permission-set') summary.change += 1;
    else if (operation.kind === 'provision-permission-set') summary.provision += 1;
    else summary.destroy += 1;
  }
  return {
    plan: {
      ...fresh,
      operations,
      guards: {
        ...fresh.guards,
        deletes: summary.destroy,
        exceedsMaxDeletes: summary.destroy > fresh.guards.maxDeletes,
      },
      summary,
    },
    notes,
  };
}

/** JSON round-trips drop undefined members; compare as a saved plan would read back. */
function stripUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
