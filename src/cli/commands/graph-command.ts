import { Option } from 'commander';
import { GraphFormats, type GraphFormat } from '../../core/access/access-graph.js';
import { addAccessFilters, type FilterOptions } from './access-command.js';
import type { RegisterCommand } from './index.js';

/** The options of `graph`. */
export type GraphOptions = FilterOptions & { format: GraphFormat };

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
  ).action((options: GraphOptions) =>
    run(async (context) => {
      const { graphAction } = await import('./graph-action.js');
      return graphAction(context, options);
    }),
  );
};
