import { randomUUID } from 'node:crypto';
import type { Clock } from '../../adapters/aws/rate-limiter.js';
import { systemClock } from '../../adapters/aws/rate-limiter.js';
import { assignmentKey } from '../../core/domain/assignment-key.js';
import type { AccountAssignment, PermissionsBoundary } from '../../core/domain/identity-center.js';
import type {
  IdcGroupId,
  IdcUserId,
  InstanceArn,
  ManagedPolicyArn,
  PermissionSetArn,
} from '../../core/domain/ids.js';
import { AccountId, PermissionSetArn as PermissionSetArnFormat } from '../../core/domain/ids.js';
import type {
  CreateAssignmentOperation,
  CreatePermissionSetOperation,
  DeleteAssignmentOperation,
  DeletePermissionSetOperation,
  Plan,
  PlanOperation,
  PlanOperationKind,
  PlanWave,
  ProvisionPermissionSetOperation,
  UpdatePermissionSetOperation,
} from '../../core/plan/plan.js';
import { PLAN_WAVES, WAVE_OF_KIND } from '../../core/plan/plan.js';
import type {
  AsyncRequestStatus,
  IdentityCenterWriter,
  WriteErrorKind,
} from '../../ports/identity-center-writer.js';
import { IdentityCenterWriteError } from '../../ports/identity-center-writer.js';
import type { OperationStatus, RunStatus, Store } from '../../ports/store.js';
import type { AttemptCounter, PollOptions, WriteRetryOptions } from './write-retry.js';
import {
  CompletionEstimate,
  PollTimeoutError,
  pollToTerminal,
  resolvePoll,
  resolveRetry,
  withRetry,
} from './write-retry.js';

/** Concurrency bounds of the executor; defaults are the AWS quotas (aws-identity-center.md §7). */
export interface ApplyLimits {
  /** CreateAccountAssignment requests outstanding (sent and not yet terminal). Default 15. */
  readonly maxOutstandingCreates?: number;
  /** DeleteAccountAssignment requests outstanding. Default 15. */
  readonly maxOutstandingDeletes?: number;
  /** ProvisionPermissionSet requests running at once, until terminal. Default 3. */
  readonly maxConcurrentProvisions?: number;
  /** Permission sets created, updated or deleted at once. Default 3. */
  readonly maxConcurrentPermissionSetWrites?: number;
}

export interface ApplyDeps {
  readonly writer: IdentityCenterWriter;
  readonly store: Store;
  /** Sleeps of backoff and polling; default real time. */
  readonly clock?: Clock;
  /**
   * Looks up the ARN of a permission set by name. Used when CreatePermissionSet reports that the
   * name already exists (a concurrent or earlier run created it), so that the create still counts
   * as a success and later operations can use it. Without it, such a create is an Error.
   */
  readonly findPermissionSetArn?: (name: string) => Promise<PermissionSetArn | undefined>;
  /**
   * Learned completion times of async requests, per kind. Default: fresh ones for this run.
   * A caller that applies many small plans (serve's per-key reconciles) passes one set for all
   * of them, so each plan's polls land when work is done instead of on the unlearned schedule.
   */
  readonly completion?: CompletionEstimates;
}

/** One learned completion time per kind of async request. */
export type CompletionEstimates = Readonly<Record<AsyncRequestStatus['kind'], CompletionEstimate>>;

/** Fresh estimates; the floor of the first-poll wait follows `poll` as applyPlan's own do. */
export function createCompletionEstimates(poll?: PollOptions): CompletionEstimates {
  const floor = Math.min(resolvePoll(poll).initialDelayMs, MIN_FIRST_POLL_MS);
  return {
    provision: new CompletionEstimate(floor),
    'create-assignment': new CompletionEstimate(floor),
    'delete-assignment': new CompletionEstimate(floor),
  };
}

/** Progress, for displays: a wave started, or an operation finished. */
export type ApplyProgress =
  | { readonly type: 'wave'; readonly wave: PlanWave; readonly operations: number }
  | {
      readonly type: 'operation';
      readonly outcome: OperationOutcome;
      readonly done: number;
      readonly total: number;
    };

