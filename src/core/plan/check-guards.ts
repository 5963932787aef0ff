import { SafetyRefusal } from '../errors.js';
import type { Plan } from './plan.js';

/** The outcome of the safety guards for applying a plan. */
export interface GuardResult {
  /** False when apply must refuse (CLI exit 4). */
  readonly ok: boolean;
  /** Why apply refuses; empty when ok. */
  readonly refusals: readonly string[];
  /** Things the user should know that do not refuse: deletes withheld by the empty-source guard. */
  readonly notes: readonly string[];
}

/**
 * Checks a plan against the guards before apply. The maxDeletes guard refuses when the plan
 * deletes more than `guards.maxDeletes`, unless `allowDeletes` (CLI --allow-deletes N) is at
 * least the number of deletes. Deletes withheld by the empty-source guard are not operations, so
 * they never refuse; they are noted so the user can confirm the group.
 */
export function checkGuards(
  plan: Plan,
  options: { readonly allowDeletes?: number } = {},
): GuardResult {
  const refusals: string[] = [];
  const notes: string[] = [];
  const { deletes, maxDeletes } = plan.guards;
  const allowance = Math.max(maxDeletes, options.allowDeletes ?? 0);
  if (deletes > allowance) {
    refusals.push(
      options.allowDeletes === undefined
        ? `the plan deletes ${deletes} object(s), more than safety.maxDeletes = ${maxDeletes}; review it and re-run with --allow-deletes ${deletes}`
        : `the plan deletes ${deletes} object(s), more than --allow-deletes ${options.allowDeletes} allows; re-run with --allow-deletes ${deletes}`,
    );
  }
  const byGroup = new Map<string, number>();
  for (const blocked of plan.blockedDeletes) {
    const name = blocked.oktaGroupName;
    byGroup.set(name, (byGroup.get(name) ?? 0) + 1);
  }
  for (const group of plan.guards.emptySourceGroups) {
    if (group.confirmed) continue;
    notes.push(
      `Okta group ${group.name} had ${group.previousMemberCount} member(s) and now reads empty: ${byGroup.get(group.name) ?? 0} delete(s) withheld until it is confirmed`,
    );
  }
  return { ok: refusals.length === 0, refusals, notes };
}

/** checkGuards, throwing SafetyRefusal (CLI exit 4) with every refusal when it is not ok. */
export function assertGuards(
  plan: Plan,
  options: { readonly allowDeletes?: number } = {},
): GuardResult {
  const result = checkGuards(plan, options);
  if (!result.ok) throw new SafetyRefusal(result.refusals.join('\n'));
  return result;
}
