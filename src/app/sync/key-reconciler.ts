/**
 * The reconciler behind every key. `user:` and `group:` keys take the cheap read path
 * (key-plans.ts): Okta and AWS are read for the key's principals only, and the plan is computed
 * with the same rules compiler and planner on those narrowed inputs. The full key, `permission-set:`
 * keys, and any key while the per-key cache is empty or stale (or that must retire a permission
 * set) re-read the whole truth with the planning service, plan everything and narrow the plan to
 * the key. Either way the same guards are checked and the same executor applies. Events are never
 * consulted: a key is reconciled from what Okta and AWS say now, so lost, duplicated or reordered
 * events converge.
 *
 * Keys run concurrently (the worker pool holds several); writes to one AWS target are serialised
 * through a WriteLedger, so two overlapping keys never send the same write twice.
 */
import { randomUUID } from 'node:crypto';

import type { InstanceArn, OktaGroupId } from '../../core/domain/ids.js';
import type { ParsedReconcileKey } from '../../core/events/reconcile-key.js';
import { groupKey, parseReconcileKey, userKey } from '../../core/events/reconcile-key.js';
import { OperationalError, UsageError } from '../../core/errors.js';
import { assertGuards } from '../../core/plan/check-guards.js';
import { narrowPlan } from '../../core/plan/key-scope.js';
import type { Plan, PlanOperation } from '../../core/plan/plan.js';
import type { SyncPolicy } from '../../core/rules/compiled-rule.js';
import { computeDesiredState } from '../../core/rules/desired-state.js';
import type { PermissionSetArn } from '../../core/domain/ids.js';
import type { IdentityCenterWriter } from '../../ports/identity-center-writer.js';
import type { OktaPrincipalReader } from '../../ports/okta-directory.js';
import type { Store } from '../../ports/store.js';
import type { ApplyLimits, ApplyResult, CompletionEstimates } from '../apply/apply-plan.js';
import { applyPlan, createCompletionEstimates } from '../apply/apply-plan.js';
import type { PollOptions, WriteRetryOptions } from '../apply/write-retry.js';
import type { FreshPlan, PlanServiceDeps } from '../plan/plan-service.js';
import {
  permissionSetArnFinder,
  planFromCurrentState,
  rememberMatchedGroups,
} from '../plan/plan-service.js';
import type { KeyReadSnapshot } from './key-read-cache.js';
import { KeyReadCache } from './key-read-cache.js';
import type { KeyPlanOutcome } from './key-plans.js';
import { planGroupKey, planUserKey } from './key-plans.js';
import { scopePlan } from './scope-plan.js';
import { withSharedAsyncLimits } from './shared-async-limits.js';
import type { KeyReconciler, ReconcileContext, ReconcileOutcome } from './work-queue-runner.js';
import { WriteLedger } from './write-ledger.js';

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
  /**
   * Per-principal Okta reads. With them, `user:` and `group:` keys take the cheap read path;
   * without them every key re-reads everything (the full path).
   */
  readonly oktaPrincipals?: OktaPrincipalReader;
  /**
   * How long what the last full read learnt (organisation tree, group scopes, issuers, permission
   * set ARNs) serves per-key reads before a key takes the full path again. Default 15 minutes.
   */
  readonly cacheTtlMs?: number;
  /** Shared by reconcilers of one process; default one per reconciler. */
  readonly ledger?: WriteLedger;
  /** Epoch ms; default Date.now. */
  readonly now?: () => number;
}