export interface ApplyOptions {
  /** Who or what caused the run, for audit: `cli:<user>`, `service`, `okta-event:<uuid>`. */
  readonly actor: string;
  /** The run's trigger, e.g. `cli:apply`, `event`, `periodic`. */
  readonly trigger: string;
  /** Free-text why (a plan id, an event uuid). */
  readonly cause?: string | null;
  /** The stored plan this run applies, when it was saved. */
  readonly planId?: string | null;
  /** Default a random UUID. */
  readonly runId?: string;
  readonly limits?: ApplyLimits;
  readonly retry?: WriteRetryOptions;
  readonly poll?: PollOptions;
  readonly onProgress?: (progress: ApplyProgress) => void;
}

/** The result of one plan operation. */
export interface OperationOutcome {
  /** Index in `plan.operations`. */
  readonly index: number;
  readonly kind: PlanOperationKind;
  readonly key: string;
  /** A short human description, e.g. `create assignment alice → ReadOnly in 111111111111`. */
  readonly description: string;
  /**
   * Success (done, or already so); Error (failed: see cause); NotExecuted (skipped because an
   * operation it depends on did not succeed: see cause); Pending (the principal is not in the
   * identity store yet; picked up by a later run).
   */
  readonly status: OperationStatus;
  readonly cause: string | null;
  /** The AWS request id of the operation's (last) write call. */
  readonly awsRequestId: string | null;
  /** The async request id, for assignment and provisioning operations. */
  readonly asyncRequestId: string | null;
  /** Write calls made, retries included (status polls not counted). 0 when not executed. */
  readonly attempts: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

export interface ApplyResult {
  readonly runId: string;
  readonly status: RunStatus;
  readonly outcomes: readonly OperationOutcome[];
  readonly counts: Readonly<Record<OperationStatus, number>>;
  /** Store writes (results, audit, ownership) that failed; AWS state is unaffected by them. */
  readonly recordErrors: readonly string[];
}

/** Floor of the learned first-poll wait: 20 ms, or the configured initial wait when smaller. */
const MIN_FIRST_POLL_MS = 20;

/** Failure reasons that mean the principal is not (yet) in the identity store: SCIM lag. */
const PRINCIPAL_MISSING = /assignee \S+ was not found|principal \S+ (?:was )?not found/i;
/** Failure reasons of a delete that mean the assignment is already gone. */
const ASSIGNMENT_GONE = /assignment not found|assignment does not exist/i;

/**
 * Applies a plan and returns a result per operation; it never throws once the run is recorded
 * (only a store that cannot create the run row makes it reject, before any AWS call).
 *
 * Waves run in plan order (permission sets → provision → create assignments → delete
 * assignments → delete permission sets); operations inside a wave run concurrently within
 * `limits`. Every async request is polled to SUCCEEDED or FAILED. Throttles, 5xx and conflicts
 * are retried with jittered backoff, bounded by `retry`. "Already exists" and "already gone"
 * count as success. An operation whose prerequisite did not succeed is NotExecuted:
 * - provisions and assignment creates of a permission set whose create or update failed;
 * - deletes of a principal's assignments in an account where its new assignment failed (create
 *   before delete: never leave someone with less access because a replacement failed);
 * - a permission set delete when one of its assignment deletes failed.
 *
 * Records: a run row, every operation's result, an audit entry per executed operation (actor,
 * what, AWS request id), and ownership of what it created (removed for what it deleted).
 */
export async function applyPlan(
  plan: Plan,
  deps: ApplyDeps,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const executor = new PlanExecutor(plan, deps, options);
  return executor.run();
}

interface OperationWork {
  readonly index: number;
  readonly operation: PlanOperation;
}

class PlanExecutor {
  private readonly clock: Clock;
  private readonly retry;
  private readonly poll;
  private readonly limits: Required<ApplyLimits>;
  private readonly runId: string;
  private readonly instanceArn: InstanceArn;
  private readonly outcomes: OperationOutcome[] = [];
  private readonly recordErrors: string[] = [];
  /** Permission sets (by name) whose create or update did not succeed, with why. */
  private readonly failedPermissionSets = new Map<string, string>();
  private readonly createdPermissionSets = new Map<string, PermissionSetArn>();
  /** `account|principalType|principalId` whose create-assignment did not succeed. */
  private readonly failedCreates = new Map<string, string>();
  /** Permission set ARNs with a delete-assignment that did not succeed. */
  private readonly failedDeletes = new Map<string, string>();
  /** Learned completion times of async requests, per kind, so polls land when work is done. */
  private readonly completion: CompletionEstimates;
  private done = 0;

