import { entitlementServiceFrom } from '../../app/entitlements/entitlements-from-adapters.js';
import { buildAdapters } from '../../app/wiring.js';
import { loadConfig } from '../../config/load-config.js';
import { ExitCode } from '../exit-codes.js';
import { renderTable } from './render-table.js';
import type { RegisterCommand } from './index.js';

/** `instances list`: every Identity Center instance with its identity store (ListInstances). */
export const registerInstancesCommand: RegisterCommand = (program, run) => {
  program
    .command('instances')
    .description('Identity Center instances.')
    .command('list')
    .description('List instances and their identity stores.')
    .action(() =>
      run(async (context) => {
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
      }),
    );
};
