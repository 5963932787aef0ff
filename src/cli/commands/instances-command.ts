import type { RegisterCommand } from './index.js';

/** `instances list`: every Identity Center instance with its identity store (ListInstances). */
export const registerInstancesCommand: RegisterCommand = (program, run) => {
  program
    .command('instances')
    .description('Identity Center instances.')
    .command('list')
    .description('List instances and their identity stores.')
    .action(() =>
      run(async (context) => {
        const { listInstancesAction } = await import('./instances-action.js');
        return listInstancesAction(context);
      }),
    );
};