  constructor(
    private readonly plan: Plan,
    private readonly deps: ApplyDeps,
    private readonly options: ApplyOptions,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.retry = resolveRetry(options.retry);
    this.poll = resolvePoll(options.poll);
    this.completion = deps.completion ?? createCompletionEstimates(options.poll);
    this.limits = {
      maxOutstandingCreates: options.limits?.maxOutstandingCreates ?? 15,
      maxOutstandingDeletes: options.limits?.maxOutstandingDeletes ?? 15,
      maxConcurrentProvisions: options.limits?.maxConcurrentProvisions ?? 3,
      maxConcurrentPermissionSetWrites: options.limits?.maxConcurrentPermissionSetWrites ?? 3,
    };
    this.runId = options.runId ?? randomUUID();
    this.instanceArn = plan.instanceArn as InstanceArn;
  }

  async run(): Promise<ApplyResult> {
    await this.deps.store.createRun({
      id: this.runId,
      trigger: this.options.trigger,
      cause: this.options.cause ?? null,
      planId: this.options.planId ?? null,
    });
    const byWave = new Map<PlanWave, OperationWork[]>();
    this.plan.operations.forEach((operation, index) => {
      const wave = WAVE_OF_KIND[operation.kind];
      const list = byWave.get(wave) ?? [];
      list.push({ index, operation });
      byWave.set(wave, list);
    });
    for (const wave of PLAN_WAVES) {
      const work = byWave.get(wave) ?? [];
      if (work.length === 0) continue;
      this.options.onProgress?.({ type: 'wave', wave, operations: work.length });
      await runBounded(work, this.limitOf(wave), (item) => this.execute(item));
    }
    this.outcomes.sort((a, b) => a.index - b.index);
    const counts: Record<OperationStatus, number> = {
      Success: 0,
      Error: 0,
      NotExecuted: 0,
      Pending: 0,
    };
    for (const outcome of this.outcomes) counts[outcome.status] += 1;
    const failed = counts.Error + counts.NotExecuted;
    const status: RunStatus =
      failed === 0 ? 'succeeded' : counts.Success > 0 || counts.Pending > 0 ? 'partial' : 'failed';
    await this.safely('finish run', () =>
      this.deps.store.finishRun(this.runId, {
        status,
        summary: { counts, operations: this.outcomes.length, recordErrors: this.recordErrors },
      }),
    );
    return {
      runId: this.runId,
      status,
      outcomes: this.outcomes,
      counts,
      recordErrors: this.recordErrors,
    };
  }

  private limitOf(wave: PlanWave): number {
    switch (wave) {
      case 'permission-sets':
      case 'delete-permission-sets':
        return this.limits.maxConcurrentPermissionSetWrites;
      case 'provision':
        return this.limits.maxConcurrentProvisions;
      case 'create-assignments':
        return this.limits.maxOutstandingCreates;
      case 'delete-assignments':
        return this.limits.maxOutstandingDeletes;
    }
  }

  private async execute({ index, operation }: OperationWork): Promise<void> {
    const startedAt = new Date().toISOString();
    const counter: AttemptCounter = { attempts: 0, awsRequestId: null };
    let result: StepResult;
    try {
      result = await this.perform(operation, counter);
    } catch (error) {
      result = { status: 'Error', cause: describeError(error) };
    }
    const outcome: OperationOutcome = {
      index,
      kind: operation.kind,
      key: operation.key,
      description: describeOperation(operation),
      status: result.status,
      cause: result.cause ?? null,
      awsRequestId: counter.awsRequestId,
      asyncRequestId: result.asyncRequestId ?? null,
      attempts: counter.attempts,
      startedAt: result.status === 'NotExecuted' ? null : startedAt,
      finishedAt: result.status === 'NotExecuted' ? null : new Date().toISOString(),
    };
    this.noteFailure(operation, outcome);
    this.outcomes.push(outcome);
    await this.record(operation, outcome);
    this.done += 1;
    this.options.onProgress?.({
      type: 'operation',
      outcome,
      done: this.done,
      total: this.plan.operations.length,
    });
  }

