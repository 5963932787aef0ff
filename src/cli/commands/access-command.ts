import { Option, type Command } from 'commander';
import type { AccessFilter } from '../../core/access/access-query.js';
import type { RegisterCommand } from './index.js';

export const AccessFormats = ['table', 'json', 'csv'] as const;
export type AccessFormat = (typeof AccessFormats)[number];

/** The shared filters of `access` and `graph`, as commander parses them. */
export interface FilterOptions {
  user?: string;
  group?: string;
  account?: string;
  permissionSet?: string;
  out?: string;
}

/** The options of `access`. */
export type AccessOptions = FilterOptions & { format?: AccessFormat };

/** Adds the shared filters of `access` and `graph`. */
export function addAccessFilters(command: Command): Command {
  return command
    .option('--user <user>', 'Okta login, email or id; or Identity Center userName or id')
    .option('--group <group>', 'Okta group name or id; or Identity Center group name or id')
    .option('--account <account>', 'account id, name or alias')
    .option('--permission-set <name>', 'permission set name or ARN, or federated role name')
    .option('--out <file>', 'write to a file instead of stdout');
}

export function filterOf(options: FilterOptions): AccessFilter {
  return {
    ...(options.user !== undefined ? { user: options.user } : {}),
    ...(options.group !== undefined ? { group: options.group } : {}),
    ...(options.account !== undefined ? { account: options.account } : {}),
    ...(options.permissionSet !== undefined ? { permissionSet: options.permissionSet } : {}),
  };
}

/**
 * `access [--user U] [--group G] [--account A] [--permission-set P] [--format table|json|csv]`:
 * who has access to what and through which path, from the latest snapshot, with the effective
 * policies of each permission set. CSV is the access-review export (one row per grant).
 */
export const registerAccessCommand: RegisterCommand = (program, run) => {
  addAccessFilters(
    program
      .command('access')
      .description('Who has access to what, and why, from the latest snapshot.')
      .addOption(new Option('--format <format>', 'output format').choices([...AccessFormats])),
  ).action((options: AccessOptions) =>
    run(async (context) => {
      const { accessAction } = await import('./access-action.js');
      return accessAction(context, options);
    }),
  );
};
