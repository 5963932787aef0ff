/**
 * The reconciler behind every key: re-read the truth (Okta and AWS) with the planning service,
 * plan with the same rules compiler and planner as `plan`, narrow the plan to the key, check the
 * same guards, and apply with the same executor as `apply`. Events are never consulted: a key
 * is reconciled from what Okta and AWS say now, so lost, duplicated or reordered events converge.
 */
import { randomUUID } from 'node:crypto';

import type { InstanceArn, OktaGroupId } from '../../core/domain/ids.js';
import type { ParsedReconcileKey } from '../../core/events/reconcile-key.js';
import { groupKey, parseReconcileKey, userKey } from '../../core/events/reconcile-key.js';
import { OperationalError, UsageError } from '../../core/errors.js';
import { assertGuards } from '../../core/plan/check-guards.js';
import type { Plan } from '../../core/plan/plan.js';
import type { SyncPolicy } from '../../core/rules/compiled-rule.js';
import { computeDesiredState } from '../../core/rules/desired-state.js';
import type { IdentityCenterWriter } from '../../ports/identity-center-writer.js';
import type { Store } from '../../ports/store.js';
import type { ApplyLimits, ApplyResult } from '../apply/apply-plan.js';
import { applyPlan } from '../apply/apply-plan.js';
import type { PollOptions, WriteRetryOptions } from '../apply/write-retry.js';
import type { FreshPlan, PlanServiceDeps } from '../plan/plan-service.js';
import {
  permissionSetArnFinder,
  planFromCurrentState,
  rememberMatchedGroups,
} from '../plan/plan-service.js';
import { scopePlan } from './scope-plan.js';
import type { KeyReconciler, ReconcileContext, ReconcileOutcome } from './work-queue-runner.js';

export interface KeyReconcilerDeps {
  readonly policy: SyncPolicy;
  /** Readers for fresh state; `store` is set so the empty-source guard sees past group sizes. */
  readonly plan: PlanServiceDeps;
  readonly writer: IdentityCenterWriter;
  readonly store: Store;
  /** The instance to manage; default the only one. */
  readonly instanceArn?: InstanceArn;
  readonly limits?: ApplyLimits;
  readonly retry?: WriteRetryOptions;
  readonly poll?: PollOptions;
  /** Marks keys dirty (pending principals found by a full reconcile are queued this way). */
  readonly enqueue: (key: string) => Promise<void>;
  /** Called after every plan, scoped, with the apply result when something was applied. */
  readonly onReconciled?: (report: KeyReconcileReport) => void;
}

/** What one key's reconcile saw and did. */
export interface KeyReconcileReport {
  readonly key: string;
  /** The whole plan from fresh state (drift across everything the rules manage). */
  readonly fullPlan: Plan;
  /** The operations applied for this key. */
  readonly scopedPlan: Plan;
  readonly result: ApplyResult | null;
}

/** Permission set names an Okta group yielded when it was last seen (for deleted or renamed groups). */
function previousPermissionSets(
  policy: SyncPolicy,
  fresh: FreshPlan,
  cached: { id: string; name: string; type: string } | null,
): string[] {
  if (!cached) return [];
  const directory = {
    users: [],
    groups: [cached as FreshPlan['okta']['groups'][number]],
    memberships: [],
  };
  const then = computeDesiredState(
    policy,
    directory,
    fresh.actual.organization,
    fresh.desired.links,
  );
  return then.groupTargets.map((target) => target.permissionSetName);
}

/** AWS's failure for a delete whose principal SCIM already removed; it can never succeed. */
const ASSIGNEE_GONE = /assignee \S+ was not found/i;

/** Failed operations that retrying can fix (not deletes of assignments of vanished principals). */
function realFailures(result: ApplyResult): ApplyResult['outcomes'] {
  return result.outcomes.filter(
    (outcome) =>
      outcome.status === 'Error' &&
      !(outcome.kind === 'delete-assignment' && ASSIGNEE_GONE.test(outcome.cause ?? '')),
  );
}

function describeFailures(result: ApplyResult): string {
  return realFailures(result)
    .slice(0, 5)
    .map((outcome) => `${outcome.description}: ${outcome.cause ?? 'failed'}`)
    .join('; ');
}

/**
 * Builds the reconciler the worker pool runs for every key. Outcomes:
 * - done when the scoped plan applied cleanly (or was empty);
 * - pending when the key's principal (or a member's) is not in the identity store yet;
 * - throws OperationalError (retryable) when an operation failed, SafetyRefusal (terminal) when a
 *   guard refuses, UsageError (terminal) for a malformed key.
 */
