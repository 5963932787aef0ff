import { configJsonSchema } from '../../config/config-schema.js';
import { loadConfig } from '../../config/load-config.js';
import { ConfigError, UsageError } from '../../core/errors.js';
import { ExitCode } from '../exit-codes.js';
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
        try {
          const loaded = await loadConfig(context.configPath, { env: context.env });
          const { config: cfg, policy } = loaded;
          const summary = {
            ok: true,
            file: context.configPath,
            rules: policy.rules.length,
            templates: Object.keys(policy.templates).length,
            ruleNames: policy.rules.map((rule) => rule.name),
            templateNames: Object.keys(policy.templates),
            okta: { orgUrl: cfg.okta.orgUrl, auth: cfg.okta.token ? 'token' : 'oauth' },
            store: redactUrl(cfg.store),
            warnings: loaded.warnings,
          };
          if (context.json) context.stdout.write(`${JSON.stringify(summary)}\n`);
          else {
            for (const warning of loaded.warnings) context.stderr.write(`warning: ${warning}\n`);
            context.stdout.write(
              `OK: ${context.configPath}: ${plural(summary.rules, 'rule')}, ${plural(summary.templates, 'permission-set template')}\n`,
            );
          }
          return ExitCode.ok;
        } catch (error) {
          if (!context.json || !(error instanceof ConfigError || error instanceof UsageError)) {
            throw error;
          }
          const problems = error instanceof ConfigError ? error.problems : [];
          context.stdout.write(
            `${JSON.stringify({ ok: false, file: context.configPath, error: error.message, problems })}\n`,
          );
          return ExitCode.usage;
        }
      }),
    );

  config
    .command('schema')
    .description('Print the JSON Schema of the config file (for editors).')
    .action(() =>
      run((context) => {
        context.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
        return Promise.resolve(ExitCode.ok);
      }),
    );
};

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function redactUrl(url: string): string {
  return url.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1***@');
}
