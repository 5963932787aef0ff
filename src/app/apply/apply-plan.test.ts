import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../adapters/aws/aws-clients.js';
import { createAwsClients } from '../../adapters/aws/aws-clients.js';
import { AwsRateLimiters } from '../../adapters/aws/aws-rate-limiters.js';
import { createIdentityCenterWriter } from '../../adapters/aws/identity-center-writer.js';
import { openStore } from '../../adapters/store/open-store.js';
import type { PermissionSetArn } from '../../core/domain/ids.js';
import type { Plan, PlanOperation } from '../../core/plan/plan.js';
import { planOfOperations } from '../../core/test-support/fixtures.js';
import type { IdentityCenterWriter } from '../../ports/identity-center-writer.js';
import { IdentityCenterWriteError } from '../../ports/identity-center-writer.js';
import type { Store } from '../../ports/store.js';
import type { AwsScenario, AwsSimulator } from '../../sim/aws/index.js';
import { startAwsSimulator } from '../../sim/aws/index.js';
import type { ApplyOptions } from './apply-plan.js';
import { applyPlan } from './apply-plan.js';
import { failNthCall } from './test-support/fail-nth-call.js';

const A = '111111111111';
const B = '222222222222';
const OWNED = { 'managed-by': 'okta-aws-sync' };
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const INLINE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }],
});
const MISSING_USER = '9067639464-00000000-0000-4000-8000-000000000000';

const SCENARIO: AwsScenario = {
  accounts: [
    { id: A, name: 'dev' },
    { id: B, name: 'prod' },
  ],
  users: [
    { userName: 'alice', givenName: 'Alice', familyName: 'A', displayName: 'Alice' },
    { userName: 'bob', givenName: 'Bob', familyName: 'B', displayName: 'Bob' },
  ],
  groups: [{ displayName: 'devs', members: ['alice'] }],
  permissionSets: [
    {
      name: 'Old',
      description: 'old',
      managedPolicies: [READ_ONLY],
      tags: OWNED,
    },
  ],
  assignments: [{ accountId: A, permissionSet: 'Old', principalType: 'USER', principal: 'alice' }],
};

let sim: AwsSimulator;
let clients: AwsClients;
let writer: IdentityCenterWriter;
let store: Store;
let ids: { alice: string; bob: string; devs: string; old: string };

const fastOptions: ApplyOptions = {
  actor: 'test:apply',
  trigger: 'test',
  retry: { baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 8 },
  poll: { initialDelayMs: 10, maxDelayMs: 40, timeoutMs: 20_000 },
};

beforeEach(async () => {
  sim = await startAwsSimulator({
    asyncLatencyMs: 20,
    scenario: SCENARIO,
    quotas: { ratePerSecond: 1000 },
  });
  clients = createAwsClients(
    { region: sim.region, endpoint: sim.endpoint, credentials: sim.credentials },
    new AwsRateLimiters({
      defaults: { ratePerSecond: 400, maxConcurrency: 20 },
      retry: { baseDelayMs: 5, maxDelayMs: 40 },
    }),
  );
  writer = createIdentityCenterWriter(clients.ssoAdmin);
  store = await openStore('sqlite::memory:');
  const dump = sim.control.dumpState();
  const user = (name: string): string =>
    String(dump.identityStore.users.find((u) => u.UserName === name)?.UserId);
  ids = {
    alice: user('alice'),
    bob: user('bob'),
    devs: String(dump.identityStore.groups.find((g) => g.DisplayName === 'devs')?.GroupId),
    old: String(dump.permissionSets.find((p) => p.name === 'Old')?.arn),
  };
});

afterEach(async () => {
  clients.destroy();
  await store.close();
  await sim.close();
});

function planOf(operations: PlanOperation[]): Plan {
  return planOfOperations(sim.instanceArn, operations);
}

const createDev: PlanOperation = {
  kind: 'create-permission-set',
  key: 'permission-set:Dev',
  name: 'Dev',
  definition: {
    name: 'Dev',
    description: 'developers',
    sessionDuration: 'PT4H',
    managedPolicies: [READ_ONLY],
    customerManagedPolicies: [{ name: 'dev-extra', path: '/' }],
    inlinePolicy: INLINE,
    tags: { team: 'platform' },
  },
  rules: ['dev-rule'],
};

