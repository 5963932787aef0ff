import type { RegisterCommand } from './index.js';

/**
 * `config validate` and `config schema`. Validate prints a one-line summary, after any warnings
 * on stderr (or, with --json,
 * `{"ok":true,…}` / `{"ok":false,"problems":[…]}` on stdout) and exits 0 or 2. Nothing it prints
 * contains a resolved secret: the summary names counts and reference sources only.
 */
export const registerConfigCommand: RegisterCommand = (program, run) => {
  const config = program.command('config').description('Validate the config or print its schema.');

  config
    .command('validate')
    .description('Validate the config file; every problem is listed with file:line:column.')
    .action(() =>
      run(async (context) => {
        const { validateConfigAction } = await import('./config-action.js');
        return validateConfigAction(context);
      }),
    );

  config
    .command('schema')
    .description('Print the JSON Schema of the config file (for editors).')
    .action(() =>
      run(async (context) => {
        const { configSchemaAction } = await import('./config-action.js');
        return configSchemaAction(context);
      }),
    );
};
