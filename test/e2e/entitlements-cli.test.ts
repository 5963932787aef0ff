import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../src/cli/test-support/run-cli-captured.js';
import {
  DEV,
  MANAGEMENT,
  startEntitlementsWorld,
  type EntitlementsWorld,
} from './entitlements-world.js';

let env: EntitlementsWorld;
beforeAll(async () => {
  env = await startEntitlementsWorld();
});
afterAll(async () => {
  await env.world.close();
});

function cli(...args: string[]): ReturnType<typeof runCliCaptured> {
  return runCliCaptured(['--config', env.world.configPath, ...args], env.world.env);
}

describe('entitlements / instances / iam-policy CLI', () => {
  it('instances list prints the instance', async () => {
    const run = await cli('--json', 'instances', 'list');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      instances: [
        { instanceArn: env.world.aws.instanceArn, identityStoreId: env.world.aws.identityStoreId },
      ],
    });
  });

  it('add, list, remove-all with per-item output and exit codes', async () => {
    const principal = ['--principal-type', 'GROUP', '--principal', 'eng'];
    const add = await cli(
      'entitlements',
      'add',
      ...principal,
      '--account',
      DEV,
      '--permission-set',
      'ReadOnly',
      'Developer',
    );
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/ReadOnly\s+created/);
    expect(add.stdout).toMatch(/Developer\s+created/);
    const again = await cli(
      'entitlements',
      'add',
      ...principal,
      '--account',
      DEV,
      '--permission-set',
      'ReadOnly',
    );
    expect(again.stdout).toMatch(/ReadOnly\s+unchanged/);
    const list = await cli('--json', 'entitlements', 'list', ...principal);
    expect(list.code).toBe(0);
    expect(
      (
        JSON.parse(list.stdout) as { entitlements: { permissionSetName: string }[] }
      ).entitlements.map((e) => e.permissionSetName),
    ).toEqual(['Developer', 'ReadOnly']);
    const removeAll = await cli('entitlements', 'remove-all', ...principal);
    expect(removeAll.code).toBe(0);
    expect(removeAll.stdout.match(/deleted/g)).toHaveLength(2);
  });

  it('exit 4 for the management account, 1 for an unknown principal, 1 when an item is refused', async () => {
    const mgmt = await cli(
      'entitlements',
      'add',
      '--principal-type',
      'USER',
      '--principal',
      'bob@example.com',
      '--account',
      MANAGEMENT,
      '--permission-set',
      'ReadOnly',
    );
    expect(mgmt.code).toBe(4);
    expect(mgmt.stderr).toMatch(/management account/);
    const unknown = await cli(
      'entitlements',
      'list',
      '--principal-type',
      'USER',
      '--principal',
      'ghost@example.com',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No Identity Center user matches "ghost@example.com"/);
    const locked = await cli(
      'entitlements',
      'add',
      '--principal-type',
      'USER',
      '--principal',
      'bob@example.com',
      '--account',
      DEV,
      '--permission-set',
      'Locked',
    );
    expect(locked.code).toBe(1);
    expect(locked.stdout).toMatch(/Locked\s+refused/);
  });

  it('iam-policy prints a policy per mode without action wildcards', async () => {
    const readOnly = await runCliCaptured(['iam-policy', '--mode', 'read-only']);
    const full = await runCliCaptured([
      'iam-policy',
      '--mode',
      'full',
      '--instance-arn',
      env.world.aws.instanceArn,
    ]);
    expect(readOnly.code).toBe(0);
    const actions = (text: string): string[] =>
      (JSON.parse(text) as { Statement: { Action: string[] }[] }).Statement.flatMap(
        (s) => s.Action,
      );
    expect(actions(readOnly.stdout)).not.toContain('sso:CreateAccountAssignment');
    expect(actions(full.stdout)).toContain('sso:CreateAccountAssignment');
    expect(
      [...actions(readOnly.stdout), ...actions(full.stdout)].filter((a) => a.includes('*')),
    ).toEqual([]);
    expect(full.stdout).toContain(env.world.aws.instanceArn);
    const bad = await runCliCaptured(['iam-policy', '--mode', 'admin']);
    expect(bad.code).toBe(2);
  });
});
