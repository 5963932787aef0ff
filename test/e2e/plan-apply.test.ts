import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPlan, type ApplyOptions } from '../../src/app/apply/apply-plan.js';
import { failNthCall } from '../../src/app/apply/test-support/fail-nth-call.js';
import { startSyncWorld, type SyncWorld } from '../../src/app/apply/test-support/sync-world.js';
import {
  planFromCurrentState,
  rememberMatchedGroups,
  revalidateSavedPlan,
} from '../../src/app/plan/plan-service.js';
import type { Plan } from '../../src/core/plan/plan.js';
import { assignmentRows } from '../../src/sim/aws/assignment-rows.js';

const DEV = '111111111111';
const PROD = '222222222222';
const POWER_USER = 'arn:aws:iam::aws:policy/PowerUserAccess';
const DEV_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }],
};

const CONFIG_BODY = `safety:
  maxDeletes: 25
permissionSets:
  Developer:
    description: Developer access
    sessionDuration: PT4H
    managedPolicies: [${POWER_USER}]
    inlinePolicy: policies/dev.json
  ReadOnly:
    description: Read only
    managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
rules:
  - name: per-account-groups
    groups: { namePattern: '^aws#(?<alias>[^#]+)#(?<permissionSet>[\\w+=,.@-]{1,32})#(?<account>\\d{12})$' }
    permissionSet: '{permissionSet}'
    template: Developer
    accounts: ['{account}']
    assign: USER
  - name: readonly-prod
    groups: { names: [aws-readonly-prod] }
    permissionSet: ReadOnly
    accounts: { tags: { env: prod } }
    assign: GROUP
`;

const options: ApplyOptions = {
  actor: 'test:e2e',
  trigger: 'test',
  retry: { baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 10 },
  poll: { initialDelayMs: 10, maxDelayMs: 40, timeoutMs: 20_000 },
};

let world: SyncWorld;

beforeEach(async () => {
  world = await startSyncWorld({
    configBody: CONFIG_BODY,
    files: { 'policies/dev.json': JSON.stringify(DEV_POLICY) },
    awsScenario: {
      managementAccountId: '999999999999',
      accounts: [
        { id: DEV, name: 'dev', tags: { env: 'dev' } },
        { id: PROD, name: 'prod', tags: { env: 'prod' } },
      ],
      users: [
        { userName: 'breakglass', givenName: 'Break', familyName: 'Glass', displayName: 'BG' },
      ],
      permissionSets: [{ name: 'Legacy', managedPolicies: [POWER_USER] }],
      assignments: [
        { accountId: DEV, permissionSet: 'Legacy', principalType: 'USER', principal: 'breakglass' },
      ],
    },
    oktaScenario: {
      users: [
        { login: 'alice@example.com', appAssigned: true },
        { login: 'bob@example.com', appAssigned: true },
        { login: 'carol@example.com', appAssigned: true },
      ],
      groups: [
        { name: `aws#dev#Developer#${DEV}`, members: ['alice@example.com', 'bob@example.com'] },
        { name: `aws#prod#Developer#${PROD}`, members: ['alice@example.com'] },
        { name: `aws#dev#Temp#${DEV}`, members: ['bob@example.com'] },
        { name: 'aws-readonly-prod', pushed: true, members: ['carol@example.com'] },
      ],
    },
  });
});

afterEach(async () => {
  await world.close();
});

async function plan(): Promise<Plan> {
  return (await planFromCurrentState(world.loaded.policy, world.planDeps)).plan;
}

async function planAndApply(): Promise<Awaited<ReturnType<typeof applyPlan>>> {
  const fresh = await planFromCurrentState(world.loaded.policy, world.planDeps);
  const result = await applyPlan(fresh.plan, { writer: world.writer, store: world.store }, options);
  await rememberMatchedGroups(world.store, fresh.okta, fresh.desired);
  return result;
}

function dump(): ReturnType<SyncWorld['aws']['control']['dumpState']> {
  return world.aws.control.dumpState();
}

function arnOf(name: string): string {
  const arn = dump().permissionSets.find((ps) => ps.name === name)?.arn;
  if (!arn) throw new Error(`no permission set ${name}`);
  return arn;
}

function userId(userName: string): string {
  const user = dump().identityStore.users.find((u) => u.UserName === userName);
  if (!user) throw new Error(`no user ${userName}`);
  return String(user.UserId);
}

/** Assignments as `account|psName|TYPE|principal name`, sorted. */
function assignments(): string[] {
  return assignmentRows(dump());
}

const CONVERGED = [
  `${DEV}|Developer|USER|alice@example.com`,
  `${DEV}|Developer|USER|bob@example.com`,
  `${DEV}|Legacy|USER|breakglass`,
  `${DEV}|Temp|USER|bob@example.com`,
  `${PROD}|Developer|USER|alice@example.com`,
  `${PROD}|ReadOnly|GROUP|aws-readonly-prod`,
];