/** What one key's reconcile saw and did. */
export interface KeyReconcileReport {
  readonly key: string;
  /** How the truth was read: everything, or the key's principals only. */
  readonly path: 'full' | 'key';
  /**
   * The whole plan from fresh state (drift across everything the rules manage); null on the key
   * path, which does not read everything.
   */
  readonly fullPlan: Plan | null;
  /** The operations applied for this key (those dropped by the ledger excluded). */
  readonly scopedPlan: Plan;
  readonly result: ApplyResult | null;
  /** Operations left out because a concurrent key wrote their target after this key read it. */
  readonly superseded: readonly { readonly key: string; readonly by: string }[];
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

/** Operations that change a permission set itself (not its assignments). */
const PERMISSION_SET_WRITES: ReadonlySet<PlanOperation['kind']> = new Set([
  'create-permission-set',
  'update-permission-set',
  'provision-permission-set',
  'delete-permission-set',
]);

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
  const state: ReconcilerState = {
    // The executor bounds outstanding async requests per plan; keys apply concurrently, so the
    // same bounds are also held across all of them.
    writer: withSharedAsyncLimits(deps.writer, {
      ...(deps.limits?.maxOutstandingCreates ? { creates: deps.limits.maxOutstandingCreates } : {}),
      ...(deps.limits?.maxOutstandingDeletes ? { deletes: deps.limits.maxOutstandingDeletes } : {}),
      ...(deps.limits?.maxConcurrentProvisions
        ? { provisions: deps.limits.maxConcurrentProvisions }
        : {}),
    }),
    ledger: deps.ledger ?? new WriteLedger(),
    completion: createCompletionEstimates(deps.poll),
    cache: new KeyReadCache(deps.policy, deps.cacheTtlMs ?? 15 * 60_000),
    now: deps.now ?? Date.now,
    refreshing: null,
  };
  return (key: string, context: ReconcileContext): Promise<ReconcileOutcome> =>
    reconcileKey(deps, state, key, context);
}

interface ReconcilerState {
  /** The writer every key applies through, with AWS's async request limits shared by all. */
  readonly writer: IdentityCenterWriter;
  readonly ledger: WriteLedger;
  /** Async completion times learned across keys, so a key's first poll lands when work is done. */
  readonly completion: CompletionEstimates;
  readonly cache: KeyReadCache;
  readonly now: () => number;
  /** The full read in progress, if any: keys that find the cache stale wait for it. */
  refreshing: Promise<unknown> | null;
}

/** What either read path hands to the guards and the executor. */
interface Prepared {
  readonly path: 'full' | 'key';
  readonly scoped: Plan;
  readonly fullPlan: Plan | null;
  readonly keysToQueue: readonly string[];
  readonly findPermissionSetArn: (name: string) => Promise<PermissionSetArn | undefined>;
  remember(): Promise<void>;
}

async function prepareFull(
  deps: KeyReconcilerDeps,
  state: ReconcilerState,
  parsed: ParsedReconcileKey,
): Promise<Prepared> {
  const reading = planFromCurrentState(deps.policy, deps.plan, {
    ...(deps.instanceArn ? { instanceArn: deps.instanceArn } : {}),
  });
  state.refreshing = reading;
  let fresh: FreshPlan;
  try {
    fresh = await reading;
  } finally {
    if (state.refreshing === reading) state.refreshing = null;
  }
  state.cache.refresh(fresh, state.now());
  const cachedGroup =
    parsed.kind === 'group'
      ? ((await deps.store.getOktaGroup(parsed.id as OktaGroupId))?.value ?? null)
      : null;
  const scoped = scopePlan(fresh.plan, parsed, {
    desired: fresh.desired,
    actual: fresh.actual,
    previousPermissionSets: previousPermissionSets(deps.policy, fresh, cachedGroup),
  });
  return {
    path: 'full',
    scoped,
    fullPlan: fresh.plan,
    keysToQueue: pendingKeysFor(parsed, fresh),
    findPermissionSetArn: permissionSetArnFinder(deps.plan.identityCenter, fresh.instance),
    remember: () => rememberMatchedGroups(deps.store, fresh.okta, fresh.desired),
  };
}

function prepareKey(
  deps: KeyReconcilerDeps,
  state: ReconcilerState,
  snapshot: KeyReadSnapshot,
  outcome: Extract<KeyPlanOutcome, { kind: 'planned' }>,
): Prepared {
  return {
    path: 'key',
    scoped: outcome.scoped,
    fullPlan: null,
    keysToQueue: outcome.keysToQueue,
    findPermissionSetArn: async (name) => {
      const known = snapshot.permissionSetArns.get(name);
      if (known) return known;
      // Created by this run or a concurrent one: find it among the ARNs the cache does not know.
      const reader = deps.plan.identityCenter;
      const knownArns = new Set<string>(snapshot.permissionSetArns.values());
      for (const arn of await reader.listPermissionSetArns(snapshot.instance)) {
        if (knownArns.has(arn)) continue;
        const ps = await reader.readPermissionSetByArn(snapshot.instance, arn);
        if (!ps) continue;
        state.cache.notePermissionSets([ps]);
        if (ps.name === name) return ps.permissionSetArn;
      }
      return undefined;
    },
    remember: () => outcome.remember(),
  };
}