function createAssignment(
  accountId: string,
  principalType: 'USER' | 'GROUP',
  principalId: string,
  permissionSetName = 'Dev',
  permissionSetArn?: string,
): PlanOperation {
  return {
    kind: 'create-assignment',
    key: `${accountId}|${permissionSetName}|${principalType}|${principalId}`,
    accountId,
    permissionSetName,
    ...(permissionSetArn ? { permissionSetArn } : {}),
    principalType,
    principalId,
    principalName: principalId.slice(-4),
    reason: { rule: 'dev-rule', detail: 'test' },
  };
}

function deleteAssignment(
  accountId: string,
  principalType: 'USER' | 'GROUP',
  principalId: string,
  permissionSetArn: string,
): PlanOperation {
  return {
    kind: 'delete-assignment',
    key: `${accountId}|Old|${principalType}|${principalId}|delete`,
    accountId,
    permissionSetName: 'Old',
    permissionSetArn,
    principalType,
    principalId,
    principalName: principalId.slice(-4),
    reason: { rule: 'dev-rule', detail: 'no longer wanted' },
    risks: [{ kind: 'delete', message: 'removes access' }],
  };
}

const deleteOld = (): PlanOperation => ({
  kind: 'delete-permission-set',
  key: 'permission-set:Old',
  name: 'Old',
  permissionSetArn: ids.old,
  provisionedTo: [A],
  reason: { detail: 'no rule wants it' },
  risks: [{ kind: 'delete', message: 'deletes the permission set' }],
});

function assignmentsOf(permissionSetName: string): string[] {
  const dump = sim.control.dumpState();
  const arn = dump.permissionSets.find((p) => p.name === permissionSetName)?.arn;
  return dump.assignments
    .filter((a) => a.permissionSetArn === arn)
    .map((a) => `${a.accountId}|${a.principalType}|${a.principalId}`)
    .sort();
}

