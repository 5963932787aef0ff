import { entitlementServiceFrom } from '../../app/entitlements/entitlements-from-adapters.js';
import { buildAdapters } from '../../app/wiring.js';
import { loadConfig } from '../../config/load-config.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../exit-codes.js';
import { renderTable } from './render-table.js';

/** The `instances list` handler, loaded when the command runs (see instances-command.ts). */
export async function listInstancesAction(context: CliContext): Promise<number> {
  const loaded = await loadConfig(context.configPath, { env: context.env });
  const adapters = buildAdapters(loaded, { env: context.env });
  try {
    const instances = await entitlementServiceFrom(adapters, {
      actor: `cli:${context.env.USER ?? 'unknown'}`,
    }).listInstances();
    context.stdout.write(
      context.json
        ? `${JSON.stringify({ instances }, null, 2)}\n`
        : renderTable(
            ['instance arn', 'identity store id'],
            instances.map((i) => [i.instanceArn, i.identityStoreId]),
          ),
    );
    return ExitCode.ok;
  } finally {
    await adapters.close();
  }
}
