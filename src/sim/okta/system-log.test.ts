import { Client } from '@okta/okta-sdk-nodejs';
import { afterEach, describe, expect, it } from 'vitest';
import { startOktaSimulator } from './okta-simulator.js';
import type { OktaSimulator, OktaSimulatorOptions } from './okta-simulator.js';
import { loadOktaOpenApiValidator } from './test-support/openapi-validator.js';

const spec = loadOktaOpenApiValidator();
let sim: OktaSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: OktaSimulatorOptions = {}): Promise<OktaSimulator> {
  sim = await startOktaSimulator({
    scenario: {
      users: [{ login: 'ann.lee@example.com' }, { login: 'bob.ray@example.com' }],
      groups: [{ name: 'aws#prod#AdministratorAccess#123456789012' }],
    },
    ...options,
  });
  return sim;
}

interface Page {
  status: number;
  events: {
    uuid: string;
    eventType: string;
    published: string;
    target: { id: string; type: string }[];
  }[];
  next?: string;
  self?: string;
  json: unknown;
}

/** GET a logs URL (absolute or relative) the way a raw HTTP poller does. */
async function get(s: OktaSimulator, url: string): Promise<Page> {
  const res = await fetch(url.startsWith('http') ? url : `${s.orgUrl}${url}`, {
    headers: { authorization: `SSWS ${s.token}` },
  });
  const json = await res.json();
  const links = Object.fromEntries(
    [...(res.headers.get('link') ?? '').matchAll(/<([^>]+)>; rel="(\w+)"/g)].map((m) => [
      m[2],
      m[1],
    ]),
  );
  return {
    status: res.status,
    events: Array.isArray(json) ? (json as Page['events']) : [],
    next: links.next,
    self: links.self,
    json,
  };
}

function membershipChurn(s: OktaSimulator, n: number): void {
  for (let i = 0; i < n; i++) {
    s.control.admin({
      action: i % 2 === 0 ? 'addMember' : 'removeMember',
      group: 'aws#prod#AdministratorAccess#123456789012',
      user: 'ann.lee@example.com',
    });
  }
}

describe('System Log polling', () => {
  it('pages by persistence order and always returns an absolute next link, even when empty', async () => {
    const s = await start();
    membershipChurn(s, 5);
    const first = await get(s, '/api/v1/logs?limit=3');
    expect(first.status).toBe(200);
    expect(spec.validateResponse('GET', '/api/v1/logs', 200, first.json)).toEqual([]);
    expect(first.events.map((e) => e.eventType)).toEqual([
      'group.user_membership.add',
      'group.user_membership.remove',
      'group.user_membership.add',
    ]);
    expect(first.next?.startsWith(`${s.orgUrl}/api/v1/logs?`)).toBe(true);
    expect(first.next).not.toContain('since=');
    const second = await get(s, first.next ?? '');
    expect(second.events.length).toBe(2);
    const empty = await get(s, second.next ?? '');
    expect(empty.events).toEqual([]);
    expect(empty.next?.startsWith(`${s.orgUrl}/api/v1/logs?`)).toBe(true);
    const stillEmpty = await get(s, empty.next ?? '');
    expect(stillEmpty.events).toEqual([]);
    s.control.admin({
      action: 'removeMember',
      group: 'aws#prod#AdministratorAccess#123456789012',
      user: 'ann.lee@example.com',
    });
    const caughtUp = await get(s, stillEmpty.next ?? '');
    expect(caughtUp.events.map((e) => e.eventType)).toEqual(['group.user_membership.remove']);
    const all = [...first.events, ...second.events, ...caughtUp.events].map((e) => e.uuid);
    expect(new Set(all).size).toBe(6);
  });

  it('returns events in persistence order, which an ingestion delay makes differ from published', async () => {
    // Events 3 ms apart with delays drawn from 1–300 ms: published times are distinct and
    // increasing, and the delays (not the machine's speed) decide the persistence order.
    const s = await start({ logIngestionDelayMs: { minMs: 1, maxMs: 300 }, seed: 3 });
    for (let i = 0; i < 30; i++) {
      s.control.admin({
        action: i % 2 === 0 ? 'addMember' : 'removeMember',
        group: 'aws#prod#AdministratorAccess#123456789012',
        user: 'ann.lee@example.com',
      });
      await new Promise((r) => setTimeout(r, 3));
    }
    let collected: Page['events'] = [];
    let url = '/api/v1/logs?limit=1000';
    for (let i = 0; i < 200 && collected.length < 30; i++) {
      const page = await get(s, url);
      collected = [...collected, ...page.events];
      url = page.next ?? url;
      if (page.events.length === 0) await new Promise((r) => setTimeout(r, 10));
    }
    expect(collected.length).toBe(30);
    const published = collected.map((e) => e.published);
    const persistedOrder = s.control.logEvents().map((e) => e.uuid);
    expect(collected.map((e) => e.uuid)).toEqual(persistedOrder);
    expect(published).not.toEqual([...published].sort());
  });

  it('works with the SDK: each() drains to the first empty page and nextUri is the checkpoint', async () => {
    const s = await start();
    membershipChurn(s, 4);
    const client = new Client({ orgUrl: s.orgUrl, token: s.token, cacheMiddleware: null });
    const collection = await client.systemLogApi.listLogEvents({ limit: 3 });
    const seen: string[] = [];
    await collection.each((e) => {
      seen.push(e.eventType ?? '');
    });
    expect(seen.length).toBe(4);
    const checkpoint = (collection as unknown as { nextUri: string }).nextUri;
    expect(checkpoint.startsWith(`${s.orgUrl}/api/v1/logs?`)).toBe(true);
    s.control.admin({
      action: 'addMember',
      group: 'aws#prod#AdministratorAccess#123456789012',
      user: 'ann.lee@example.com',
    });
    const resumed = await get(s, checkpoint);
    expect(resumed.events.length).toBe(1);
  });
});

