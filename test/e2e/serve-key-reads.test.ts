/**
 * serve's per-key reconciles against both simulators through the real SDKs: what a `user:` or
 * `group:` key reads (the AWS simulator's call log, per operation), that overlapping keys run
 * concurrently without a duplicate write, and that the periodic full reconcile still repairs
 * what the per-key path never looks at.
 */
import path from 'node:path';

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { openStore } from '../../src/adapters/store/open-store.js';
import type { ApplyLimits } from '../../src/app/apply/apply-plan.js';
import type { KeyReconcileReport } from '../../src/app/sync/key-reconciler.js';
import { createKeyReconciler } from '../../src/app/sync/key-reconciler.js';
import {
  OWNERSHIP_FRESH_MS,
  PERMISSION_SET_FRESH_MS,
  USER_LINK_FRESH_MS,
} from '../../src/app/sync/key-plans.js';
import type { KeyReconciler, ReconcileOutcome } from '../../src/app/sync/work-queue-runner.js';
import type { InstanceArn, PermissionSetArn } from '../../src/core/domain/ids.js';
import { groupKey, userKey } from '../../src/core/events/reconcile-key.js';
import type { Store } from '../../src/ports/store.js';
import type { ServeWorld, ServeWorldOptions } from './serve-world.js';
import { DEV, FAST_SERVICE, PROD, RULES, startServeWorld } from './serve-world.js';

const DEV_GROUP = `aws#dev#Developer#${DEV}`;

/** Calls that read everything: the per-key path must never make them. */
const FULL_INVENTORY_CALLS = [
  'sso-admin:ListInstances',
  'sso-admin:ListPermissionSets',
  'sso-admin:ListAccountAssignments',
  'identitystore:ListUsers',
  'identitystore:ListGroups',
  'identitystore:ListGroupMemberships',
  'organizations:DescribeOrganization',
  'organizations:ListRoots',
  'organizations:ListAccountsForParent',
  'organizations:ListOrganizationalUnitsForParent',
];

interface Harness {
  readonly world: ServeWorld;
  readonly store: Store;
  readonly reconcile: (key: string, attempts?: number) => Promise<ReconcileOutcome>;
  readonly reports: KeyReconcileReport[];
  readonly queued: string[];
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.store.close();
  await harness?.world.close();
  harness = undefined;
});

async function startHarness(
  options: ServeWorldOptions = {},
  limits?: ApplyLimits,
  now?: () => number,
): Promise<Harness> {
  const world = await startServeWorld({ poll: false, ...options });
  const store = await openStore(`sqlite:${path.join(world.dir, 'keys.db')}`);
  const reports: KeyReconcileReport[] = [];
  const queued: string[] = [];
  const { adapters, loaded } = world;
  const reconciler: KeyReconciler = createKeyReconciler({
    policy: loaded.policy,
    plan: {
      identityCenter: adapters.awsReaders.identityCenter,
      organizations: adapters.awsReaders.organizations,
      okta: adapters.okta.reader,
      store,
    },
    oktaPrincipals: adapters.okta.reader,
    writer: adapters.identityCenterWriter,
    store,
    ...FAST_SERVICE?.apply,
    ...(limits ? { limits } : {}),
    ...(now ? { now } : {}),
    enqueue: (key) => {
      queued.push(key);
      return Promise.resolve();
    },
    onReconciled: (report) => reports.push(report),
  });
  const logger = pino({ level: process.env.SERVE_TEST_LOG ?? 'silent' });
  let n = 0;
  const reconcile = (key: string, attempts = 1): Promise<ReconcileOutcome> => {
    n += 1;
    return reconciler(key, {
      correlationId: `${key}#${n}`,
      attempts,
      logger,
      signal: new AbortController().signal,
    });
  };
  harness = { world, store, reconcile, reports, queued };
  return harness;
}

function callCounts(world: ServeWorld): Record<string, number> {
  return { ...world.aws.control.calls().counts };
}

