import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { FreshPlan, PlanServiceDeps } from '../../app/plan/plan-service.js';
import { planFromCurrentState } from '../../app/plan/plan-service.js';
import type { Adapters } from '../../app/wiring.js';
import { buildAdapters } from '../../app/wiring.js';
import { loadConfig } from '../../config/load-config.js';
import { checkGuards } from '../../core/plan/check-guards.js';
import type { Plan } from '../../core/plan/plan.js';
import { renderPlan } from '../../core/plan/render-plan.js';
import type { ReadProgress } from '../../ports/aws-readers.js';
import type { Store } from '../../ports/store.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import type { PlanOptions } from './plan-command.js';

/** The `plan` handler, loaded when the command runs (see plan-command.ts). */
export async function planAction(context: CliContext, options: PlanOptions): Promise<number> {
  const session = await openPlanSession(context);
  try {
    const fresh = await session.plan(options.confirmEmptyGroup);
    const stored = await savePlan(session.store, fresh.plan);
    if (options.out) {
      await writeFile(options.out, `${JSON.stringify(fresh.plan, null, 2)}\n`);
    }
    if (context.json) {
      context.stdout.write(`${JSON.stringify(fresh.plan, null, 2)}\n`);
    } else {
      context.stdout.write(renderPlan(fresh.plan, { color: context.stdout.isTTY === true }));
      context.stdout.write('\n');
      for (const line of guardLines(fresh.plan)) context.stdout.write(`${line}\n`);
      context.stdout.write(`Plan ${stored} saved in the store.`);
      context.stdout.write(options.out ? ` Written to ${options.out}.\n` : '\n');
    }
    const changes = fresh.plan.operations.length > 0;
    return options.detailedExitcode && changes ? ExitCode.planHasChanges : ExitCode.ok;
  } finally {
    await session.close();
  }
}

/** Config, adapters and store for one plan or apply command; `close` releases them. */
export interface PlanSession {
  readonly adapters: Adapters;
  readonly store: Store;
  readonly deps: PlanServiceDeps;
  readonly policy: Adapters['loaded']['policy'];
  plan(confirmEmptyGroups?: readonly string[]): Promise<FreshPlan>;
  close(): Promise<void>;
}

/** Loads the config, builds the adapters and opens the store, with read progress on a TTY. */
export async function openPlanSession(context: CliContext): Promise<PlanSession> {
  const loaded = await loadConfig(context.configPath, { env: context.env });
  const adapters = buildAdapters(loaded, { env: context.env });
  try {
    const store = await adapters.store();
    const deps: PlanServiceDeps = {
      identityCenter: adapters.awsReaders.identityCenter,
      organizations: adapters.awsReaders.organizations,
      okta: adapters.okta.reader,
      store,
    };
    return {
      adapters,
      store,
      deps,
      policy: loaded.policy,
      async plan(confirmEmptyGroups) {
        const progress = readProgress(context);
        try {
          return await planFromCurrentState(loaded.policy, deps, {
            ...(adapters.instanceArn ? { instanceArn: adapters.instanceArn } : {}),
            ...(confirmEmptyGroups && confirmEmptyGroups.length > 0 ? { confirmEmptyGroups } : {}),
            onProgress: progress.update,
          });
        } finally {
          progress.done();
        }
      },
      close: () => adapters.close(),
    };
  } catch (error) {
    await adapters.close();
    throw error;
  }
}

/** Stores the plan (for the API and the run records); returns its id. */
export async function savePlan(store: Store, plan: Plan): Promise<string> {
  const stored = await store.savePlan({ id: randomUUID(), summary: plan.summary, body: plan });
  return stored.id;
}

/** What the guards will say at apply time, for the plan's readers. */
export function guardLines(plan: Plan): string[] {
  const guards = checkGuards(plan);
  return [
    ...guards.refusals.map((refusal) => `Apply will refuse: ${refusal}`),
    ...guards.notes.map((note) => `Note: ${note}`),
  ];
}

/** Read progress on stderr: one redrawn line on a TTY, nothing otherwise (plans are quiet). */
function readProgress(context: CliContext): {
  update: (progress: ReadProgress) => void;
  done: () => void;
} {
  if (context.stderr.isTTY !== true || context.json) {
    return { update: () => undefined, done: () => undefined };
  }
  let drawn = false;
  return {
    update(progress) {
      drawn = true;
      context.stderr.write(
        `\r\u001b[2Kreading ${progress.unit}: ${progress.done}/${progress.total}`,
      );
    },
    done() {
      if (drawn) context.stderr.write('\r\u001b[2K');
    },
  };
}