  private noteFailure(operation: PlanOperation, outcome: OperationOutcome): void {
    if (outcome.status === 'Success' || outcome.status === 'Pending') return;
    const why = `${outcome.description} ${outcome.status === 'Error' ? 'failed' : 'was not executed'}${outcome.cause ? ` (${outcome.cause})` : ''}`;
    switch (operation.kind) {
      case 'create-permission-set':
      case 'update-permission-set':
        this.failedPermissionSets.set(operation.name, why);
        break;
      case 'create-assignment':
        this.failedCreates.set(principalInAccount(operation), why);
        break;
      case 'delete-assignment':
        this.failedDeletes.set(operation.permissionSetArn, why);
        break;
      default:
        break;
    }
  }

  private async record(operation: PlanOperation, outcome: OperationOutcome): Promise<void> {
    await this.safely(`record operation ${outcome.index}`, () =>
      this.deps.store.recordOperation({
        runId: this.runId,
        opIndex: outcome.index,
        kind: outcome.kind,
        key: outcome.key,
        status: outcome.status,
        cause: outcome.cause,
        awsRequestId: outcome.awsRequestId,
        attempts: outcome.attempts,
        startedAt: outcome.startedAt,
        finishedAt: outcome.finishedAt,
      }),
    );
    if (outcome.attempts === 0) return;
    await this.safely(`audit operation ${outcome.index}`, () =>
      this.deps.store.appendAudit({
        actor: this.options.actor,
        action: operation.kind,
        target: outcome.key,
        requestId: outcome.awsRequestId,
        details: {
          runId: this.runId,
          status: outcome.status,
          cause: outcome.cause,
          description: outcome.description,
          asyncRequestId: outcome.asyncRequestId,
          attempts: outcome.attempts,
          ...('reason' in operation ? { reason: operation.reason } : {}),
        },
      }),
    );
  }

  /** Runs a store write; a failure is collected, never thrown (AWS work must not stop halfway). */
  private async safely(what: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.recordErrors.push(`${what}: ${describeError(error)}`);
    }
  }

  private perform(operation: PlanOperation, counter: AttemptCounter): Promise<StepResult> {
    switch (operation.kind) {
      case 'create-permission-set':
        return this.createPermissionSet(operation, counter);
      case 'update-permission-set':
        return this.updatePermissionSet(operation, counter);
      case 'provision-permission-set':
        return this.provision(operation, counter);
      case 'create-assignment':
        return this.createAssignment(operation, counter);
      case 'delete-assignment':
        return this.deleteAssignment(operation, counter);
      case 'delete-permission-set':
        return this.deletePermissionSet(operation, counter);
    }
  }

  private call<T extends { readonly awsRequestId: string | null }>(
    counter: AttemptCounter,
    write: () => Promise<T>,
  ): Promise<T> {
    return withRetry(write, counter, this.retry, this.clock);
  }

  /** Runs a write for which some error kinds mean "already so": those count as success. */
  private async idempotent(
    counter: AttemptCounter,
    okKinds: readonly WriteErrorKind[],
    write: () => Promise<{ readonly awsRequestId: string | null }>,
  ): Promise<void> {
    try {
      await this.call(counter, write);
    } catch (error) {
      if (error instanceof IdentityCenterWriteError && okKinds.includes(error.kind)) return;
      throw error;
    }
  }