describe('plan and apply end to end (Okta and AWS simulators, real SDKs)', () => {
  it('plan → apply → the next plan is empty, and records are kept', async () => {
    const first = await plan();
    expect(first.summary).toMatchObject({ add: 8, destroy: 0 });
    const result = await planAndApply();
    expect(result.counts).toMatchObject({ Error: 0, NotExecuted: 0, Pending: 0 });
    expect(result.status).toBe('succeeded');
    expect(assignments()).toEqual(CONVERGED);

    const developer = dump().permissionSets.find((ps) => ps.name === 'Developer');
    expect(developer).toMatchObject({
      description: 'Developer access',
      sessionDuration: 'PT4H',
      managedPolicies: [POWER_USER],
      tags: { 'managed-by': 'okta-aws-sync' },
    });
    expect(JSON.parse(String(developer?.inlinePolicy))).toEqual(DEV_POLICY);

    const next = await plan();
    expect(next.operations).toEqual([]);
    const runs = await world.store.listRuns(10);
    expect(runs).toHaveLength(1);
    expect(await world.store.listOperations(result.runId)).toHaveLength(8);
    expect((await world.store.listOwnership({ kind: 'permissionSet' })).length).toBe(3);
  });

  it('repairs out-of-band drift: a deleted assignment and a changed policy', async () => {
    await planAndApply();
    const developer = arnOf('Developer');
    world.aws.control.deleteAssignment({
      accountId: DEV,
      permissionSetArn: developer,
      principalType: 'USER',
      principalId: userId('alice@example.com'),
    });
    world.aws.control.setInlinePolicy(
      developer,
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    );
    world.aws.control.attachManagedPolicy(developer, 'arn:aws:iam::aws:policy/AdministratorAccess');

    const drift = await plan();
    expect(drift.operations.map((op) => op.kind).sort()).toEqual([
      'create-assignment',
      'provision-permission-set',
      'provision-permission-set',
      'update-permission-set',
    ]);
    const result = await planAndApply();
    expect(result.status).toBe('succeeded');
    const repaired = dump().permissionSets.find((ps) => ps.arn === developer);
    expect(JSON.parse(String(repaired?.inlinePolicy))).toEqual(DEV_POLICY);
    expect(repaired?.managedPolicies).toEqual([POWER_USER]);
    expect(
      dump()
        .provisioned.filter((p) => p.permissionSetArn === developer)
        .map((p) => p.status),
    ).toEqual(['LATEST_PERMISSION_SET_PROVISIONED', 'LATEST_PERMISSION_SET_PROVISIONED']);
    expect(assignments()).toEqual(CONVERGED);
    expect((await plan()).operations).toEqual([]);
  });

  it('never touches an unowned assignment, even on a managed permission set in rule scope', async () => {
    await planAndApply();
    world.aws.control.createAssignment({
      accountId: DEV,
      permissionSetArn: arnOf('Developer'),
      principalType: 'USER',
      principalId: userId('breakglass'),
    });
    const next = await plan();
    expect(next.operations).toEqual([]);
    expect(next.unmanaged).toContainEqual(
      expect.objectContaining({
        kind: 'assignment',
        permissionSetName: 'Developer',
        principalName: 'breakglass',
      }),
    );
    await planAndApply();
    expect(assignments()).toContain(`${DEV}|Developer|USER|breakglass`);
    expect(assignments()).toContain(`${DEV}|Legacy|USER|breakglass`);
  });

  it('de-provisions and deletes an owned permission set when its Okta group is deleted', async () => {
    await planAndApply();
    const temp = arnOf('Temp');
    world.okta.control.admin({ action: 'deleteGroup', group: `aws#dev#Temp#${DEV}` });
    await world.okta.control.settle();
    const next = await plan();
    expect(next.operations.map((op) => [op.kind, op.key])).toEqual([
      ['delete-assignment', `assignment:${DEV}|Temp|USER|${userId('bob@example.com')}`],
      ['delete-permission-set', 'permission-set:Temp'],
    ]);
    const result = await planAndApply();
    expect(result.status).toBe('succeeded');
    expect(dump().permissionSets.some((ps) => ps.arn === temp)).toBe(false);
    expect(dump().provisioned.some((p) => p.permissionSetArn === temp)).toBe(false);
    expect(await world.store.getOwnership(temp)).toBeNull();
    expect((await plan()).operations).toEqual([]);
  });

  it('removes every owned assignment of a deactivated user, before SCIM catches up', async () => {
    await planAndApply();
    world.okta.control.setScimLag(600_000);
    world.okta.control.admin({ action: 'deactivateUser', user: 'alice@example.com' });
    const next = await plan();
    expect(next.operations.map((op) => op.kind)).toEqual([
      'delete-assignment',
      'delete-assignment',
    ]);
    const result = await planAndApply();
    expect(result.status).toBe('succeeded');
    expect(assignments().filter((a) => a.endsWith('alice@example.com'))).toEqual([]);
    expect(assignments()).toContain(`${DEV}|Developer|USER|bob@example.com`);
  });

  it('re-validates a saved plan: done operations are dropped with an explanation', async () => {
    const saved = await plan();
    // Someone applies part of it by hand before the saved plan is applied.
    await planAndApply();
    world.aws.control.deleteAssignment({
      accountId: PROD,
      permissionSetArn: arnOf('Developer'),
      principalType: 'USER',
      principalId: userId('alice@example.com'),
    });
    const { plan: revalidated, notes } = await revalidateSavedPlan(
      JSON.parse(JSON.stringify(saved)) as Plan,
      world.loaded.policy,
      world.planDeps,
    );
    expect(revalidated.operations.map((op) => op.kind)).toEqual(['create-assignment']);
    // The saved create had no ARN (the permission set did not exist yet); it is re-planned.
    expect(notes.filter((n) => n.change === 'replanned').map((n) => n.key)).toEqual([
      `assignment:${PROD}|Developer|USER|${userId('alice@example.com')}`,
    ]);
    expect(notes.filter((n) => n.change === 'dropped')).toHaveLength(7);
    expect(notes.every((n) => n.explanation.length > 0)).toBe(true);
    const result = await applyPlan(
      revalidated,
      { writer: world.writer, store: world.store },
      options,
    );
    expect(result.status).toBe('succeeded');
    expect(assignments()).toEqual(CONVERGED);
  });

  it('fails mid-apply, and a re-run converges with no duplicate writes', async () => {
    const fresh = await planFromCurrentState(world.loaded.policy, world.planDeps);
    // The third permission set's creation fails: its assignments are not executed.
    const failing = failNthCall(world.writer, 6);
    const first = await applyPlan(
      fresh.plan,
      { writer: failing.writer, store: world.store },
      { ...options, limits: { maxConcurrentPermissionSetWrites: 1 } },
    );
    expect(first.counts.Error).toBe(1);
    expect(first.counts.NotExecuted).toBeGreaterThan(0);
    expect(first.status).toBe('partial');

    const rerun = await planAndApply();
    expect(rerun.status).toBe('succeeded');
    expect(assignments()).toEqual(CONVERGED);
    expect((await plan()).operations).toEqual([]);
    const counts = world.aws.control.calls().counts;
    // Five desired assignments (Legacy was seeded), each created exactly once over both runs.
    expect(counts['sso-admin:CreateAccountAssignment']).toBe(5);
    expect(
      dump()
        .permissionSets.map((ps) => ps.name)
        .sort(),
    ).toEqual(['Developer', 'Legacy', 'ReadOnly', 'Temp']);
  });

  it('converges through a throttling storm', async () => {
    world.aws.control.setFaults({ 'sso-admin': { throttleProbability: 0.5 } });
    const result = await planAndApply();
    expect(result.status).toBe('succeeded');
    world.aws.control.setFaults({});
    expect(assignments()).toEqual(CONVERGED);
    expect(
      Object.entries(world.aws.control.calls().errors).some(([key]) =>
        key.endsWith(':ThrottlingException'),
      ),
    ).toBe(true);
  });

  it('reports async FAILED with its FailureReason, and the next run repairs it', async () => {
    world.aws.control.setFaults({ CreateAccountAssignment: { asyncFailureProbability: 1 } });
    const failed = await planAndApply();
    const creates = failed.outcomes.filter((o) => o.kind === 'create-assignment');
    expect(creates).toHaveLength(5);
    for (const outcome of creates) {
      expect(outcome.status).toBe('Error');
      expect(outcome.cause).toBe(
        'FAILED: An unexpected internal service exception was encountered',
      );
      expect(outcome.asyncRequestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(failed.status).toBe('partial');
    const recorded = await world.store.listOperations(failed.runId);
    expect(recorded.filter((r) => r.status === 'Error')).toHaveLength(5);

    world.aws.control.setFaults({});
    expect((await planAndApply()).status).toBe('succeeded');
    expect(assignments()).toEqual(CONVERGED);
  });

  it('retries conflicts from concurrent modification and converges', async () => {
    world.aws.control.setFaults({ 'sso-admin': { conflictProbability: 0.5 } });
    const result = await planAndApply();
    world.aws.control.setFaults({});
    expect(result.status).toBe('succeeded');
    expect(result.outcomes.some((o) => o.attempts > 1)).toBe(true);
    expect(
      Object.entries(world.aws.control.calls().errors).some(([key]) =>
        key.endsWith(':ConflictException'),
      ),
    ).toBe(true);
    expect(assignments()).toEqual(CONVERGED);
    expect((await plan()).operations).toEqual([]);
  });
});
