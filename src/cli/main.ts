import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { ConfigError } from '../core/errors.js';
import type { CliContext, CommandResult } from './cli-context.js';
import { commandModules } from './commands/index.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

export interface CliIo {
  stdout?: CliContext['stdout'];
  stderr?: CliContext['stderr'];
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs the CLI and resolves to the process exit code. This is the only place that catches
 * errors for the CLI: handlers throw, and this maps the error to a one-line message and a code.
 */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const env = io.env ?? process.env;
  let exitCode: number = ExitCode.ok;

  const program = new Command('okta-aws-sync')
    .description('Keep AWS IAM Identity Center access in line with Okta.')
    .version(version, '--version')
    .option(
      '--config <file>',
      'config file (default $OKTA_AWS_SYNC_CONFIG or ./okta-aws-sync.yaml)',
    )
    .option('--json', 'machine-readable output')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stderr.write(text),
    });

  const contextFor = (): CliContext => {
    const globals = program.opts<{ config?: string; json?: boolean }>();
    return {
      configPath: globals.config ?? env.OKTA_AWS_SYNC_CONFIG ?? './okta-aws-sync.yaml',
      json: globals.json === true,
      stdout,
      stderr,
      env,
    };
  };

  const run = async (handler: (context: CliContext) => Promise<CommandResult>): Promise<void> => {
    const result = await handler(contextFor());
    exitCode = typeof result === 'number' ? result : ExitCode.ok;
  };

  for (const register of commandModules) register(program, run);

  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; they exit 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    reportError(error, stderr);
    return exitCodeFor(error);
  }
  return exitCode;
}

function reportError(error: unknown, stderr: CliContext['stderr']): void {
  if (error instanceof ConfigError && error.problems.length > 0) {
    stderr.write(`error: ${error.message}\n`);
    for (const problem of error.problems) stderr.write(`  - ${problem}\n`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`error: ${message}\n`);
  if (process.env.OKTA_AWS_SYNC_DEBUG === '1' && error instanceof Error && error.stack) {
    stderr.write(`${error.stack}\n`);
  }
}
