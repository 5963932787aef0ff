import { startSyncWorld, type SyncWorld } from '../../src/app/apply/test-support/sync-world.js';
import { readFile, writeFile } from 'node:fs/promises';
import { buildAdapters, type Adapters } from '../../src/app/wiring.js';
import { loadConfig, type LoadedConfig } from '../../src/config/load-config.js';
import type { AwsScenario } from '../../src/sim/aws/index.js';

/** The world, and the config and adapters the entitlement actions run with. */
export interface EntitlementsWorld {
  readonly world: SyncWorld;
  readonly loaded: LoadedConfig;
  readonly adapters: Adapters;
}

export const MANAGEMENT = '999999999999';
export const DEV = '111111111111';
export const PROD = '222222222222';
/** The role the tool assumes in the management account when it runs under a generated policy. */
export const TOOL_ROLE = 'okta-aws-sync';

/**
 * Both simulators with: accounts dev and prod; permission sets Developer, ReadOnly and Locked
 * (protected); Okta users alice and bob pushed by SCIM (ExternalIds), group `eng` pushed with
 * alice; a native identity-store user `breakglass` (protected) assigned Developer in dev.
 * With `policy`, the management account holds the role TOOL_ROLE whose only inline policy is
 * `policy`, and the config assumes it: every AWS call then runs under that policy.
 */
export async function startEntitlementsWorld(
  options: {
    readonly policy?: unknown;
    readonly extraConfig?: string;
    /** Put assumeRoleArn into the config (default true when `policy` is given). */
    readonly assumeInConfig?: boolean;
    /** Adds to the AWS scenario (more permission sets, users, assignments). */
    readonly extendAwsScenario?: (scenario: AwsScenario) => AwsScenario;
  } = {},
): Promise<EntitlementsWorld> {
  const awsScenario: AwsScenario = {
    managementAccountId: MANAGEMENT,
    accounts: [
      { id: DEV, name: 'dev', tags: { env: 'dev' } },
      { id: PROD, name: 'prod', tags: { env: 'prod' } },
    ],
    users: [{ userName: 'breakglass', givenName: 'Break', familyName: 'Glass', displayName: 'BG' }],
    permissionSets: [
      { name: 'Developer', managedPolicies: ['arn:aws:iam::aws:policy/PowerUserAccess'] },
      { name: 'ReadOnly', managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
      { name: 'Locked', managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
    ],
    assignments: [
      {
        accountId: DEV,
        permissionSet: 'Developer',
        principalType: 'USER',
        principal: 'breakglass',
      },
    ],
    ...(options.policy
      ? {
          iam: {
            [MANAGEMENT]: {
              roles: [{ name: TOOL_ROLE, inlinePolicies: { 'okta-aws-sync': options.policy } }],
            },
          },
        }
      : {}),
  } as AwsScenario;
  const world = await startSyncWorld({
    awsScenario: options.extendAwsScenario ? options.extendAwsScenario(awsScenario) : awsScenario,
    oktaScenario: {
      users: [
        { login: 'alice@example.com', appAssigned: true },
        { login: 'bob@example.com', appAssigned: true },
      ],
      groups: [{ name: 'eng', pushed: true, members: ['alice@example.com'] }],
    },
    configBody: [
      'safety:',
      '  protected: { permissionSets: [Locked], principals: [breakglass] }',
      options.extraConfig ?? '',
    ].join('\n'),
    asyncLatencyMs: 10,
  });
  if (!options.policy || options.assumeInConfig === false)
    return { world, loaded: world.loaded, adapters: world.adapters };
  // The shared world writes no assumeRoleArn; add it under `aws:` and wire fresh adapters.
  const text = await readFile(world.configPath, 'utf8');
  await writeFile(
    world.configPath,
    text.replace(
      /^aws:\n/m,
      `aws:\n  assumeRoleArn: arn:aws:iam::${MANAGEMENT}:role/${TOOL_ROLE}\n`,
    ),
  );
  const loaded = await loadConfig(world.configPath, { env: world.env });
  const adapters = buildAdapters(loaded, {
    env: world.env,
    awsRetry: { baseDelayMs: 5, maxDelayMs: 40 },
  });
  const close = world.close.bind(world);
  return {
    world: {
      ...world,
      close: async () => {
        await adapters.close();
        await close();
      },
    },
    loaded,
    adapters,
  };
}
