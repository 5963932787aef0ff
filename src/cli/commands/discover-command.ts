import { Option } from 'commander';
import type { InventorySource } from '../../core/inventory/inventory.js';
import type { RegisterCommand } from './index.js';

export const DiscoverFormats = ['table', 'json', 'csv'] as const;
export type DiscoverFormat = (typeof DiscoverFormats)[number];

/** The options of `discover`, as commander parses them. */
export interface DiscoverOptions {
  source: InventorySource;
  format?: DiscoverFormat;
  out?: string;
}

/**
 * `discover [--source aws|okta|all] [--format table|json|csv] [--out F]`: reads the inventory,
 * stores it as a snapshot and prints it. Progress goes to stderr: a redrawn line on a TTY, plain
 * lines otherwise. The report goes to stdout, or to F with --out.
 */
export const registerDiscoverCommand: RegisterCommand = (program, run) => {
  program
    .command('discover')
    .description('Inventory of AWS and Okta, stored as a snapshot.')
    .addOption(
      new Option('--source <source>', 'what to read')
        .choices(['aws', 'okta', 'all'])
        .default('all'),
    )
    .addOption(new Option('--format <format>', 'output format').choices([...DiscoverFormats]))
    .option('--out <file>', 'write the report to a file instead of stdout')
    .action((options: DiscoverOptions) =>
      run(async (context) => {
        const { discoverAction } = await import('./discover-action.js');
        return discoverAction(context, options);
      }),
    );
};