function writes(counts: Record<string, number>, operation: string): number {
  return counts[`sso-admin:${operation}`] ?? 0;
}

describe('serve per-key reconciles (both simulators, real SDKs)', () => {
  it('reconciles a user: key from the user principal alone, with no full-inventory call', async () => {
    const { world, reconcile, reports } = await startHarness();
    expect(await reconcile('full')).toMatchObject({ status: 'done' });
    // Steady state: the periodic full reconcile has seen the permission set the first one made.
    world.aws.control.resetCalls();
    expect(await reconcile('full')).toMatchObject({ status: 'done' });
    const fullCalls = world.aws.control.calls().total;
    world.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: 'bob@example.com' });
    await world.okta.control.settle();

    world.aws.control.resetCalls();
    expect(await reconcile(userKey(world.oktaId('bob@example.com')))).toMatchObject({
      status: 'done',
      changes: 1,
    });
    const counts = callCounts(world);
    const total = world.aws.control.calls().total;
    console.info(`user: key AWS calls ${total} (full reconcile ${fullCalls}):`, counts);
    expect(reports.at(-1)).toMatchObject({ path: 'key', fullPlan: null });
    for (const call of FULL_INVENTORY_CALLS) expect(counts[call] ?? 0, call).toBe(0);
    expect(counts['sso-admin:ListAccountAssignmentsForPrincipal']).toBe(1);
    expect(writes(counts, 'CreateAccountAssignment')).toBe(1);
    // Reads: ListAccountAssignmentsForPrincipal alone. Bob's IdC user, the permission set's
    // definition and its tags are as fresh as the full read just before. Then the create and its
    // status polls.
    expect(counts['identitystore:GetUserId'] ?? 0).toBe(0);
    expect(counts['sso-admin:ListTagsForResource'] ?? 0).toBe(0);
    expect(counts['sso-admin:DescribePermissionSet'] ?? 0).toBe(0);
    expect(total).toBeLessThanOrEqual(8);
    expect(world.assignments()).toContain(`${DEV}|Developer|USER|bob@example.com`);

    // Removed from the group: the key deletes the assignment (the account is in rule scope
    // through the cached scope of the group, which the user is no longer in).
    world.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: 'carol@example.com' });
    world.okta.control.admin({ action: 'removeMember', group: DEV_GROUP, user: 'bob@example.com' });
    await world.okta.control.settle();
    expect(await reconcile(userKey(world.oktaId('bob@example.com')))).toMatchObject({
      status: 'done',
      changes: 1,
    });
    expect(world.assignments()).not.toContain(`${DEV}|Developer|USER|bob@example.com`);
    // A deactivated user loses everything through the key path too.
    expect(await reconcile(userKey(world.oktaId('carol@example.com')))).toMatchObject({
      status: 'done',
    });
    expect(world.assignments()).toContain(`${DEV}|Developer|USER|carol@example.com`);
    // SCIM would delete her Identity Center user, after which AWS cannot delete her assignment:
    // slow it down so the key wins, as the hook does in practice.
    world.okta.control.setScimLag(3000);
    world.okta.control.admin({ action: 'deactivateUser', user: 'carol@example.com' });
    expect(await reconcile(userKey(world.oktaId('carol@example.com')))).toMatchObject({
      status: 'done',
    });
    expect(reports.at(-1)?.path).toBe('key');
    expect(world.assignments()).toEqual([`${DEV}|Developer|USER|alice@example.com`]);
    expect((await world.plan()).operations).toEqual([]);
  });

  it('a user: key confirms the ownership tags only of the permission sets it writes to, at most every few seconds', async () => {
    let clock = Date.now();
    const { world, reconcile } = await startHarness({}, undefined, () => clock);
    const AUDIT_GROUP = `aws#prod#Auditor#${PROD}`;
    world.okta.control.admin({ action: 'createGroup', name: AUDIT_GROUP });
    world.okta.control.admin({ action: 'addMember', group: AUDIT_GROUP, user: 'bob@example.com' });
    world.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: 'bob@example.com' });
    await world.okta.control.settle();
    expect(await reconcile('full')).toMatchObject({ status: 'done' });
    // Steady state: the next full reconcile has seen the permission set the first one made.
    expect(await reconcile('full')).toMatchObject({ status: 'done' });
    const bobDev = `${DEV}|Developer|USER|bob@example.com`;
    expect(world.assignments()).toContain(bobDev);
    const bobKey = userKey(world.oktaId('bob@example.com'));
    const tagReads = () => callCounts(world)['sso-admin:ListTagsForResource'] ?? 0;

    // Right after the full read, its tags are fresh enough: no tag read.
    world.okta.control.admin({ action: 'removeMember', group: DEV_GROUP, user: 'bob@example.com' });
    await world.okta.control.settle();
    clock += 1_000;
    world.aws.control.resetCalls();
    expect(await reconcile(bobKey)).toMatchObject({ status: 'done', changes: 1 });
    expect(tagReads()).toBe(0);
    expect(world.assignments()).not.toContain(bobDev);

    // Later, the one permission set written to (of bob's two) has its tags read again.
    world.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: 'bob@example.com' });
    await world.okta.control.settle();
    clock += OWNERSHIP_FRESH_MS + 1_000;
    world.aws.control.resetCalls();
    expect(await reconcile(bobKey)).toMatchObject({ status: 'done', changes: 1 });
    expect(tagReads()).toBe(1);
    expect(world.assignments()).toContain(bobDev);

    // Nothing to change: no tag read at all.
    clock += OWNERSHIP_FRESH_MS + 1_000;
    world.aws.control.resetCalls();
    expect(await reconcile(bobKey)).toMatchObject({ status: 'done', changes: 0 });
    expect(tagReads()).toBe(0);
    expect((await world.plan()).operations).toEqual([]);
  });

  it('a user: key resolves its Identity Center user once per window, and afresh on a retry', async () => {
    let clock = Date.now();
    const { world, reconcile } = await startHarness({}, undefined, () => clock);
    // Dave is not in Okta's push yet when the full read runs, so nothing links him.
    world.okta.control.setScimLag(3000);
    world.okta.control.admin({ action: 'createUser', login: 'dave@example.com' });
    world.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: 'dave@example.com' });
    expect(await reconcile('full')).toMatchObject({ status: 'done' });
    const dave = userKey(world.oktaId('dave@example.com'));
    const resolves = () => callCounts(world)['identitystore:GetUserId'] ?? 0;

    // Not pushed: looked up on every attempt, never remembered as missing.
    world.aws.control.resetCalls();
    expect(await reconcile(dave)).toMatchObject({ status: 'pending' });
    expect(await reconcile(dave)).toMatchObject({ status: 'pending' });
    // Each attempt looks him up by ExternalId, then by userName.
    expect(resolves()).toBe(2 * 2);

    await world.okta.control.settle();
    world.aws.control.resetCalls();
    expect(await reconcile(dave, 3)).toMatchObject({ status: 'done', changes: 1 });
    expect(resolves()).toBe(1);
    expect(world.assignments()).toContain(`${DEV}|Developer|USER|dave@example.com`);

    // Within the window the next changes reuse the link; a retry (attempt 2) resolves again.
    world.okta.control.admin({
      action: 'removeMember',
      group: DEV_GROUP,
      user: 'dave@example.com',
    });
    await world.okta.control.settle();
    clock += 1_000;
    world.aws.control.resetCalls();
    expect(await reconcile(dave)).toMatchObject({ status: 'done', changes: 1 });
    expect(resolves()).toBe(0);
    expect(await reconcile(dave, 2)).toMatchObject({ status: 'done', changes: 0 });
    expect(resolves()).toBe(1);
    // Past the window: resolved again.
    clock += USER_LINK_FRESH_MS + 1_000;
    world.aws.control.resetCalls();
    expect(await reconcile(dave)).toMatchObject({ status: 'done', changes: 0 });
    expect(resolves()).toBe(1);
    expect((await world.plan()).operations).toEqual([]);
  });

  it('a group: key reads its permission set once per window; a permission set write voids it', async () => {
    let clock = Date.now();
    const { world, reconcile } = await startHarness({}, undefined, () => clock);
    expect(await reconcile('full')).toMatchObject({ status: 'done' });
    expect(await reconcile('full')).toMatchObject({ status: 'done' });
    const group = groupKey(world.oktaId(DEV_GROUP));
    /** Runs the group key `laterMs` after the last one; its whole reads and permission set writes. */
    const runAfter = async (laterMs: number) => {
      clock += laterMs;
      world.aws.control.resetCalls();
      expect(await reconcile(group)).toMatchObject({ status: 'done' });
      const counts = callCounts(world);
      return {
        wholeReads: counts['sso-admin:DescribePermissionSet'] ?? 0,
        updates: writes(counts, 'UpdatePermissionSet'),
      };
    };

    // Just after the full read, the group key plans with what it read.
    expect(await runAfter(1_000)).toEqual({ wholeReads: 0, updates: 0 });
    // Past the window it reads the permission set again, and then holds that read.
    expect(await runAfter(PERMISSION_SET_FRESH_MS + 1_000)).toEqual({ wholeReads: 1, updates: 0 });

    // Someone edits the permission set in AWS. Within the window the key does not see it; the
    // first key after the window reads it and repairs it.
    const developer = world.aws.control
      .dumpState()
      .permissionSets.find((ps) => ps.name === 'Developer')!;
    await world.adapters.identityCenterWriter.updatePermissionSet(
      world.aws.instanceArn as InstanceArn,
      developer.arn as PermissionSetArn,
      { description: 'edited by hand', sessionDuration: 'PT4H' },
    );
    expect(await runAfter(1_000)).toEqual({ wholeReads: 0, updates: 0 });
    expect(await runAfter(PERMISSION_SET_FRESH_MS + 1_000)).toEqual({ wholeReads: 1, updates: 1 });
    // The key's own write voids what it read: the next key, within the window, reads again.
    expect(await runAfter(1_000)).toEqual({ wholeReads: 1, updates: 0 });
    expect((await world.plan()).operations).toEqual([]);
  });

  it('at start, keys wait for the full read under way instead of reading everything again', async () => {
    const { world, reconcile, reports } = await startHarness();
    world.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: 'bob@example.com' });
    await world.okta.control.settle();
    world.aws.control.resetCalls();
    const bob = userKey(world.oktaId('bob@example.com'));
    const outcomes = await Promise.all([reconcile('full'), reconcile(bob)]);
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'done']);
    expect(reports.find((r) => r.key === bob)?.path).toBe('key');
    expect(callCounts(world)['identitystore:ListUsers']).toBe(1);
    expect(world.assignments()).toEqual([
      `${DEV}|Developer|USER|alice@example.com`,
      `${DEV}|Developer|USER|bob@example.com`,
    ]);
  });

  it('takes everything from a user deleted in Okta, found by ExternalId alone', async () => {
    const { world, reconcile, reports } = await startHarness();
    // Bob too, so that the group does not read empty (the empty-source guard) once alice goes.
    world.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: 'bob@example.com' });
    await world.okta.control.settle();
    await reconcile('full');
    const aliceId = world.oktaId('alice@example.com');
    // Deleted before SCIM removes her Identity Center user (after that AWS keeps the assignment
    // and fails its delete).
    world.okta.control.setScimLag(3000);
    world.okta.control.admin({ action: 'deactivateUser', user: 'alice@example.com' });
    world.okta.control.admin({ action: 'deleteUser', user: aliceId });
    world.aws.control.resetCalls();
    expect(await reconcile(userKey(aliceId))).toMatchObject({ status: 'done', changes: 1 });
    expect(reports.at(-1)?.path).toBe('key');
    expect(callCounts(world)['identitystore:GetUserId']).toBe(1);
    expect(world.assignments()).toEqual([`${DEV}|Developer|USER|bob@example.com`]);
  });

  it('keeps the empty-source guard on the key path: the last member leaving deletes nothing', async () => {
    const { world, reconcile, reports } = await startHarness();
    await reconcile('full');
    world.okta.control.admin({
      action: 'removeMember',
      group: DEV_GROUP,
      user: 'alice@example.com',
    });
    await world.okta.control.settle();
    const alice = userKey(world.oktaId('alice@example.com'));
    expect(await reconcile(alice)).toMatchObject({ status: 'done', changes: 0 });
    const report = reports.at(-1)!;
    expect(report.path).toBe('key');
    expect(report.scopedPlan.operations).toEqual([]);
    expect(report.scopedPlan.guards.emptySourceGroups).toMatchObject([
      { name: DEV_GROUP, previousMemberCount: 1, confirmed: false },
    ]);
    expect(report.scopedPlan.blockedDeletes).toHaveLength(1);
    expect(world.assignments()).toContain(`${DEV}|Developer|USER|alice@example.com`);
    // Still held on the next run (the group's remembered members were kept).
    expect(await reconcile(alice)).toMatchObject({ status: 'done', changes: 0 });
    expect(world.assignments()).toContain(`${DEV}|Developer|USER|alice@example.com`);
    // The group key sees the same and hands nobody to a user key.
    expect(await reconcile(groupKey(world.oktaId(DEV_GROUP)))).toMatchObject({ status: 'done' });
    expect(reports.at(-1)?.scopedPlan.guards.emptySourceGroups).toHaveLength(1);
  });

  it('runs overlapping keys concurrently without a duplicate AWS write', async () => {
    const { world, reconcile, reports } = await startHarness();
    await reconcile('full');
    world.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: 'bob@example.com' });
    world.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: 'carol@example.com' });
    await world.okta.control.settle();
    world.aws.control.resetCalls();
    const bob = userKey(world.oktaId('bob@example.com'));
    const carol = userKey(world.oktaId('carol@example.com'));
    // The full reconcile and both user keys all plan the same two creates from their reads.
    const before = reports.length;
    const outcomes = await Promise.all([
      reconcile(bob),
      reconcile('full'),
      reconcile(carol),
      reconcile(bob),
    ]);
    expect(outcomes.every((o) => o.status === 'done')).toBe(true);
    const counts = callCounts(world);
    expect(writes(counts, 'CreateAccountAssignment')).toBe(2);
    // No ConflictException or any other failed write: only "no boundary" answers to reads.
    expect(
      Object.keys(world.aws.control.calls().errors).filter(
        (e) => !e.startsWith('sso-admin:GetPermissionsBoundaryForPermissionSet:'),
      ),
    ).toEqual([]);
    expect(world.assignments()).toEqual([
      `${DEV}|Developer|USER|alice@example.com`,
      `${DEV}|Developer|USER|bob@example.com`,
      `${DEV}|Developer|USER|carol@example.com`,
    ]);
    // Whoever came second saw the write and left it out.
    const superseded = reports.slice(before).flatMap((r) => r.superseded);
    const applied = reports
      .slice(before)
      .flatMap((r) => r.scopedPlan.operations.map((op) => op.key));
    expect(applied.filter((k) => k.includes('|USER|')).length).toBe(2);
    expect(superseded.every((s) => s.by === 'create-assignment')).toBe(true);
    world.aws.control.resetCalls();
    await Promise.all([reconcile(bob), reconcile(carol), reconcile('full')]);
    expect(writes(callCounts(world), 'CreateAccountAssignment')).toBe(0);
  });

  it("keeps concurrent keys within AWS's outstanding-request limit together", async () => {
    const { world, reconcile } = await startHarness({}, { maxOutstandingCreates: 2 });
    await reconcile('full');
    const prodGroup = `aws#prod#Developer#${PROD}`;
    world.okta.control.admin({ action: 'createGroup', name: prodGroup });
    for (const user of ['alice@example.com', 'bob@example.com', 'carol@example.com']) {
      world.okta.control.admin({ action: 'addMember', group: prodGroup, user });
    }
    for (const user of ['bob@example.com', 'carol@example.com']) {
      world.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user });
    }
    await world.okta.control.settle();
    await reconcile(groupKey(world.oktaId(prodGroup)));
    // AWS allows 2 outstanding creates here; three keys of up to 2 creates each run at once.
    world.aws.control.setQuotas({ outstandingCreateAssignments: 2 });
    world.aws.control.setAsyncLatency(150);
    world.aws.control.resetCalls();
    const keys = ['alice@example.com', 'bob@example.com', 'carol@example.com'].map((login) =>
      userKey(world.oktaId(login)),
    );
    const outcomes = await Promise.all(keys.map((key) => reconcile(key)));
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'done', 'done']);
    const calls = world.aws.control.calls();
    expect(calls.counts['sso-admin:CreateAccountAssignment']).toBe(5);
    expect(calls.errors['sso-admin:CreateAccountAssignment:ThrottlingException'] ?? 0).toBe(0);
    expect(world.assignments()).toHaveLength(6);
  });

  it('group: keys create the permission set of a new group, hand members to user: keys, and retire it once the group is deleted', async () => {
    const { world, reconcile, reports, queued } = await startHarness();
    await reconcile('full');
    const operator = `aws#prod#Operator#${PROD}`;
    world.okta.control.admin({ action: 'createGroup', name: operator });
    world.okta.control.admin({ action: 'addMember', group: operator, user: 'carol@example.com' });
    await world.okta.control.settle();
    world.aws.control.resetCalls();
    const group = groupKey(world.oktaId(operator));
    expect(await reconcile(group)).toMatchObject({ status: 'done' });
    expect(reports.at(-1)?.path).toBe('key');
    const counts = callCounts(world);
    for (const call of FULL_INVENTORY_CALLS.filter((c) => c !== 'sso-admin:ListPermissionSets')) {
      expect(counts[call] ?? 0, call).toBe(0);
    }
    expect(writes(counts, 'CreatePermissionSet')).toBe(1);
    expect(world.permissionSetNames()).toContain('Operator');
    const carol = userKey(world.oktaId('carol@example.com'));
    expect(queued).toContain(carol);
    expect(await reconcile(carol)).toMatchObject({ status: 'done', changes: 1 });
    expect(world.assignments()).toContain(`${PROD}|Operator|USER|carol@example.com`);

    // Deleted: retiring the permission set needs all of its assignments, so the key reads all.
    world.okta.control.admin({ action: 'deleteGroup', group: operator });
    await world.okta.control.settle();
    expect(await reconcile(group)).toMatchObject({ status: 'done' });
    expect(reports.at(-1)?.path).toBe('full');
    expect(world.permissionSetNames()).not.toContain('Operator');
    expect(world.assignments().some((a) => a.includes('|Operator|'))).toBe(false);
    expect((await world.plan()).operations).toEqual([]);
  });

  it('renames a group on the key path: its new permission set, and its members moved by their user: keys', async () => {
    const { world, reconcile, reports, queued } = await startHarness();
    // A second group still yields Developer, so the rename retires nothing.
    const prodGroup = `aws#prod#Developer#${PROD}`;
    world.okta.control.admin({ action: 'createGroup', name: prodGroup });
    world.okta.control.admin({ action: 'addMember', group: prodGroup, user: 'bob@example.com' });
    await world.okta.control.settle();
    await reconcile('full');
    expect(world.assignments()).toEqual([
      `${DEV}|Developer|USER|alice@example.com`,
      `${PROD}|Developer|USER|bob@example.com`,
    ]);
    const renamed = `aws#dev#Operator#${DEV}`;
    world.okta.control.admin({ action: 'renameGroup', group: DEV_GROUP, name: renamed });
    await world.okta.control.settle();
    const group = groupKey(world.oktaId(renamed));
    expect(await reconcile(group)).toMatchObject({ status: 'done' });
    expect(reports.at(-1)?.path).toBe('key');
    expect(world.permissionSetNames()).toEqual(['Developer', 'Operator']);
    const alice = userKey(world.oktaId('alice@example.com'));
    expect(queued).toContain(alice);
    expect(await reconcile(alice)).toMatchObject({ status: 'done', changes: 2 });
    expect(reports.at(-1)?.path).toBe('key');
    expect(world.assignments()).toEqual([
      `${DEV}|Operator|USER|alice@example.com`,
      `${PROD}|Developer|USER|bob@example.com`,
    ]);
    expect((await world.plan()).operations).toEqual([]);
  });

  it('reconciles a GROUP-mode group: key through its own Identity Center group', async () => {
    const rules = `${RULES}  - name: team-groups
    groups: { namePattern: '^team#(?<permissionSet>[\\w+=,.@-]{1,32})#(?<account>\\d{12})$' }
    permissionSet: '{permissionSet}'
    template: Developer
    accounts: ['{account}']
    assign: GROUP
`;
    const { world, reconcile, reports } = await startHarness({ rules });
    await reconcile('full');
    const team = `team#Auditor#${PROD}`;
    world.okta.control.admin({ action: 'createGroup', name: team, pushed: true });
    world.okta.control.admin({ action: 'addMember', group: team, user: 'carol@example.com' });
    await world.okta.control.settle();
    world.aws.control.resetCalls();
    const key = groupKey(world.oktaId(team));
    expect(await reconcile(key)).toMatchObject({ status: 'done' });
    expect(reports.at(-1)?.path).toBe('key');
    const counts = callCounts(world);
    expect(counts['identitystore:GetGroupId']).toBeGreaterThanOrEqual(1);
    expect(counts['sso-admin:ListAccountAssignmentsForPrincipal']).toBe(1);
    expect(counts['identitystore:ListGroups'] ?? 0).toBe(0);
    expect(world.assignments()).toContain(`${PROD}|Auditor|GROUP|${team}`);
    // Deleted in Okta, before SCIM deletes its Identity Center group (AWS keeps assignments of a
    // deleted group and fails their deletes): its assignment goes, then its permission set,
    // which no group yields any more (retiring one takes the full read).
    world.okta.control.setScimLag(3000);
    world.okta.control.admin({ action: 'deleteGroup', group: team });
    expect(await reconcile(key)).toMatchObject({ status: 'done' });
    expect(reports.at(-1)?.path).toBe('full');
    expect(world.assignments().some((a) => a.includes('|Auditor|'))).toBe(false);
    expect(world.permissionSetNames()).not.toContain('Auditor');
    expect((await world.plan()).operations).toEqual([]);
  });

  it('leaves drift it does not look at to the periodic full reconcile, which repairs it', async () => {
    const { world, reconcile } = await startHarness();
    await reconcile('full');
    // Someone removes alice's assignment by hand in AWS; no Okta event says anything.
    const dump = world.aws.control.dumpState();
    const alice = dump.identityStore.users.find((u) => u.UserName === 'alice@example.com')!;
    const assignment = dump.assignments.find((a) => a.principalId === alice.UserId)!;
    expect(world.aws.control.deleteAssignment(assignment)).toBe(true);
    world.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: 'bob@example.com' });
    await world.okta.control.settle();
    await reconcile(userKey(world.oktaId('bob@example.com')));
    await reconcile(groupKey(world.oktaId(DEV_GROUP)));
    expect(world.assignments()).toEqual([`${DEV}|Developer|USER|bob@example.com`]);
    expect(await reconcile('full')).toMatchObject({ status: 'done', changes: 1 });
    expect(world.assignments()).toEqual([
      `${DEV}|Developer|USER|alice@example.com`,
      `${DEV}|Developer|USER|bob@example.com`,
    ]);
  });
});
