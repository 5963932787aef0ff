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
