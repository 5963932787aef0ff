import type { Command } from 'commander';
import type { CliContext, CommandResult } from '../cli-context.js';
import { registerAccessCommand } from './access-command.js';
import { registerConfigCommand } from './config-command.js';
import { registerDemoCommand } from './demo-command.js';
import { registerDiscoverCommand } from './discover-command.js';
import { registerGraphCommand } from './graph-command.js';
import { registerApplyCommand } from './apply-command.js';
import { registerPlanCommand } from './plan-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerSimCommand } from './sim-command.js';
import { registerEntitlementsCommand } from './entitlements-command.js';
import { registerIamPolicyCommand } from './iam-policy-command.js';
import { registerInstancesCommand } from './instances-command.js';
import { registerLambdaCommand } from './lambda-command.js';

/**
 * A command module registers its subcommands. `run` wraps a handler so that the single
 * top-level error handler in main.ts sees every failure and the exit code is returned.
 *
 * Registration must stay cheap, because every start of the CLI registers every command: a
 * `*-command.ts` module holds the commander definition (names, arguments, options, help) and
 * imports only commander, cli-options, exit codes, small pure core constants and types. Its
 * action loads the implementation with `await import()` when it runs: the `*-action.ts` next to
 * it, or for a one-call command the function's own module. So `--help`, `--version` and the
 * commands that need neither AWS nor Okta do not load the SDKs, fastify, the store drivers or the
 * simulators; src/cli/startup-imports.test.ts checks it.
 */
export type RegisterCommand = (
  program: Command,
  run: (handler: (context: CliContext) => Promise<CommandResult>) => Promise<void>,
) => void;

/** Every command module, in help order. Add new commands here. */
export const commandModules: readonly RegisterCommand[] = [
  registerDemoCommand,
  registerConfigCommand,
  registerDiscoverCommand,
  registerAccessCommand,
  registerGraphCommand,
  registerPlanCommand,
  registerApplyCommand,
  registerServeCommand,
  registerSimCommand,
  registerInstancesCommand,
  registerEntitlementsCommand,
  registerIamPolicyCommand,
  registerLambdaCommand,
];