describe('System Log bounded queries and parameters', () => {
  it('orders by published, ascending or descending, and ends with a last page', async () => {
    const s = await start();
    membershipChurn(s, 5);
    const since = new Date(Date.now() - 60_000).toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const p1 = await get(s, `/api/v1/logs?since=${since}&until=${until}&limit=4`);
    expect(p1.events.length).toBe(4);
    expect(p1.next).toBeDefined();
    const p2 = await get(s, p1.next ?? '');
    expect(p2.events.length).toBe(1);
    expect(p2.next).toBeUndefined();
    const desc = await get(s, `/api/v1/logs?since=${since}&until=${until}&sortOrder=DESCENDING`);
    expect(desc.events.map((e) => e.uuid)).toEqual(
      [...p1.events, ...p2.events].map((e) => e.uuid).reverse(),
    );
  });

  it('filters with SCIM expressions and q, and rejects bad parameters with Okta codes', async () => {
    const s = await start();
    membershipChurn(s, 3);
    s.control.admin({ action: 'suspendUser', user: 'bob.ray@example.com' });
    const bob = s.control.state().users.find((u) => u.login === 'bob.ray@example.com');
    const byType = await get(
      s,
      `/api/v1/logs?filter=${encodeURIComponent('eventType eq "group.user_membership.add"')}`,
    );
    expect(byType.events.map((e) => e.eventType)).toEqual([
      'group.user_membership.add',
      'group.user_membership.add',
    ]);
    const byTarget = await get(
      s,
      `/api/v1/logs?filter=${encodeURIComponent(`target.id eq "${bob?.id}" and eventType sw "user.lifecycle"`)}`,
    );
    expect(byTarget.events.map((e) => e.eventType)).toEqual(['user.lifecycle.suspend']);
    const q = await get(s, '/api/v1/logs?q=suspend');
    expect(q.events.map((e) => e.eventType)).toEqual(['user.lifecycle.suspend']);
    const bad = async (query: string, code: string): Promise<void> => {
      const page = await get(s, `/api/v1/logs?${query}`);
      expect(page.status, query).toBe(400);
      expect(page.json).toMatchObject({ errorCode: code });
      expect(spec.validateResponse('GET', '/api/v1/logs', 400, page.json)).toEqual([]);
    };
    await bad(`filter=${encodeURIComponent('eventType eqq "x"')}`, 'E0000053');
    await bad(`filter=${encodeURIComponent('published gt "2026-01-01"')}`, 'E0000053');
    await bad(`since=${new Date().toISOString()}&after=1_1`, 'E0000001');
    await bad('limit=1001', 'E0000001');
    await bad('since=not-a-date', 'E0000001');
    await bad(`q=${'x'.repeat(41)}`, 'E0000001');
  });
});