async function reconcileKey(
  deps: KeyReconcilerDeps,
  state: ReconcilerState,
  key: string,
  context: ReconcileContext,
): Promise<ReconcileOutcome> {
  const parsed = parseReconcileKey(key);
  if (!parsed) throw new UsageError(`"${key}" is not a reconcile key`);
  // Taken before any read: a write another key makes after this point may not be in our reads.
  const mark = state.ledger.mark();
  let prepared: Prepared | null = null;
  const keyPath = deps.oktaPrincipals && (parsed.kind === 'user' || parsed.kind === 'group');
  let snapshot = keyPath ? state.cache.current(state.now()) : null;
  if (keyPath && !snapshot && state.refreshing) {
    // A full read is under way (at start, or the cache just expired): use what it learns rather
    // than read everything once more.
    await state.refreshing.catch(() => undefined);
    snapshot = state.cache.current(state.now());
  }
  if (snapshot && deps.oktaPrincipals && (parsed.kind === 'user' || parsed.kind === 'group')) {
    const planDeps = {
      policy: deps.policy,
      identityCenter: deps.plan.identityCenter,
      okta: deps.oktaPrincipals,
      store: deps.store,
      cache: state.cache,
      now: state.now,
      reuseLinks: context.attempts === 1,
    };
    const outcome =
      parsed.kind === 'user'
        ? await planUserKey(planDeps, snapshot, parsed.id)
        : await planGroupKey(planDeps, snapshot, parsed.id);
    if (outcome.kind === 'planned') prepared = prepareKey(deps, state, snapshot, outcome);
    else context.logger.info({ reason: outcome.reason }, 'key needs the full read path');
  }
  prepared ??= await prepareFull(deps, state, parsed);
  const scoped = prepared.scoped;
  // The same guard as `apply`: a key that would delete more than maxDeletes is refused.
  assertGuards(scoped);

  for (const other of prepared.keysToQueue) if (other !== key) await deps.enqueue(other);

  const runId = randomUUID();
  const applied = await state.ledger.exclusive(
    scoped.operations.map((op) => op.key),
    async () => {
      const superseded: { op: PlanOperation; by: string }[] = [];
      const kept: PlanOperation[] = [];
      for (const op of scoped.operations) {
        const by = state.ledger.writtenAfter(op.key, mark);
        if (by === undefined) kept.push(op);
        else superseded.push({ op, by });
      }
      const plan = superseded.length > 0 ? narrowPlan(scoped, kept) : scoped;
      if (plan.operations.length === 0 && parsed.kind !== 'full') {
        return { plan, superseded, result: null };
      }
      // Debug: each operation gets its own info line below, with the run id.
      context.logger.debug(
        { runId, operations: plan.operations.length, summary: plan.summary, path: prepared.path },
        'applying scoped plan',
      );
      const result = await applyPlan(
        plan,
        {
          writer: state.writer,
          store: deps.store,
          findPermissionSetArn: prepared.findPermissionSetArn,
          completion: state.completion,
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
        if (outcome.status === 'Success') state.ledger.record(outcome.key, outcome.kind);
      }
      // Attempted or not, a permission set write makes what keys read of permission sets stale.
      if (result.outcomes.some((outcome) => PERMISSION_SET_WRITES.has(outcome.kind))) {
        state.cache.forgetWholeReads();
      }
      return { plan, superseded, result };
    },
  );
  const { result } = applied;
  if (applied.superseded.length > 0) {
    context.logger.info(
      { superseded: applied.superseded.map((s) => `${s.op.kind} ${s.op.key} (by ${s.by})`) },
      'operations already written by a concurrent key',
    );
    // A newer write that disagrees with ours means our reads are stale: look again.
    if (applied.superseded.some((s) => s.by !== s.op.kind)) await deps.enqueue(key);
  }
  if (result) {
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
  await prepared.remember();
  deps.onReconciled?.({
    key,
    path: prepared.path,
    fullPlan: prepared.fullPlan,
    scopedPlan: applied.plan,
    result,
    superseded: applied.superseded.map((s) => ({ key: s.op.key, by: s.by })),
  });

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
