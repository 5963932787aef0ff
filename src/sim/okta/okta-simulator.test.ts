import { Client } from '@okta/okta-sdk-nodejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOktaSimulator } from './okta-simulator.js';
import type { OktaSimulator } from './okta-simulator.js';
import { loadOktaOpenApiValidator } from './test-support/openapi-validator.js';
import type { OpenApiValidator } from './test-support/openapi-validator.js';

let sim: OktaSimulator;
let client: Client;
let spec: OpenApiValidator;

const users = Array.from({ length: 24 }, (_, i) => ({
  login: `user${String(i).padStart(2, '0')}@example.com`,
  firstName: `First${i}`,
  lastName: `Last${i}`,
}));

beforeAll(async () => {
  spec = loadOktaOpenApiValidator();
  sim = await startOktaSimulator({
    seed: 7,
    scenario: {
      users: [...users, { login: 'gone@example.com', status: 'DEPROVISIONED' }],
      groups: [
        {
          name: 'aws#prod#AdministratorAccess#123456789012',
          members: ['user00@example.com', 'user01@example.com'],
        },
        { name: 'aws#dev#ReadOnlyAccess#210987654321', members: ['user02@example.com'] },
        { name: 'engineering', members: ['user00@example.com'] },
        { name: 'AD Admins', type: 'APP_GROUP' },
      ],
    },
  });
  client = new Client({ orgUrl: sim.orgUrl, token: sim.token, cacheMiddleware: null });
});

afterAll(async () => {
  await sim.close();
});

interface RawResponse {
  status: number;
  headers: Headers;
  json: unknown;
}

