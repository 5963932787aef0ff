import { configJsonSchema } from '../../config/config-schema.js';
import { loadConfig } from '../../config/load-config.js';
import { ConfigError, UsageError } from '../../core/errors.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';

/** The `config validate` handler, loaded when the command runs (see config-command.ts). */
export async function validateConfigAction(context: CliContext): Promise<number> {
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
}

/** The `config schema` handler. */
export function configSchemaAction(context: CliContext): Promise<number> {
  context.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return Promise.resolve(ExitCode.ok);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function redactUrl(url: string): string {
  return url.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1***@');
}