  private async createPermissionSet(
    operation: CreatePermissionSetOperation,
    counter: AttemptCounter,
  ): Promise<StepResult> {
    const writer = this.deps.writer;
    const definition = operation.definition;
    const tags = { ...definition.tags, [this.plan.ownershipTag.key]: this.plan.ownershipTag.value };
    let arn: PermissionSetArn;
    let note: string | null = null;
    try {
      const created = await this.call(counter, () =>
        writer.createPermissionSet(this.instanceArn, {
          name: operation.name,
          ...optional('description', definition.description),
          ...optional('sessionDuration', definition.sessionDuration),
          ...optional('relayState', definition.relayState),
          tags,
        }),
      );
      arn = created.permissionSetArn;
    } catch (error) {
      if (!(error instanceof IdentityCenterWriteError && error.kind === 'already-exists')) {
        throw error;
      }
      const existing = await this.deps.findPermissionSetArn?.(operation.name);
      if (!existing) throw error;
      arn = existing;
      note = 'already existed';
    }
    this.createdPermissionSets.set(operation.name, arn);
    if (note === null) {
      await this.safely(`ownership of ${arn}`, () =>
        this.deps.store.upsertOwnership({
          key: arn,
          kind: 'permissionSet',
          rule: operation.rules[0] ?? '',
          createdByRun: this.runId,
        }),
      );
    }
    for (const policy of definition.managedPolicies) {
      await this.idempotent(counter, ['already-exists'], () =>
        writer.attachManagedPolicy(this.instanceArn, arn, policy as ManagedPolicyArn),
      );
    }
    for (const reference of definition.customerManagedPolicies) {
      await this.idempotent(counter, ['already-exists'], () =>
        writer.attachCustomerManagedPolicy(this.instanceArn, arn, reference),
      );
    }
    if (definition.inlinePolicy !== undefined && definition.inlinePolicy !== '') {
      const document = definition.inlinePolicy;
      await this.call(counter, () => writer.putInlinePolicy(this.instanceArn, arn, document));
    }
    if (definition.permissionsBoundary) {
      const boundary = definition.permissionsBoundary;
      await this.call(counter, () =>
        writer.putPermissionsBoundary(this.instanceArn, arn, toBoundary(boundary)),
      );
    }
    return { status: 'Success', cause: note };
  }

  private async updatePermissionSet(
    operation: UpdatePermissionSetOperation,
    counter: AttemptCounter,
  ): Promise<StepResult> {
    const writer = this.deps.writer;
    const arn = operation.permissionSetArn as PermissionSetArn;
    const definition = operation.definition;
    const attributesChanged = operation.changes.some(
      (change) =>
        change.field === 'description' ||
        change.field === 'sessionDuration' ||
        change.field === 'relayState',
    );
    if (attributesChanged) {
      // All three every time: AWS clears RelayState when it is omitted.
      await this.call(counter, () =>
        writer.updatePermissionSet(this.instanceArn, arn, {
          ...optional('description', definition.description),
          ...optional('sessionDuration', definition.sessionDuration),
          ...optional('relayState', definition.relayState),
        }),
      );
    }
    const setTags: Record<string, string> = {};
    const removeTags: string[] = [];
    for (const change of operation.changes) {
      switch (change.field) {
        case 'managedPolicy': {
          const policy = change.arn as ManagedPolicyArn;
          await (change.action === 'attach'
            ? this.idempotent(counter, ['already-exists'], () =>
                writer.attachManagedPolicy(this.instanceArn, arn, policy),
              )
            : this.idempotent(counter, ['not-found'], () =>
                writer.detachManagedPolicy(this.instanceArn, arn, policy),
              ));
          break;
        }
        case 'customerManagedPolicy': {
          const reference = change.reference;
          await (change.action === 'attach'
            ? this.idempotent(counter, ['already-exists'], () =>
                writer.attachCustomerManagedPolicy(this.instanceArn, arn, reference),
              )
            : this.idempotent(counter, ['not-found'], () =>
                writer.detachCustomerManagedPolicy(this.instanceArn, arn, reference),
              ));
          break;
        }
        case 'inlinePolicy': {
          const document = change.document ?? definition.inlinePolicy;
          await (change.action === 'put' && document !== undefined
            ? this.call(counter, () => writer.putInlinePolicy(this.instanceArn, arn, document))
            : this.idempotent(counter, ['not-found'], () =>
                writer.deleteInlinePolicy(this.instanceArn, arn),
              ));
          break;
        }
        case 'permissionsBoundary': {
          const boundary = change.boundary ?? definition.permissionsBoundary;
          await (change.action === 'put' && boundary !== undefined
            ? this.call(counter, () =>
                writer.putPermissionsBoundary(this.instanceArn, arn, toBoundary(boundary)),
              )
            : this.idempotent(counter, ['not-found'], () =>
                writer.deletePermissionsBoundary(this.instanceArn, arn),
              ));
          break;
        }
        case 'tag':
          if (change.action === 'set' && change.to !== undefined) setTags[change.key] = change.to;
          else removeTags.push(change.key);
          break;
        default:
          break;
      }
    }
    if (Object.keys(setTags).length > 0) {
      await this.call(counter, () => writer.tagPermissionSet(this.instanceArn, arn, setTags));
    }
    if (removeTags.length > 0) {
      await this.call(counter, () => writer.untagPermissionSet(this.instanceArn, arn, removeTags));
    }
    return { status: 'Success' };
  }