async function raw(
  method: string,
  path: string,
  body?: string,
  auth?: string,
): Promise<RawResponse> {
  const res = await fetch(`${sim.orgUrl}${path}`, {
    method,
    headers: {
      authorization: auth ?? `SSWS ${sim.token}`,
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    json: text === '' ? undefined : JSON.parse(text),
  };
}

function expectSpec(method: string, template: string, res: RawResponse): void {
  expect(spec.validateResponse(method, template, res.status, res.json)).toEqual([]);
}

function expectOktaError(res: RawResponse, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.json).toMatchObject({ errorCode: code, errorLink: code });
  expect(spec.validateSchema('Error', res.json)).toEqual([]);
  expect(res.headers.get('x-okta-request-id')).toBeTruthy();
}

describe('users', () => {
  it('pages through active users with the SDK following absolute Link headers', async () => {
    sim.control.resetCalls();
    const logins: string[] = [];
    const collection = await client.userApi.listUsers({ limit: 5 });
    await collection.each((u) => {
      logins.push(u.profile?.login ?? '');
    });
    expect(logins.sort()).toEqual(users.map((u) => u.login).sort());
    expect(sim.control.calls().byEndpoint['GET /api/v1/users']).toBe(5);
  });

  it('serves Link, Date, request-id and rate-limit headers and a spec-valid page', async () => {
    const res = await raw('GET', '/api/v1/users?limit=3');
    expectSpec('GET', '/api/v1/users', res);
    const link = res.headers.get('link') ?? '';
    expect(link).toContain(`<${sim.orgUrl}/api/v1/users?limit=3>; rel="self"`);
    expect(link).toMatch(
      new RegExp(`<${sim.orgUrl}/api/v1/users\\?limit=3&after=00u[^>]+>; rel="next"`),
    );
    expect(res.headers.get('date')).toBeTruthy();
    expect(Number(res.headers.get('x-rate-limit-limit'))).toBeGreaterThan(0);
    expect(Number(res.headers.get('x-rate-limit-remaining'))).toBeGreaterThanOrEqual(0);
    expect(Number(res.headers.get('x-rate-limit-reset'))).toBeGreaterThanOrEqual(
      Math.floor(Date.now() / 1000) - 1,
    );
  });

  it('includes deactivated users only with search or filter; q is a prefix match', async () => {
    const plain = (await raw('GET', '/api/v1/users')).json as { profile: { login: string } }[];
    expect(plain.map((u) => u.profile.login)).not.toContain('gone@example.com');
    const searched = await raw(
      'GET',
      `/api/v1/users?search=${encodeURIComponent('status eq "DEPROVISIONED"')}`,
    );
    expectSpec('GET', '/api/v1/users', searched);
    expect((searched.json as { profile: { login: string } }[]).map((u) => u.profile.login)).toEqual(
      ['gone@example.com'],
    );
    const filtered = await raw(
      'GET',
      `/api/v1/users?filter=${encodeURIComponent('profile.login eq "user03@example.com"')}`,
    );
    expect((filtered.json as unknown[]).length).toBe(1);
    const q = (await raw('GET', '/api/v1/users?q=user1')).json as unknown[];
    expect(q.length).toBe(10);
  });

  it('gets a user by id or login and lists the user groups', async () => {
    const byLogin = await client.userApi.getUser({ userId: 'user00@example.com' });
    const byId = await raw('GET', `/api/v1/users/${byLogin.id}`);
    expectSpec('GET', '/api/v1/users/{id}', byId);
    expect((byId.json as { profile: { login: string } }).profile.login).toBe('user00@example.com');
    const groups = await raw('GET', `/api/v1/users/${byLogin.id}/groups`);
    expectSpec('GET', '/api/v1/users/{id}/groups', groups);
    const names = (groups.json as { profile: { name: string } }[])
      .map((g) => g.profile.name)
      .sort();
    expect(names).toEqual(['Everyone', 'aws#prod#AdministratorAccess#123456789012', 'engineering']);
  });

  it('runs the lifecycle: suspend, unsuspend, deactivate, delete; each writes its LogEvent', async () => {
    const created = await client.userApi.createUser({
      body: {
        profile: {
          login: 'temp@example.com',
          email: 'temp@example.com',
          firstName: 'Temp',
          lastName: 'User',
        },
      },
    });
    const id = created.id ?? '';
    expect(created.status).toBe('ACTIVE');
    await client.userApi.suspendUser({ userId: id });
    expect((await client.userApi.getUser({ userId: id })).status).toBe('SUSPENDED');
    await client.userApi.unsuspendUser({ userId: id });
    await client.userApi.deactivateUser({ userId: id });
    expect((await client.userApi.getUser({ userId: id })).status).toBe('DEPROVISIONED');
    const suspendAgain = await raw('POST', `/api/v1/users/${id}/lifecycle/suspend`);
    expectOktaError(suspendAgain, 400, 'E0000001');
    const reactivate = await raw('POST', `/api/v1/users/${id}/lifecycle/activate?sendEmail=false`);
    expect(reactivate.status).toBe(200);
    await client.userApi.deactivateUser({ userId: id });
    await client.userApi.deleteUser({ userId: id });
    const gone = await raw('GET', `/api/v1/users/${id}`);
    expectOktaError(gone, 404, 'E0000007');
    const types = sim.control
      .logEvents()
      .filter((e) => (e.target as { id: string }[] | undefined)?.some((t) => t.id === id))
      .map((e) => e.eventType);
    expect(types).toEqual([
      'user.lifecycle.create',
      'user.lifecycle.activate',
      'user.lifecycle.suspend',
      'user.lifecycle.unsuspend',
      'user.lifecycle.deactivate',
      'user.lifecycle.reactivate',
      'user.lifecycle.deactivate',
      'user.lifecycle.delete.initiated',
      'user.lifecycle.delete.completed',
    ]);
  });
});

describe('groups', () => {
  it('lists with search, filter, q and the three group types', async () => {
    const search = await raw(
      'GET',
      `/api/v1/groups?search=${encodeURIComponent('type eq "OKTA_GROUP" and profile.name sw "aws#"')}`,
    );
    expectSpec('GET', '/api/v1/groups', search);
    expect(
      (search.json as { profile: { name: string } }[]).map((g) => g.profile.name).sort(),
    ).toEqual(['aws#dev#ReadOnlyAccess#210987654321', 'aws#prod#AdministratorAccess#123456789012']);
    const app = (
      await raw('GET', `/api/v1/groups?filter=${encodeURIComponent('type eq "APP_GROUP"')}`)
    ).json as { type: string }[];
    expect(app.map((g) => g.type)).toEqual(['APP_GROUP']);
    const builtIn = (
      await raw('GET', `/api/v1/groups?filter=${encodeURIComponent('type eq "BUILT_IN"')}`)
    ).json as { profile: { name: string } }[];
    expect(builtIn.map((g) => g.profile.name)).toEqual(['Everyone']);
    const q = (await raw('GET', '/api/v1/groups?q=eng')).json as { profile: { name: string } }[];
    expect(q.map((g) => g.profile.name)).toEqual(['engineering']);
    const stats = (await raw('GET', `/api/v1/groups?expand=stats&q=aws%23prod`)).json as {
      _embedded: { stats: { usersCount: number } };
    }[];
    expect(stats[0]?._embedded.stats.usersCount).toBe(2);
  });

  it('paginates groups through the SDK', async () => {
    const names: string[] = [];
    for await (const g of await client.groupApi.listGroups({ limit: 2 })) {
      if (g) names.push(g.profile?.name ?? '');
    }
    expect(names.length).toBe(5);
  });

  it('creates, renames, fills, empties and deletes a group with the SDK; each step is audited', async () => {
    const group = await client.groupApi.createGroup({
      group: { profile: { name: 'aws#sandbox#PowerUserAccess#111122223333' } },
    });
    const gid = group.id ?? '';
    expect(group.type).toBe('OKTA_GROUP');
    const user = await client.userApi.getUser({ userId: 'user05@example.com' });
    await client.groupApi.assignUserToGroup({ groupId: gid, userId: user.id ?? '' });
    // A repeated PUT is accepted without a second event.
    expect((await raw('PUT', `/api/v1/groups/${gid}/users/${user.id}`)).status).toBe(204);
    const members = await raw('GET', `/api/v1/groups/${gid}/users`);
    expectSpec('GET', '/api/v1/groups/{groupId}/users', members);
    expect((members.json as { id: string }[]).map((u) => u.id)).toEqual([user.id]);
    const renamed = await raw(
      'PUT',
      `/api/v1/groups/${gid}`,
      JSON.stringify({ profile: { name: 'aws#sandbox#ReadOnlyAccess#111122223333' } }),
    );
    expectSpec('PUT', '/api/v1/groups/{groupId}', renamed);
    const got = await raw('GET', `/api/v1/groups/${gid}`);
    expectSpec('GET', '/api/v1/groups/{groupId}', got);
    expect((got.json as { profile: { name: string } }).profile.name).toBe(
      'aws#sandbox#ReadOnlyAccess#111122223333',
    );
    await client.groupApi.unassignUserFromGroup({ groupId: gid, userId: user.id ?? '' });
    await client.groupApi.deleteGroup({ groupId: gid });
    await expect(client.groupApi.getGroup({ groupId: gid })).rejects.toMatchObject({
      status: 404,
      errorCode: 'E0000007',
    });

    const events = sim.control
      .logEvents()
      .filter((e) => (e.target as { id: string }[]).some((t) => t.id === gid));
    expect(events.map((e) => e.eventType)).toEqual([
      'group.lifecycle.create',
      'group.user_membership.add',
      'group.profile.update',
      'group.user_membership.remove',
      'group.lifecycle.delete',
    ]);
    for (const e of events) expect(spec.validateSchema('LogEvent', e)).toEqual([]);
    const add = events[1] as unknown as {
      target: { type: string; id: string; alternateId: string }[];
      transaction: { id: string };
      debugContext: { debugData: { requestId: string } };
    };
    expect(add.target.map((t) => t.type)).toEqual(['User', 'UserGroup']);
    expect(add.target[0]).toMatchObject({ id: user.id, alternateId: 'user05@example.com' });
    expect(add.target[1]).toMatchObject({ id: gid, alternateId: 'unknown' });
    expect(add.transaction.id).toBe(add.debugContext.debugData.requestId);
  });

  it('keeps BUILT_IN and APP_GROUP read-only', async () => {
    const everyone = ((await raw('GET', '/api/v1/groups?q=Everyone')).json as { id: string }[])[0];
    expectOktaError(await raw('DELETE', `/api/v1/groups/${everyone?.id}`), 403, 'E0000006');
  });
});

describe('bad input', () => {
  it('answers auth, path, method, search, body and validation mistakes with the catalog codes', async () => {
    expectOktaError(await raw('GET', '/api/v1/users', undefined, ''), 401, 'E0000011');
    expectOktaError(await raw('GET', '/api/v1/users', undefined, 'SSWS wrong'), 401, 'E0000011');
    expectOktaError(
      await raw('GET', '/api/v1/users', undefined, 'Bearer undefined'),
      401,
      'E0000011',
    );
    expectOktaError(await raw('GET', '/api/v1/nothing-here'), 404, 'E0000007');
    expectOktaError(await raw('GET', '/api/v1/groups/00gdoesnotexist00000'), 404, 'E0000007');
    expectOktaError(await raw('PATCH', '/api/v1/groups'), 405, 'E0000022');
    expectOktaError(
      await raw('GET', `/api/v1/groups?search=${encodeURIComponent('profile.name eqq "x"')}`),
      400,
      'E0000031',
    );
    expectOktaError(
      await raw('GET', `/api/v1/groups?filter=${encodeURIComponent('profile.name eq "x"')}`),
      400,
      'E0000031',
    );
    expectOktaError(
      await raw('GET', `/api/v1/users?filter=${encodeURIComponent('status eq "ACTIVE')}`),
      400,
      'E0000031',
    );
    expectOktaError(await raw('POST', '/api/v1/groups', '{"profile": {'), 400, 'E0000003');
    const invalid = await raw('POST', '/api/v1/groups', JSON.stringify({ profile: { name: '' } }));
    expectOktaError(invalid, 400, 'E0000001');
    expect((invalid.json as { errorCauses: unknown[] }).errorCauses.length).toBeGreaterThan(0);
    expectSpec('POST', '/api/v1/groups', invalid);
  });

  it('never answers a client mistake with a 5xx', async () => {
    const probes: [string, string, string?][] = [
      ['GET', '/api/v1/users?limit=abc'],
      ['GET', '/api/v1/users?limit=-1'],
      ['GET', '/api/v1/users?after=zzzz'],
      ['GET', '/api/v1/groups/%E0%A4%A/users'],
      ['GET', '/api/v1/logs?since=yesterday'],
      ['GET', '/api/v1/logs?after=nonsense'],
      ['PUT', '/api/v1/groups/x/users/y'],
      ['POST', '/api/v1/users', '[]'],
      ['POST', '/api/v1/users', 'null'],
      ['POST', '/api/v1/eventHooks', '{"name": 5}'],
      ['DELETE', '/api/v1/users/nobody'],
      ['GET', '/_sim/nothing'],
      ['POST', '/_sim/admin', '{"action":"explode"}'],
    ];
    for (const [method, path, body] of probes) {
      const res = await raw(method, path, body);
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(200);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
    }
  });
});

describe('control', () => {
  it('performs admin actions over HTTP that audit like API calls, and dumps state', async () => {
    const post = (body: unknown): Promise<Response> =>
      fetch(`${sim.orgUrl}/_sim/admin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (await post({ action: 'createGroup', name: 'aws#ops#Billing#333344445555' })).status,
    ).toBe(200);
    expect(
      (
        await post({
          action: 'addMember',
          group: 'aws#ops#Billing#333344445555',
          user: 'user07@example.com',
        })
      ).status,
    ).toBe(200);
    const state = (await (await fetch(`${sim.orgUrl}/_sim/state`)).json()) as {
      groups: { name: string; memberIds: string[]; pushed: boolean }[];
    };
    const g = state.groups.find((x) => x.name === 'aws#ops#Billing#333344445555');
    expect(g?.memberIds.length).toBe(1);
    expect(g?.pushed).toBe(true);
    const last = sim.control.logEvents().at(-1) as unknown as {
      eventType: string;
      actor: { type: string };
      debugContext: { debugData: { requestUri: string } };
    };
    expect(last.eventType).toBe('group.user_membership.add');
    expect(last.actor.type).toBe('User');
    expect(last.debugContext.debugData.requestUri).toBe('/admin/addMember');
    const calls = (await (await fetch(`${sim.orgUrl}/_sim/calls`)).json()) as {
      byEndpoint: Record<string, number>;
    };
    expect(calls.byEndpoint['GET /_sim/state']).toBe(1);
  });

  it('runs a timed story in order', async () => {
    const result = await sim.control.runStory([
      { action: 'createUser', login: 'story.teller@example.com' },
      { action: 'addMember', group: 'engineering', user: 'story.teller@example.com', afterMs: 5 },
      { action: 'suspendUser', user: 'story.teller@example.com', afterMs: 5 },
    ]);
    expect(result.steps).toBe(3);
    const user = await client.userApi.getUser({ userId: 'story.teller@example.com' });
    expect(user.status).toBe('SUSPENDED');
  });
});

describe('spec conformance of every implemented endpoint', () => {
  it('answers each operation with a status and body the official spec declares', async () => {
    const check = async (
      method: string,
      template: string,
      path: string,
      status: number,
      body?: unknown,
    ): Promise<RawResponse> => {
      const res = await raw(method, path, body === undefined ? undefined : JSON.stringify(body));
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(
        spec.validateResponse(method, template, res.status, res.json),
        `${method} ${path}`,
      ).toEqual([]);
      return res;
    };
    const created = await check('POST', '/api/v1/users', '/api/v1/users?activate=true', 200, {
      profile: {
        login: 'spec.user@example.com',
        email: 'spec.user@example.com',
        firstName: 'Spec',
        lastName: 'User',
      },
    });
    const uid = (created.json as { id: string }).id;
    await check('POST', '/api/v1/users', '/api/v1/users', 400, { profile: { login: 'x' } });
    await check('POST', '/api/v1/users/{id}', `/api/v1/users/${uid}`, 200, {
      profile: { nickName: 'spec' },
    });
    await check('PUT', '/api/v1/users/{id}', `/api/v1/users/${uid}`, 200, {
      profile: {
        login: 'spec.user@example.com',
        email: 'spec.user@example.com',
        firstName: 'Spec',
        lastName: 'Renamed',
      },
    });
    await check('GET', '/api/v1/users/{id}', '/api/v1/users/00unobody00000000000', 404);
    await check(
      'POST',
      '/api/v1/users/{id}/lifecycle/suspend',
      `/api/v1/users/${uid}/lifecycle/suspend`,
      200,
    );
    await check(
      'POST',
      '/api/v1/users/{id}/lifecycle/suspend',
      `/api/v1/users/${uid}/lifecycle/suspend`,
      400,
    );
    await check(
      'POST',
      '/api/v1/users/{id}/lifecycle/unsuspend',
      `/api/v1/users/${uid}/lifecycle/unsuspend`,
      200,
    );
    await check(
      'POST',
      '/api/v1/users/{id}/lifecycle/deactivate',
      `/api/v1/users/${uid}/lifecycle/deactivate`,
      200,
    );
    await check(
      'POST',
      '/api/v1/users/{id}/lifecycle/activate',
      `/api/v1/users/${uid}/lifecycle/activate?sendEmail=false`,
      200,
    );
    const group = await check('POST', '/api/v1/groups', '/api/v1/groups', 200, {
      profile: { name: 'spec-group', description: 'd' },
    });
    const gid = (group.json as { id: string }).id;
    await check(
      'PUT',
      '/api/v1/groups/{groupId}/users/{userId}',
      `/api/v1/groups/${gid}/users/${uid}`,
      204,
    );
    await check(
      'PUT',
      '/api/v1/groups/{groupId}/users/{userId}',
      `/api/v1/groups/${gid}/users/00unobody00000000000`,
      404,
    );
    await check(
      'GET',
      '/api/v1/groups/{groupId}/users',
      `/api/v1/groups/${gid}/users?limit=1`,
      200,
    );
    await check(
      'DELETE',
      '/api/v1/groups/{groupId}/users/{userId}',
      `/api/v1/groups/${gid}/users/${uid}`,
      204,
    );
    await check('DELETE', '/api/v1/groups/{groupId}', `/api/v1/groups/${gid}`, 204);
    await check('GET', '/api/v1/groups/{groupId}', `/api/v1/groups/${gid}`, 404);
    await check('DELETE', '/api/v1/users/{id}', `/api/v1/users/${uid}`, 204);
    await check('DELETE', '/api/v1/users/{id}', `/api/v1/users/${uid}`, 204);
    await check('DELETE', '/api/v1/users/{id}', `/api/v1/users/${uid}`, 404);
    const hook = await check('POST', '/api/v1/eventHooks', '/api/v1/eventHooks', 200, {
      name: 'spec-hook',
      events: { type: 'EVENT_TYPE', items: ['group.user_membership.add'] },
      channel: { type: 'HTTP', version: '1.0.0', config: { uri: 'http://127.0.0.1:9/hook' } },
    });
    const hid = (hook.json as { id: string }).id;
    await check('GET', '/api/v1/eventHooks/{eventHookId}', `/api/v1/eventHooks/${hid}`, 200);
    await check('PUT', '/api/v1/eventHooks/{eventHookId}', `/api/v1/eventHooks/${hid}`, 200, {
      name: 'spec-hook-2',
      events: { type: 'EVENT_TYPE', items: ['group.user_membership.remove'] },
      channel: { type: 'HTTP', version: '1.0.0', config: { uri: 'http://127.0.0.1:9/hook' } },
    });
    await check(
      'POST',
      '/api/v1/eventHooks/{eventHookId}/lifecycle/deactivate',
      `/api/v1/eventHooks/${hid}/lifecycle/deactivate`,
      200,
    );
    await check(
      'POST',
      '/api/v1/eventHooks/{eventHookId}/lifecycle/activate',
      `/api/v1/eventHooks/${hid}/lifecycle/activate`,
      200,
    );
    await check(
      'POST',
      '/api/v1/eventHooks/{eventHookId}/lifecycle/deactivate',
      `/api/v1/eventHooks/${hid}/lifecycle/deactivate`,
      200,
    );
    await check('DELETE', '/api/v1/eventHooks/{eventHookId}', `/api/v1/eventHooks/${hid}`, 204);
    await check('GET', '/api/v1/eventHooks/{eventHookId}', `/api/v1/eventHooks/${hid}`, 404);
    await check('GET', '/api/v1/logs', '/api/v1/logs?limit=1000', 200);
    sim.control.setRateLimits({ forceNext: 1 });
    await check('GET', '/api/v1/groups', '/api/v1/groups', 429);
  });

  it('lets the SDK suspend and unsuspend against the body-less 200s', async () => {
    const user = await client.userApi.getUser({ userId: 'user09@example.com' });
    await client.userApi.suspendUser({ userId: user.id ?? '' });
    await client.userApi.unsuspendUser({ userId: user.id ?? '' });
    expect((await client.userApi.getUser({ userId: user.id ?? '' })).status).toBe('ACTIVE');
  });
});