export function createKeyReconciler(deps: KeyReconcilerDeps): KeyReconciler {
  // Keys overlap (a membership event dirties the user and the group; a group key covers its
  // members' assignments): two keys planned from the same state would both write the same
  // assignment. Reconciles in this process therefore read, plan and apply one at a time; each
  // sees what the previous one wrote, so no write is ever sent twice.
  let tail: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
  return (key: string, context: ReconcileContext): Promise<ReconcileOutcome> =>
    serialized(() => reconcileKey(deps, key, context));
}

async function reconcileKey(
  deps: KeyReconcilerDeps,
  key: string,
  context: ReconcileContext,
): Promise<ReconcileOutcome> {
  const parsed = parseReconcileKey(key);
  if (!parsed) throw new UsageError(`"${key}" is not a reconcile key`);
  const fresh = await planFromCurrentState(deps.policy, deps.plan, {
    ...(deps.instanceArn ? { instanceArn: deps.instanceArn } : {}),
  });
  const cachedGroup =
    parsed.kind === 'group'
      ? ((await deps.store.getOktaGroup(parsed.id as OktaGroupId))?.value ?? null)
      : null;
  const scoped = scopePlan(fresh.plan, parsed, {
    desired: fresh.desired,
    actual: fresh.actual,
    previousPermissionSets: previousPermissionSets(deps.policy, fresh, cachedGroup),
  });
  // The same guard as `apply`: a key that would delete more than maxDeletes is refused.
  assertGuards(scoped);

  const pendingKeys = pendingKeysFor(parsed, fresh);
  for (const pendingKey of pendingKeys) if (pendingKey !== key) await deps.enqueue(pendingKey);

  let result: ApplyResult | null = null;
  if (scoped.operations.length > 0 || parsed.kind === 'full') {
    const runId = randomUUID();
    context.logger.info(
      { runId, operations: scoped.operations.length, summary: scoped.summary },
      'applying scoped plan',
    );
    result = await applyPlan(
      scoped,
      {
        writer: deps.writer,
        store: deps.store,
        findPermissionSetArn: permissionSetArnFinder(deps.plan.identityCenter, fresh.instance),
      },
      {
        actor: 'service',
        trigger: parsed.kind === 'full' ? 'full-reconcile' : 'event',
        cause: `${key} (${context.correlationId})`,
        runId,
        ...(deps.limits ? { limits: deps.limits } : {}),
        ...(deps.retry ? { retry: deps.retry } : {}),
        ...(deps.poll ? { poll: deps.poll } : {}),
      },
    );
    for (const outcome of result.outcomes) {
      context.logger.info(
        {
          runId,
          op: outcome.description,
          status: outcome.status,
          awsRequestId: outcome.awsRequestId,
          asyncRequestId: outcome.asyncRequestId,
          ...(outcome.cause ? { cause: outcome.cause } : {}),
        },
        'operation result',
      );
    }
  }
  await rememberMatchedGroups(deps.store, fresh.okta, fresh.desired);
  deps.onReconciled?.({ key, fullPlan: fresh.plan, scopedPlan: scoped, result });

  const failures = result ? realFailures(result) : [];
  if (result && result.counts.Error > failures.length) {
    context.logger.warn(
      { runId: result.runId, dangling: result.counts.Error - failures.length },
      'assignments of principals SCIM already deleted cannot be deleted; they grant nothing',
    );
  }
  if (result && failures.length > 0) {
    throw new OperationalError(
      `${failures.length} operation(s) failed for ${key}: ${describeFailures(result)}`,
      'APPLY_FAILED',
      true,
    );
  }
  const waiting =
    (result?.counts.Pending ?? 0) > 0 || (parsed.kind !== 'full' && scoped.pending.length > 0);
  if (waiting) {
    const names = scoped.pending.map((p) => `${p.kind} ${p.name}`).join(', ');
    return {
      status: 'pending',
      reason: names
        ? `not in the identity store yet: ${names}`
        : 'assignment waits for its principal in the identity store',
      runId: result?.runId ?? null,
    };
  }
  return {
    status: 'done',
    runId: result?.runId ?? null,
    changes: result?.counts.Success ?? 0,
  };
}

/**
 * Keys to queue for principals SCIM has not pushed yet: every pending principal after a full
 * reconcile; the pending members of a group after a group's reconcile.
 */
function pendingKeysFor(parsed: ParsedReconcileKey, fresh: FreshPlan): string[] {
  if (parsed.kind === 'full') {
    return fresh.plan.pending.map((p) =>
      p.kind === 'user' ? userKey(p.oktaId) : groupKey(p.oktaId),
    );
  }
  if (parsed.kind === 'group') {
    const pendingUsers = new Set(
      fresh.plan.pending.filter((p) => p.kind === 'user').map((p) => p.oktaId),
    );
    return fresh.okta.memberships
      .filter((m) => m.groupId === parsed.id && pendingUsers.has(m.userId))
      .map((m) => userKey(m.userId));
  }
  // A user key waits on its own principal; nothing else to queue.
  return [];
}