  private async provision(
    operation: ProvisionPermissionSetOperation,
    counter: AttemptCounter,
  ): Promise<StepResult> {
    const blocked = this.failedPermissionSets.get(operation.name);
    if (blocked) return { status: 'NotExecuted', cause: `depends on: ${blocked}` };
    const arn = operation.permissionSetArn as PermissionSetArn;
    const accountId = AccountId.parse(operation.accountId);
    const started = await this.call(counter, () =>
      this.deps.writer.provisionPermissionSet(this.instanceArn, arn, {
        kind: 'account',
        accountId,
      }),
    );
    const final = await this.awaitTerminal(started);
    if (final.status === 'SUCCEEDED') return { status: 'Success', asyncRequestId: final.requestId };
    return {
      status: 'Error',
      cause: `provisioning FAILED: ${final.failureReason ?? 'no reason given'}`,
      asyncRequestId: final.requestId,
    };
  }

  private async createAssignment(
    operation: CreateAssignmentOperation,
    counter: AttemptCounter,
  ): Promise<StepResult> {
    const name = operation.permissionSetName;
    let arn = operation.permissionSetArn as PermissionSetArn | undefined;
    if (!arn) {
      const blocked = this.failedPermissionSets.get(name);
      if (blocked) return { status: 'NotExecuted', cause: `depends on: ${blocked}` };
      arn = this.createdPermissionSets.get(name) ?? (await this.deps.findPermissionSetArn?.(name));
      if (!arn) {
        return { status: 'Error', cause: `permission set ${name} does not exist (no ARN known)` };
      }
    }
    const assignment = toAssignment(this.instanceArn, operation, arn);
    let started: AsyncRequestStatus;
    try {
      started = await this.call(counter, () =>
        this.deps.writer.createAccountAssignment(assignment),
      );
    } catch (error) {
      if (
        error instanceof IdentityCenterWriteError &&
        error.kind === 'not-found' &&
        PRINCIPAL_MISSING.test(error.message)
      ) {
        return { status: 'Pending', cause: pendingCause(operation, error.message) };
      }
      throw error;
    }
    const final = await this.awaitTerminal(started);
    if (final.status === 'SUCCEEDED') {
      await this.safely(`ownership of ${assignmentKey(assignment)}`, () =>
        this.deps.store.upsertOwnership({
          key: assignmentKey(assignment),
          kind: 'assignment',
          rule: operation.reason.rule ?? '',
          createdByRun: this.runId,
        }),
      );
      return { status: 'Success', asyncRequestId: final.requestId };
    }
    const reason = final.failureReason ?? 'no reason given';
    if (PRINCIPAL_MISSING.test(reason)) {
      return {
        status: 'Pending',
        cause: pendingCause(operation, reason),
        asyncRequestId: final.requestId,
      };
    }
    return { status: 'Error', cause: `FAILED: ${reason}`, asyncRequestId: final.requestId };
  }

  private async deleteAssignment(
    operation: DeleteAssignmentOperation,
    counter: AttemptCounter,
  ): Promise<StepResult> {
    const blocked = this.failedCreates.get(principalInAccount(operation));
    if (blocked) {
      return { status: 'NotExecuted', cause: `create before delete: ${blocked}` };
    }
    const assignment = toAssignment(
      this.instanceArn,
      operation,
      operation.permissionSetArn as PermissionSetArn,
    );
    const key = assignmentKey(assignment);
    let started: AsyncRequestStatus;
    try {
      started = await this.call(counter, () =>
        this.deps.writer.deleteAccountAssignment(assignment),
      );
    } catch (error) {
      if (error instanceof IdentityCenterWriteError && error.kind === 'not-found') {
        await this.forget(key);
        return { status: 'Success', cause: 'already gone' };
      }
      throw error;
    }
    const final = await this.awaitTerminal(started);
    if (final.status === 'SUCCEEDED') {
      await this.forget(key);
      return { status: 'Success', asyncRequestId: final.requestId };
    }
    const reason = final.failureReason ?? 'no reason given';
    if (ASSIGNMENT_GONE.test(reason)) {
      await this.forget(key);
      return { status: 'Success', cause: 'already gone', asyncRequestId: final.requestId };
    }
    return { status: 'Error', cause: `FAILED: ${reason}`, asyncRequestId: final.requestId };
  }

