import { renderGraph } from '../../core/access/access-graph.js';
import { queryAccess } from '../../core/access/access-query.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { emit, latestInventory } from './access-action.js';
import { filterOf } from './access-command.js';
import type { GraphOptions } from './graph-command.js';

/** The `graph` handler (loaded when the command runs; see graph-command.ts). */
export async function graphAction(context: CliContext, options: GraphOptions): Promise<number> {
  const inventory = await latestInventory(context);
  await emit(
    context,
    renderGraph(queryAccess(inventory, filterOf(options)), options.format),
    options.out,
  );
  return ExitCode.ok;
}
