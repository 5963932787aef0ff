import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import type { ApplyProgress, ApplyResult, OperationOutcome } from '../../app/apply/apply-plan.js';
import { applyPlan } from '../../app/apply/apply-plan.js';
import type { FreshPlan } from '../../app/plan/plan-service.js';
import { permissionSetArnFinder, rememberMatchedGroups } from '../../app/plan/plan-service.js';
import type { RevalidationNote } from '../../app/plan/revalidate-plan.js';
import { revalidatePlan } from '../../app/plan/revalidate-plan.js';
import { UsageError } from '../../core/errors.js';
import { assertGuards } from '../../core/plan/check-guards.js';
import type { Plan } from '../../core/plan/plan.js';
import { parsePlan } from '../../core/plan/plan.js';
import { renderPlan } from '../../core/plan/render-plan.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import type { ApplyCommandOptions } from './apply-command.js';
import { openPlanSession, savePlan } from './plan-action.js';

/** Where the confirmation is read from: stdin, or a stream a test provides. */
export type ConfirmationInput = NodeJS.ReadableStream & { readonly isTTY?: boolean };

/**
 * The `apply` handler, loaded when the command runs (see apply-command.ts). `input` is where the
 * confirmation is read (default process.stdin); a non-TTY input without `--yes` refuses with a
 * UsageError.
 */
export async function applyCommand(
  context: CliContext,
  planFile: string | undefined,
  options: ApplyCommandOptions,
  input: ConfirmationInput = process.stdin,
): Promise<number> {
  const saved = planFile ? await readPlanFile(planFile) : undefined;
  const session = await openPlanSession(context);
  try {
    const fresh = await session.plan(options.confirmEmptyGroup);
    let plan: Plan = fresh.plan;
    let notes: readonly RevalidationNote[] = [];
    if (saved) {
      if (saved.instanceArn !== fresh.plan.instanceArn) {
        throw new UsageError(
          `plan ${planFile ?? ''} is for ${saved.instanceArn}, but the config reaches ${fresh.plan.instanceArn}`,
        );
      }
      ({ plan, notes } = revalidatePlan(saved, fresh.plan));
      if (!context.json) {
        for (const note of notes) context.stdout.write(`${note.change}: ${note.explanation}\n`);
      }
    }
    if (plan.operations.length === 0) {
      if (context.json) {
        context.stdout.write(`${JSON.stringify({ status: 'no-changes', notes, plan }, null, 2)}\n`);
      } else {
        context.stdout.write(
          `No changes to apply.${plan.pending.length > 0 ? ` ${plan.pending.length} principal(s) pending in the identity store.` : ''}\n`,
        );
      }
      return ExitCode.ok;
    }
    const guards = assertGuards(plan, {
      ...(options.allowDeletes !== undefined ? { allowDeletes: options.allowDeletes } : {}),
    });
    if (!context.json) {
      context.stdout.write(renderPlan(plan, { color: context.stdout.isTTY === true }));
      context.stdout.write('\n');
      for (const note of guards.notes) context.stdout.write(`Note: ${note}\n`);
    }
    if (options.yes !== true) {
      if (input.isTTY !== true) {
        throw new UsageError(
          'refusing to apply without confirmation: stdin is not a terminal; review the plan and pass --yes',
        );
      }
      if (!(await confirm(context, plan, input))) {
        context.stdout.write('Apply cancelled.\n');
        return ExitCode.error;
      }
    }
    const planId = await savePlan(session.store, plan);
    const result = await applyPlan(
      plan,
      {
        writer: session.adapters.identityCenterWriter,
        store: session.store,
        findPermissionSetArn: permissionSetArnFinder(session.deps.identityCenter, fresh.instance),
      },
      {
        actor: `cli:${safeUserName()}`,
        trigger: 'cli:apply',
        cause: planFile ? `plan file ${planFile}` : 'fresh plan',
        planId,
        onProgress: progressPrinter(context),
      },
    );
    await rememberGroups(session.store, fresh);
    report(context, result, notes, plan);
    return result.counts.Error + result.counts.NotExecuted > 0 ? ExitCode.error : ExitCode.ok;
  } finally {
    await session.close();
  }
}

async function readPlanFile(file: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read plan file ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parsePlan(text);
}

async function rememberGroups(
  store: Parameters<typeof rememberMatchedGroups>[0],
  fresh: FreshPlan,
): Promise<void> {
  await rememberMatchedGroups(store, fresh.okta, fresh.desired);
}

async function confirm(
  context: CliContext,
  plan: Plan,
  input: ConfirmationInput,
): Promise<boolean> {
  const prompt = createInterface({ input, output: context.stdout });
  try {
    const answer = await prompt.question(
      `Apply ${plan.operations.length} operation(s) to ${plan.instanceArn}? Only 'yes' is accepted: `,
    );
    return answer.trim() === 'yes';
  } finally {
    prompt.close();
  }
}

const STATUS_MARK: Readonly<Record<OperationOutcome['status'], string>> = {
  Success: 'ok     ',
  Error: 'FAILED ',
  NotExecuted: 'skipped',
  Pending: 'pending',
};

function outcomeLine(outcome: OperationOutcome): string {
  const parts = [`${STATUS_MARK[outcome.status]} ${outcome.description}`];
  if (outcome.cause) parts.push(`: ${outcome.cause}`);
  if (outcome.awsRequestId) parts.push(` [request ${outcome.awsRequestId}]`);
  return parts.join('');
}

/** On a TTY a redrawn progress line on stderr; otherwise a plain line per finished operation. */
function progressPrinter(context: CliContext): ((progress: ApplyProgress) => void) | undefined {
  if (context.json) return undefined;
  if (context.stderr.isTTY === true) {
    return (progress) => {
      if (progress.type === 'wave') return;
      context.stderr.write(
        `\r\u001b[2K[${progress.done}/${progress.total}] ${progress.outcome.description}`,
      );
      if (progress.done === progress.total) context.stderr.write('\r\u001b[2K');
    };
  }
  return (progress) => {
    if (progress.type === 'wave') {
      context.stdout.write(`-- ${progress.wave}: ${progress.operations} operation(s)\n`);
    } else {
      context.stdout.write(
        `[${progress.done}/${progress.total}] ${outcomeLine(progress.outcome)}\n`,
      );
    }
  };
}

function report(
  context: CliContext,
  result: ApplyResult,
  notes: readonly RevalidationNote[],
  plan: Plan,
): void {
  if (context.json) {
    context.stdout.write(`${JSON.stringify({ ...result, notes }, null, 2)}\n`);
    return;
  }
  if (context.stderr.isTTY === true) {
    for (const outcome of result.outcomes) context.stdout.write(`${outcomeLine(outcome)}\n`);
  }
  const { Success, Error, NotExecuted, Pending } = result.counts;
  context.stdout.write(
    `Apply ${result.status} (run ${result.runId}): ${Success} succeeded, ${Error} failed, ${NotExecuted} not executed, ${Pending} pending.\n`,
  );
  for (const problem of result.recordErrors) {
    context.stderr.write(`warning: could not record: ${problem}\n`);
  }
  if (plan.operations.some((op) => op.kind === 'delete-assignment')) {
    context.stdout.write(
      'Removed access takes effect for new sign-ins; AWS does not end sessions already issued (they last up to their session duration).\n',
    );
  }
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