  private async deletePermissionSet(
    operation: DeletePermissionSetOperation,
    counter: AttemptCounter,
  ): Promise<StepResult> {
    const blocked = this.failedDeletes.get(operation.permissionSetArn);
    if (blocked) return { status: 'NotExecuted', cause: `depends on: ${blocked}` };
    const arn = operation.permissionSetArn as PermissionSetArn;
    let cause: string | null = null;
    try {
      // A conflict here usually means AWS is still de-provisioning after the last assignment
      // went; the retry loop waits it out.
      await this.call(counter, () => this.deps.writer.deletePermissionSet(this.instanceArn, arn));
    } catch (error) {
      if (!(error instanceof IdentityCenterWriteError && error.kind === 'not-found')) throw error;
      cause = 'already gone';
    }
    await this.forget(arn);
    return { status: 'Success', cause };
  }

  private forget(key: string): Promise<void> {
    return this.safely(`ownership of ${key}`, () => this.deps.store.deleteOwnership(key));
  }

  private async awaitTerminal(started: AsyncRequestStatus): Promise<AsyncRequestStatus> {
    try {
      return await pollToTerminal(
        this.deps.writer,
        this.instanceArn,
        started,
        this.retry,
        this.poll,
        this.clock,
        this.completion[started.kind],
      );
    } catch (error) {
      if (error instanceof PollTimeoutError) throw error;
      throw new Error(
        `polling ${started.kind} request ${started.requestId} failed: ${describeError(error)}`,
        { cause: error },
      );
    }
  }
}

interface StepResult {
  readonly status: OperationStatus;
  readonly cause?: string | null;
  readonly asyncRequestId?: string;
}

/** Runs `fn` over `items` with at most `limit` running at once, starting them in order. */
async function runBounded<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await fn(item);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker()),
  );
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, string>);
}

type PlanBoundary = NonNullable<CreatePermissionSetOperation['definition']['permissionsBoundary']>;

function toBoundary(boundary: PlanBoundary): PermissionsBoundary {
  return boundary.kind === 'managed'
    ? { kind: 'managed', managedPolicyArn: boundary.managedPolicyArn as ManagedPolicyArn }
    : { kind: 'customer-managed', reference: boundary.reference };
}

function toAssignment(
  instanceArn: InstanceArn,
  operation: CreateAssignmentOperation | DeleteAssignmentOperation,
  permissionSetArn: PermissionSetArn,
): AccountAssignment {
  return {
    instanceArn,
    accountId: AccountId.parse(operation.accountId),
    permissionSetArn: PermissionSetArnFormat.parse(permissionSetArn),
    principalType: operation.principalType,
    principalId: operation.principalId as IdcUserId | IdcGroupId,
  };
}

function principalInAccount(
  operation: CreateAssignmentOperation | DeleteAssignmentOperation,
): string {
  return `${operation.accountId}|${operation.principalType}|${operation.principalId}`;
}

function pendingCause(operation: CreateAssignmentOperation, reason: string): string {
  return `principal ${operation.principalName} is not in the identity store yet (SCIM lag?); the next run picks it up: ${reason}`;
}

/** A one-line description for humans: the verb, the object and where. */
export function describeOperation(operation: PlanOperation): string {
  switch (operation.kind) {
    case 'create-permission-set':
      return `create permission set ${operation.name}`;
    case 'update-permission-set':
      return `update permission set ${operation.name} (${operation.changes.length} change${operation.changes.length === 1 ? '' : 's'})`;
    case 'provision-permission-set':
      return `provision permission set ${operation.name} to ${operation.accountId}`;
    case 'create-assignment':
      return `create assignment ${operation.principalType} ${operation.principalName} → ${operation.permissionSetName} in ${operation.accountId}`;
    case 'delete-assignment':
      return `delete assignment ${operation.principalType} ${operation.principalName} → ${operation.permissionSetName} in ${operation.accountId}`;
    case 'delete-permission-set':
      return `delete permission set ${operation.name}`;
  }
}

function describeError(error: unknown): string {
  if (error instanceof IdentityCenterWriteError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
