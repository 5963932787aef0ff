import { afterEach, describe, expect, it } from 'vitest';

import type { RunningSyncServer } from '../../src/http/sync-server.js';
import type { ServeWorld } from './serve-world.js';
import { API_TOKEN, DEV, eventually, HOOK_SECRET, startServeWorld } from './serve-world.js';

const DEV_GROUP = `aws#dev#Developer#${DEV}`;

let world: ServeWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

let lastPlan = '';
async function converged(w: ServeWorld): Promise<boolean> {
  const plan = await w.plan();
  lastPlan = JSON.stringify({
    ops: plan.operations,
    pending: plan.pending,
    problems: plan.problems,
  });
  return plan.operations.length === 0;
}
afterEach((context) => {
  if (context.task.result?.state === 'fail') console.error('last plan:', lastPlan);
});

async function api(server: RunningSyncServer, path: string, init: RequestInit = {}) {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    ...init,
    headers: { authorization: `Bearer ${API_TOKEN}`, ...(init.headers ?? {}) },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('serve end to end (both simulators, real SDKs, hook delivery)', () => {
  it('turns admin actions delivered by the hook into the right AWS state', async () => {
    world = await startServeWorld({ poll: false });
    const w = world;
    const server = await w.startServer();
    await w.registerHook(server.url);
    // The start-up full reconcile grants alice (already in the group).
    await eventually('initial full reconcile', () =>
      w.assignments().includes(`${DEV}|Developer|USER|alice@example.com`),
    );
    await eventually('initial convergence', () => converged(w));
    const status = await api(server, '/status');
    expect(status.body.lastFullReconcile).toMatchObject({ status: 'succeeded' });
    expect((status.body.hook as { verifiedAt: string | null }).verifiedAt).not.toBeNull();

    // user added
    w.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: 'bob@example.com' });
    await eventually('bob assigned', () =>
      w.assignments().includes(`${DEV}|Developer|USER|bob@example.com`),
    );
    // user removed
    w.okta.control.admin({ action: 'removeMember', group: DEV_GROUP, user: 'alice@example.com' });
    await eventually(
      'alice unassigned',
      () => !w.assignments().includes(`${DEV}|Developer|USER|alice@example.com`),
    );
    // group created → permission set created, members assigned
    const ops = `aws#prod#Operator#222222222222`;
    w.okta.control.admin({ action: 'createGroup', name: ops });
    w.okta.control.admin({ action: 'addMember', group: ops, user: 'carol@example.com' });
    await eventually('Operator created and carol assigned', () =>
      w.assignments().includes(`222222222222|Operator|USER|carol@example.com`),
    );
    expect(w.permissionSetNames()).toContain('Operator');
    // group deleted → its assignments and its owned, now unreferenced permission set removed
    w.okta.control.admin({ action: 'deleteGroup', group: ops });
    await eventually('Operator removed', () => !w.permissionSetNames().includes('Operator'));
    expect(w.assignments().some((a) => a.includes('|Operator|'))).toBe(false);
    // user deactivated → all owned access removed
    w.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: 'carol@example.com' });
    await eventually('carol assigned in dev', () =>
      w.assignments().includes(`${DEV}|Developer|USER|carol@example.com`),
    );
    // SCIM takes its time (minutes in real orgs): the hook must win the race and delete carol's
    // assignment while her IdC user still exists (AWS cannot delete it once the user is gone).
    w.okta.control.setScimLag(3000);
    w.okta.control.admin({ action: 'deactivateUser', user: 'carol@example.com' });
    await eventually(
      'carol has no access',
      () => !w.assignments().some((a) => a.endsWith('|USER|carol@example.com')),
    );
    await w.okta.control.settle();
    await eventually('converged', () => converged(w));
    expect(w.assignments()).toEqual([`${DEV}|Developer|USER|bob@example.com`]);

    // Everything arrived through the hook (polling is off, the full reconcile ran only at start).
    const events = await api(server, '/events?limit=100');
    const journal = events.body.events as { channel: string; state: string; eventType: string }[];
    expect(new Set(journal.map((e) => e.eventType))).toEqual(
      new Set([
        'group.user_membership.add',
        'group.user_membership.remove',
        'group.lifecycle.create',
        'group.lifecycle.delete',
        'user.lifecycle.deactivate',
      ]),
    );
    expect(journal.every((e) => e.channel === 'hook')).toBe(true);
    expect(journal.filter((e) => e.state === 'received' || e.state === 'failed')).toEqual([]);
    const runs = await api(server, '/runs?limit=50');
    const run = (runs.body.runs as { id: string; trigger: string }[]).find(
      (r) => r.trigger === 'event',
    );
    expect(run).toBeDefined();
    const detail = await api(server, `/runs/${run!.id}`);
    expect((detail.body.operations as unknown[]).length).toBeGreaterThan(0);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(
      /okta_aws_sync_api_calls_total\{service="sso-admin",operation="CreateAccountAssignment",outcome="success"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /okta_aws_sync_events_total\{channel="hook",event_type="group.user_membership.add",outcome="queued"\} [1-9]/,
    );
    expect(metrics).toMatch(/okta_aws_sync_queue_depth\{state="failed"\} 0/);
    expect(metrics).toMatch(/okta_aws_sync_reconcile_duration_seconds_count\{kind="user"\} [1-9]/);
  });

  it('catches up a dropped hook delivery through the System Log poller', async () => {
    world = await startServeWorld({ poll: true });
    const w = world;
    const server = await w.startServer();
    await w.registerHook(server.url);
    await eventually('initial convergence', () => converged(w));
    w.okta.control.setHookFaults({ dropNext: 1, batchWindowMs: 10, retryDelayMs: 20 });
    w.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: 'bob@example.com' });
    await eventually('bob assigned', () =>
      w.assignments().includes(`${DEV}|Developer|USER|bob@example.com`),
    );
    const delivered = w.okta.control.deliveries();
    expect(delivered.some((d) => d.outcome === 'dropped')).toBe(true);
    const add = w.okta.control
      .logEvents()
      .find((e) => e.eventType === 'group.user_membership.add')!;
    const journaled = await server.store.getEvent(add.uuid);
    expect(journaled).toMatchObject({ channel: 'systemLog', state: 'processed' });
  });

  it('reaches the right final state from duplicated and reordered deliveries', async () => {
    world = await startServeWorld({ poll: false });
    const w = world;
    const server = await w.startServer();
    await w.registerHook(server.url);
    await eventually('initial convergence', () => converged(w));
    w.okta.control.setHookFaults({ duplicate: 1, reorder: 0.5, delayMs: 60, batchWindowMs: 5 });
    const steps = [
      { action: 'addMember', user: 'bob@example.com' },
      { action: 'addMember', user: 'carol@example.com' },
      { action: 'removeMember', user: 'bob@example.com' },
      { action: 'removeMember', user: 'alice@example.com' },
      { action: 'addMember', user: 'bob@example.com' },
      { action: 'addMember', user: 'alice@example.com' },
      { action: 'removeMember', user: 'carol@example.com' },
    ] as const;
    for (const step of steps) {
      w.okta.control.admin({ action: step.action, group: DEV_GROUP, user: step.user });
    }
    await w.okta.control.settle();
    await eventually('converged', () => converged(w));
    expect(w.assignments()).toEqual([
      `${DEV}|Developer|USER|alice@example.com`,
      `${DEV}|Developer|USER|bob@example.com`,
    ]);
    // Every delivery was duplicated; each event is journaled once.
    const events = (await server.store.listEvents({ limit: 100 })).filter(
      (e) =>
        e.eventType === 'group.user_membership.add' ||
        e.eventType === 'group.user_membership.remove',
    );
    expect(events).toHaveLength(steps.length);
    expect(new Set(events.map((e) => e.uuid)).size).toBe(steps.length);
  });

  it('converges after SCIM lag: a membership that arrives before the user is pushed', async () => {
    world = await startServeWorld({ poll: false });
    const w = world;
    const server = await w.startServer();
    await w.registerHook(server.url);
    await eventually('initial convergence', () => converged(w));
    w.okta.control.setScimLag(1500);
    const dave = w.okta.control.admin({
      action: 'createUser',
      login: 'dave@example.com',
      appAssigned: true,
    }) as { id: string };
    w.okta.control.admin({ action: 'addMember', group: DEV_GROUP, user: dave.id });
    await eventually('dave assigned', () =>
      w.assignments().includes(`${DEV}|Developer|USER|dave@example.com`),
    );
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(
      /okta_aws_sync_reconcile_attempts_total\{kind="user",outcome="pending"\} [1-9]/,
    );
    await eventually('converged', () => converged(w));
    const status = await api(server, '/status');
    expect(status.body.pendingPrincipals).toEqual([]);
  });

  it('answers bad hook input with a 4xx and journals nothing, on the real service', async () => {
    world = await startServeWorld({ poll: false });
    const server = await world.startServer();
    const before = await server.store.countEventsByState();
    const body = JSON.stringify({
      eventType: 'com.okta.event_hook',
      eventId: 'x',
      data: {
        events: [
          {
            uuid: 'u-1',
            published: '2026-01-01T00:00:00Z',
            eventType: 'group.user_membership.add',
          },
        ],
      },
    });
    const inits: { headers: Record<string, string>; body: string }[] = [
      { headers: { 'content-type': 'application/json' }, body },
      { headers: { authorization: 'wrong', 'content-type': 'application/json' }, body },
      { headers: { authorization: HOOK_SECRET, 'content-type': 'text/plain' }, body },
      { headers: { authorization: HOOK_SECRET, 'content-type': 'application/json' }, body: '{' },
      {
        headers: { authorization: HOOK_SECRET, 'content-type': 'application/json' },
        body: JSON.stringify({ eventType: 'com.okta.event_hook', eventId: 'x', data: {} }),
      },
    ];
    const statuses = await Promise.all(
      inits.map(
        async (init) =>
          (await fetch(`${server.url}/hooks/okta`, { method: 'POST', ...init })).status,
      ),
    );
    expect(statuses).toEqual([401, 401, 415, 400, 400]);
    const verify = await fetch(`${server.url}/hooks/okta`, {
      headers: { authorization: HOOK_SECRET },
    });
    expect(verify.status).toBe(400);
    expect(await server.store.countEventsByState()).toEqual(before);
    expect(await server.store.getEvent('u-1')).toBeNull();
  });
});
