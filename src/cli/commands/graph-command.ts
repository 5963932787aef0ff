import { Option } from 'commander';
import { renderGraph, GraphFormats, type GraphFormat } from '../../core/access/access-graph.js';
import { queryAccess } from '../../core/access/access-query.js';
import { ExitCode } from '../exit-codes.js';
import { addAccessFilters, emit, filterOf, latestInventory } from './access-command.js';
import type { RegisterCommand } from './index.js';

/**
 * `graph [--format mermaid|dot] [--user U] [--group G] [--account A] [--permission-set P]`: the
 * entitlement graph of the latest snapshot (Okta group → IdC group/user → permission set →
 * account, and Okta group → IAM role → account for SAML federation).
 */
export const registerGraphCommand: RegisterCommand = (program, run) => {
  addAccessFilters(
    program
      .command('graph')
      .description('The entitlement graph of the latest snapshot, as Mermaid or Graphviz DOT.')
      .addOption(
        new Option('--format <format>', 'graph language')
          .choices([...GraphFormats])
          .default('mermaid'),
      ),
  ).action((options: Parameters<typeof filterOf>[0] & { format: GraphFormat }) =>
    run(async (context) => {
      const inventory = await latestInventory(context);
      await emit(
        context,
        renderGraph(queryAccess(inventory, filterOf(options)), options.format),
        options.out,
      );
      return ExitCode.ok;
    }),
  );
};
