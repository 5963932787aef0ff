import { InvalidArgumentError } from 'commander';
import type { RegisterCommand } from './index.js';

/** Options of `apply`, as commander parses them. */
export interface ApplyCommandOptions {
  yes?: boolean;
  allowDeletes?: number;
  confirmEmptyGroup?: string[];
}

/**
 * `apply [plan.json] [--yes] [--allow-deletes N] [--confirm-empty-group ID…]`.
 *
 * With a plan file, the saved plan is re-validated against fresh state first (operations no
 * longer needed are dropped, changed ones re-planned, each explained; nothing new is added);
 * without one, a fresh plan is made. Then:
 * - the maxDeletes guard: more deletes than safety.maxDeletes without --allow-deletes N (N at
 *   least the number of deletes) refuses with exit 4, before anything is asked or changed;
 * - confirmation: on a terminal, the plan is shown and only "yes" proceeds (anything else
 *   cancels, exit 1); without a terminal, --yes is required, else exit 2 and nothing is done;
 * - the executor runs, with a progress line on a TTY and a plain line per operation otherwise;
 *   a result per operation is printed (with --json: one JSON document at the end).
 * Exit 0 when every operation succeeded (or is pending: a principal SCIM has not pushed yet),
 * 1 when any failed or was not executed.
 */
export const registerApplyCommand: RegisterCommand = (program, run) => {
  program
    .command('apply')
    .argument('[plan]', 'a plan file written by `plan --out`; default: plan now')
    .description('Apply a saved plan (re-validated first) or a fresh one.')
    .option('--yes', 'apply without asking (required when not on a terminal)')
    .option('--allow-deletes <n>', 'allow up to N deletes (over safety.maxDeletes)', parseCount)
    .option(
      '--confirm-empty-group <group...>',
      'Okta group ids or names confirmed empty: their deletes are no longer withheld',
    )
    .action((planFile: string | undefined, options: ApplyCommandOptions) =>
      run(async (context) => {
        const { applyCommand } = await import('./apply-action.js');
        return applyCommand(context, planFile, options);
      }),
    );
};

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError('expected a whole number of deletes, e.g. 30');
  }
  return n;
}
