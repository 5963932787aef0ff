import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncWorld, type SyncWorld } from '../../src/app/apply/test-support/sync-world.js';
import { applyCommand } from '../../src/cli/commands/apply-action.js';
import { runCliCaptured } from '../../src/cli/test-support/run-cli-captured.js';
import { parsePlan } from '../../src/core/plan/plan.js';

const DEV = '111111111111';

const CONFIG_BODY = `safety:
  maxDeletes: 1
permissionSets:
  Developer:
    description: Developer access
    managedPolicies: [arn:aws:iam::aws:policy/PowerUserAccess]
rules:
  - name: per-account-groups
    groups: { namePattern: '^aws#(?<alias>[^#]+)#(?<permissionSet>[\\w+=,.@-]{1,32})#(?<account>\\d{12})$' }
    permissionSet: '{permissionSet}'
    template: Developer
    accounts: ['{account}']
    assign: USER
`;

let world: SyncWorld;
let cli: (...args: string[]) => ReturnType<typeof runCliCaptured>;

// One world for the whole file: the steps build on each other, as a user's session would.
beforeAll(async () => {
  world = await startSyncWorld({
    configBody: CONFIG_BODY,
    awsScenario: {
      managementAccountId: '999999999999',
      accounts: [{ id: DEV, name: 'dev' }],
    },
    oktaScenario: {
      users: [
        { login: 'alice@example.com', appAssigned: true },
        { login: 'bob@example.com', appAssigned: true },
      ],
      groups: [
        { name: `aws#dev#Developer#${DEV}`, members: ['alice@example.com', 'bob@example.com'] },
      ],
    },
  });
  cli = (...args) => runCliCaptured(['--config', world.configPath, ...args], world.env);
});

afterAll(async () => {
  await world.close();
});

function assignmentCount(): number {
  return world.aws.control.dumpState().assignments.length;
}

describe('plan and apply through the CLI', () => {
  it('plan --detailed-exitcode exits 3 with changes and writes a plan file with --out', async () => {
    const out = path.join(world.dir, 'plan.json');
    const run = await cli('plan', '--detailed-exitcode', '--out', out);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('+ permission set Developer');
    expect(run.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    expect(run.stdout).not.toContain('\u001b['); // no colour without a TTY
    const saved = parsePlan(await readFile(out, 'utf8'));
    expect(saved.operations.map((op) => op.kind)).toEqual([
      'create-permission-set',
      'create-assignment',
      'create-assignment',
    ]);
  });

  it('plan --json prints the plan itself', async () => {
    const run = await cli('--json', 'plan');
    expect(run.code).toBe(0);
    expect(parsePlan(run.stdout).summary.add).toBe(3);
  });

  it('apply refuses without --yes when not on a terminal, and changes nothing', async () => {
    const run = await cli('apply');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/stdin is not a terminal.*--yes/);
    expect(assignmentCount()).toBe(0);
  });

  it('on a terminal, apply asks first and anything but "yes" cancels', async () => {
    const run = await applyOnTerminal('no\n');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Only 'yes' is accepted");
    expect(run.stdout).toContain('Apply cancelled.');
    expect(assignmentCount()).toBe(0);
  });

  it('apply plan.json --yes applies the saved plan and prints a result per operation', async () => {
    const run = await cli('apply', path.join(world.dir, 'plan.json'), '--yes');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\[1\/3\] ok +create permission set Developer/);
    expect(run.stdout.match(/ok +create assignment USER/g)).toHaveLength(2);
    expect(run.stdout).toContain('Apply succeeded');
    expect(assignmentCount()).toBe(2);
    const next = await cli('plan', '--detailed-exitcode');
    expect(next.code).toBe(0);
    expect(next.stdout).toContain('No changes');
  });

  it('apply with a stale saved plan drops what is already done, with an explanation', async () => {
    const run = await cli('apply', path.join(world.dir, 'plan.json'), '--yes');
    expect(run.code).toBe(0);
    expect(run.stdout.match(/^dropped: .*no longer needed/gm)).toHaveLength(3);
    expect(run.stdout).toContain('No changes to apply.');
  });

  it('apply exits 4 when the deletes exceed maxDeletes, and --allow-deletes N lets it through', async () => {
    world.okta.control.admin({ action: 'deleteGroup', group: `aws#dev#Developer#${DEV}` });
    await world.okta.control.settle();
    const refused = await cli('apply', '--yes');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/deletes 3 object\(s\), more than safety\.maxDeletes = 1/);
    expect(assignmentCount()).toBe(2);

    const tooFew = await cli('apply', '--yes', '--allow-deletes', '2');
    expect(tooFew.code).toBe(4);

    const allowed = await cli('apply', '--yes', '--allow-deletes', '3');
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('AWS does not end sessions already issued');
    expect(assignmentCount()).toBe(0);
    expect(world.aws.control.dumpState().permissionSets).toEqual([]);
  });

  it('apply rejects a plan file of another version with a usage error', async () => {
    const file = path.join(world.dir, 'old-plan.json');
    const saved = JSON.parse(await readFile(path.join(world.dir, 'plan.json'), 'utf8')) as object;
    await import('node:fs/promises').then((fs) =>
      fs.writeFile(file, JSON.stringify({ ...saved, version: 99 })),
    );
    const run = await cli('apply', file, '--yes');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/plan version 99 is not supported/);
  });

  it('on a terminal, answering "yes" applies', async () => {
    world.okta.control.admin({ action: 'createGroup', name: `aws#dev#Developer#${DEV}` });
    world.okta.control.admin({
      action: 'addMember',
      group: `aws#dev#Developer#${DEV}`,
      user: 'alice@example.com',
    });
    await world.okta.control.settle();
    const run = await applyOnTerminal('yes\n');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Apply succeeded');
    expect(assignmentCount()).toBe(1);
  });
});

/** Runs the apply handler with a terminal-like input that answers `answer`. */
async function applyOnTerminal(
  answer: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  input.write(answer);
  const code = await applyCommand(
    { configPath: world.configPath, json: false, stdout, stderr, env: world.env },
    undefined,
    {},
    input,
  );
  return { code, stdout: out, stderr: err };
}
