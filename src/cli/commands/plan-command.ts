import type { RegisterCommand } from './index.js';

/** The options of `plan`, as commander parses them. */
export interface PlanOptions {
  out?: string;
  detailedExitcode?: boolean;
  confirmEmptyGroup?: string[];
}

/**
 * `plan [--out plan.json] [--detailed-exitcode] [--confirm-empty-group ID…]`: reads Okta and AWS,
 * prints what apply would change (Terraform style, coloured on a TTY; the plan JSON with --json),
 * stores the plan, and with --out writes it for `apply plan.json`. Exit 0, or with
 * --detailed-exitcode 3 when the plan has changes.
 */
export const registerPlanCommand: RegisterCommand = (program, run) => {
  program
    .command('plan')
    .description('Compare desired (rules × Okta) with actual (AWS) and print the changes.')
    .option('--out <file>', 'write the plan as JSON, for `apply <file>`')
    .option('--detailed-exitcode', 'exit 3 when the plan has changes, 0 when it has none')
    .option(
      '--confirm-empty-group <group...>',
      'Okta group ids or names confirmed empty: their deletes are no longer withheld',
    )
    .action((options: PlanOptions) =>
      run(async (context) => {
        const { planAction } = await import('./plan-action.js');
        return planAction(context, options);
      }),
    );
};