describe('applyPlan against the AWS simulator', () => {
  it('creates a permission set and its assignments, and records run, results, audit and ownership', async () => {
    const operations = [
      createDev,
      createAssignment(A, 'USER', ids.alice),
      createAssignment(B, 'USER', ids.alice),
      createAssignment(A, 'GROUP', ids.devs),
      createAssignment(B, 'USER', ids.bob),
    ];
    const progress: string[] = [];
    const result = await applyPlan(
      planOf(operations),
      { writer, store },
      {
        ...fastOptions,
        planId: null,
        onProgress: (event) =>
          progress.push(event.type === 'wave' ? `wave:${event.wave}` : `op:${event.done}`),
      },
    );

    expect(result.outcomes.map((o) => o.status)).toEqual(Array(5).fill('Success'));
    expect(result.status).toBe('succeeded');
    expect(result.recordErrors).toEqual([]);
    for (const outcome of result.outcomes) {
      expect(outcome.awsRequestId).toMatch(/\S/);
      expect(outcome.attempts).toBeGreaterThanOrEqual(1);
    }
    expect(result.outcomes.slice(1).every((o) => o.asyncRequestId !== null)).toBe(true);
    expect(progress[0]).toBe('wave:permission-sets');
    expect(progress).toContain('wave:create-assignments');
    expect(progress.at(-1)).toBe('op:5');

    const dev = sim.control.dumpState().permissionSets.find((p) => p.name === 'Dev');
    expect(dev).toMatchObject({
      description: 'developers',
      sessionDuration: 'PT4H',
      managedPolicies: [READ_ONLY],
      customerManagedPolicies: [{ Name: 'dev-extra', Path: '/' }],
      tags: { team: 'platform', 'managed-by': 'okta-aws-sync' },
    });
    expect(JSON.parse(String(dev?.inlinePolicy))).toEqual(JSON.parse(INLINE));
    expect(assignmentsOf('Dev')).toEqual(
      [
        `${A}|USER|${ids.alice}`,
        `${B}|USER|${ids.alice}`,
        `${A}|GROUP|${ids.devs}`,
        `${B}|USER|${ids.bob}`,
      ].sort(),
    );

    const run = await store.getRun(result.runId);
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'test' });
    const recorded = await store.listOperations(result.runId);
    expect(recorded.map((r) => [r.opIndex, r.status])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [i, 'Success']),
    );
    const audit = await store.listAudit({ limit: 100 });
    expect(audit).toHaveLength(5);
    expect(audit.every((entry) => entry.actor === 'test:apply' && entry.requestId)).toBe(true);
    const owned = await store.listOwnership();
    expect(owned.filter((o) => o.kind === 'permissionSet').map((o) => o.key)).toEqual([dev?.arn]);
    expect(owned.filter((o) => o.kind === 'assignment')).toHaveLength(4);
    expect(owned.every((o) => o.rule === 'dev-rule' && o.createdByRun === result.runId)).toBe(true);
  });

  it('keeps at most the configured number of assignment creates outstanding', async () => {
    sim.control.setQuotas({ outstandingCreateAssignments: 2 });
    const operations = [
      createDev,
      ...[A, B].flatMap((account) => [
        createAssignment(account, 'USER', ids.alice),
        createAssignment(account, 'USER', ids.bob),
        createAssignment(account, 'GROUP', ids.devs),
      ]),
    ];
    const result = await applyPlan(
      planOf(operations),
      { writer, store },
      { ...fastOptions, limits: { maxOutstandingCreates: 2 } },
    );
    expect(result.counts.Success).toBe(7);
    // The simulator rejects a third outstanding create; none was ever rejected.
    const errors = sim.control.calls().errors;
    expect(
      Object.keys(errors).filter((key) => key.startsWith('sso-admin:CreateAccountAssignment')),
    ).toEqual([]);
    expect(assignmentsOf('Dev')).toHaveLength(6);
  });

  it('updates a drifted permission set and re-provisions it to its accounts', async () => {
    sim.control.setInlinePolicy(ids.old, INLINE);
    const before = sim.control.dumpState().provisioned.find((p) => p.permissionSetArn === ids.old);
    expect(before?.status).toBe('LATEST_PERMISSION_SET_NOT_PROVISIONED');
    const operations: PlanOperation[] = [
      {
        kind: 'update-permission-set',
        key: 'permission-set:Old',
        name: 'Old',
        permissionSetArn: ids.old,
        changes: [
          { field: 'description', from: 'old', to: 'renewed' },
          { field: 'managedPolicy', action: 'detach', arn: READ_ONLY },
          {
            field: 'managedPolicy',
            action: 'attach',
            arn: 'arn:aws:iam::aws:policy/ViewOnlyAccess',
          },
          { field: 'inlinePolicy', action: 'delete' },
          { field: 'tag', action: 'set', key: 'team', to: 'core' },
        ],
        definition: {
          name: 'Old',
          description: 'renewed',
          managedPolicies: ['arn:aws:iam::aws:policy/ViewOnlyAccess'],
          customerManagedPolicies: [],
          tags: { ...OWNED, team: 'core' },
        },
      },
      {
        kind: 'provision-permission-set',
        key: `provision:Old:${A}`,
        name: 'Old',
        permissionSetArn: ids.old,
        accountId: A,
        because: 'updated',
      },
    ];
    const result = await applyPlan(planOf(operations), { writer, store }, fastOptions);
    expect(result.outcomes.map((o) => [o.status, o.cause])).toEqual([
      ['Success', null],
      ['Success', null],
    ]);
    const dump = sim.control.dumpState();
    expect(dump.permissionSets.find((p) => p.arn === ids.old)).toMatchObject({
      description: 'renewed',
      managedPolicies: ['arn:aws:iam::aws:policy/ViewOnlyAccess'],
      tags: { ...OWNED, team: 'core' },
    });
    expect(dump.permissionSets.find((p) => p.arn === ids.old)?.inlinePolicy).toBeUndefined();
    expect(dump.provisioned.find((p) => p.permissionSetArn === ids.old)?.status).toBe(
      'LATEST_PERMISSION_SET_PROVISIONED',
    );
  });

  it('deletes assignments and then the permission set; something already gone counts as done', async () => {
    const operations = [
      deleteAssignment(A, 'USER', ids.alice, ids.old),
      deleteAssignment(B, 'USER', ids.bob, ids.old),
      deleteOld(),
    ];
    await store.upsertOwnership({ key: ids.old, kind: 'permissionSet', rule: 'dev-rule' });
    const result = await applyPlan(planOf(operations), { writer, store }, fastOptions);
    expect(result.outcomes.map((o) => [o.status, o.cause])).toEqual([
      ['Success', null],
      ['Success', 'already gone'],
      ['Success', null],
    ]);
    expect(sim.control.dumpState().permissionSets.some((p) => p.arn === ids.old)).toBe(false);
    expect(await store.getOwnership(ids.old)).toBeNull();
  });

  it('reports async FAILED with its FailureReason and skips what depends on it', async () => {
    sim.control.setFaults({ CreateAccountAssignment: { asyncFailureProbability: 1 } });
    const operations = [
      createAssignment(B, 'USER', ids.alice, 'Old', ids.old),
      deleteAssignment(B, 'USER', ids.alice, ids.old),
      createAssignment(A, 'GROUP', ids.devs, 'Old', ids.old),
      deleteOld(),
    ];
    const result = await applyPlan(planOf(operations), { writer, store }, fastOptions);
    const [create, deleteDependent, createGroup, deletePs] = result.outcomes;
    expect(create?.status).toBe('Error');
    expect(create?.cause).toContain('FAILED: An unexpected internal service exception');
    expect(create?.asyncRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(createGroup?.status).toBe('Error');
    expect(deleteDependent?.status).toBe('NotExecuted');
    expect(deleteDependent?.cause).toMatch(/create before delete/);
    expect(deleteDependent?.attempts).toBe(0);
    expect(deletePs?.status).toBe('NotExecuted');
    expect(result.status).toBe('failed');
    expect((await store.getRun(result.runId))?.status).toBe('failed');
    const recorded = await store.listOperations(result.runId);
    expect(recorded[0]?.cause).toContain('An unexpected internal service exception');
    // The executor did not call AWS for what it skipped.
    expect(sim.control.calls().counts['sso-admin:DeleteAccountAssignment']).toBeUndefined();
    expect(sim.control.calls().counts['sso-admin:DeletePermissionSet']).toBeUndefined();
  });

  it('reports a principal missing from the identity store as pending, not failed', async () => {
    const operations = [createAssignment(A, 'USER', MISSING_USER, 'Old', ids.old)];
    const result = await applyPlan(planOf(operations), { writer, store }, fastOptions);
    expect(result.outcomes[0]?.status).toBe('Pending');
    expect(result.outcomes[0]?.cause).toMatch(/not in the identity store yet/);
    expect(result.status).toBe('succeeded');
  });

  it('converges through a throttling storm and through conflicts, retrying with backoff', async () => {
    sim.control.setFaults({
      'sso-admin': { throttleProbability: 0.5, conflictProbability: 0.3 },
    });
    const operations = [
      createDev,
      createAssignment(A, 'USER', ids.alice),
      createAssignment(B, 'USER', ids.alice),
      createAssignment(A, 'GROUP', ids.devs),
      createAssignment(B, 'USER', ids.bob),
      deleteAssignment(A, 'USER', ids.alice, ids.old),
      deleteOld(),
    ];
    const result = await applyPlan(
      planOf(operations),
      { writer, store },
      { ...fastOptions, retry: { baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 30 } },
    );
    expect(result.outcomes.map((o) => [o.kind, o.status, o.cause])).toEqual(
      operations.map((o) => [o.kind, 'Success', null]),
    );
    const errors = sim.control.calls().errors;
    const count = (code: string): number =>
      Object.entries(errors)
        .filter(([key]) => key.endsWith(`:${code}`))
        .reduce((sum, [, n]) => sum + n, 0);
    expect(count('ThrottlingException')).toBeGreaterThan(0);
    expect(count('ConflictException')).toBeGreaterThan(0);
    expect(assignmentsOf('Dev')).toHaveLength(4);
    expect(sim.control.dumpState().permissionSets.map((p) => p.name)).toEqual(['Dev']);
  });

  it('fails mid-apply without throwing, and a re-run of what remains converges with no duplicate writes', async () => {
    const operations = [
      createDev,
      createAssignment(A, 'USER', ids.alice),
      createAssignment(B, 'USER', ids.alice),
      createAssignment(A, 'GROUP', ids.devs),
      deleteAssignment(A, 'USER', ids.alice, ids.old),
      deleteOld(),
    ];
    // Calls: 1 CreatePermissionSet, 2 attach managed, 3 attach customer-managed, 4 put inline,
    // then the assignment creates in plan order: call 6 is the second create.
    const failing = failNthCall(writer, 6);
    const first = await applyPlan(
      planOf(operations),
      { writer: failing.writer, store },
      { ...fastOptions, limits: { maxOutstandingCreates: 1 } },
    );
    expect(failing.injected().failedMethod).toBe('createAccountAssignment');
    expect(first.outcomes.map((o) => o.status)).toEqual([
      'Success',
      'Success',
      'Error',
      'Success',
      'Success',
      'Success',
    ]);
    expect(first.outcomes[2]?.cause).toContain('injected failure');
    expect(first.status).toBe('partial');

    // What a re-validated plan keeps: the operations that did not succeed, with the ARN now known.
    const devArn = sim.control.dumpState().permissionSets.find((p) => p.name === 'Dev')?.arn;
    const remaining = [createAssignment(B, 'USER', ids.alice, 'Dev', devArn)];
    const second = await applyPlan(planOf(remaining), { writer, store }, fastOptions);
    expect(second.outcomes.map((o) => o.status)).toEqual(['Success']);

    expect(assignmentsOf('Dev')).toEqual(
      [`${A}|USER|${ids.alice}`, `${B}|USER|${ids.alice}`, `${A}|GROUP|${ids.devs}`].sort(),
    );
    const counts = sim.control.calls().counts;
    expect(counts['sso-admin:CreatePermissionSet']).toBe(1);
    expect(counts['sso-admin:CreateAccountAssignment']).toBe(3);
    expect(counts['sso-admin:DeletePermissionSet']).toBe(1);
  });

  it('counts an existing permission set name as created when it can find the ARN', async () => {
    const operations: PlanOperation[] = [
      {
        ...createDev,
        name: 'Old',
        key: 'permission-set:Old',
        definition: { ...createDev.definition, name: 'Old' },
      },
      createAssignment(B, 'USER', ids.bob, 'Old'),
    ];
    const result = await applyPlan(
      planOf(operations),
      {
        writer,
        store,
        findPermissionSetArn: (name) =>
          Promise.resolve(
            sim.control.dumpState().permissionSets.find((p) => p.name === name)?.arn as
              PermissionSetArn | undefined,
          ),
      },
      fastOptions,
    );
    expect(result.outcomes.map((o) => [o.status, o.cause])).toEqual([
      ['Success', 'already existed'],
      ['Success', null],
    ]);
    expect(assignmentsOf('Old')).toContain(`${B}|USER|${ids.bob}`);
  });

  it('polls through a status that is not visible yet, and reports a poll timeout as an error', async () => {
    let hidden = 0;
    const lagging: IdentityCenterWriter = {
      ...writer,
      describeAssignmentCreation: (instanceArn, requestId) => {
        hidden += 1;
        if (hidden <= 2) {
          return Promise.reject(
            new IdentityCenterWriteError(
              'not visible yet',
              'ResourceNotFoundException',
              'not-found',
              null,
            ),
          );
        }
        return writer.describeAssignmentCreation(instanceArn, requestId);
      },
    };
    const visible = await applyPlan(
      planOf([createAssignment(B, 'USER', ids.bob, 'Old', ids.old)]),
      { writer: lagging, store },
      fastOptions,
    );
    expect(visible.outcomes.map((o) => o.status)).toEqual(['Success']);
    expect(hidden).toBeGreaterThan(2);

    sim.control.setAsyncLatency(60_000);
    const slow = await applyPlan(
      planOf([createAssignment(B, 'GROUP', ids.devs, 'Old', ids.old)]),
      { writer, store },
      { ...fastOptions, poll: { initialDelayMs: 5, maxDelayMs: 10, timeoutMs: 50 } },
    );
    expect(slow.outcomes[0]?.status).toBe('Error');
    expect(slow.outcomes[0]?.cause).toMatch(/still IN_PROGRESS when polling timed out/);
  });
});
