import { Client } from '@okta/okta-sdk-nodejs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOktaSimulator } from './okta-simulator.js';
import type { OktaSimulator } from './okta-simulator.js';
import { loadOktaOpenApiValidator } from './test-support/openapi-validator.js';

const spec = loadOktaOpenApiValidator();
const GROUP = 'aws#prod#AdministratorAccess#123456789012';

interface Received {
  method: string;
  headers: IncomingHttpHeaders;
  body:
    | {
        eventId: string;
        eventType: string;
        data: { events: { uuid: string; eventType: string; insertionTimestamp: unknown }[] };
      }
    | undefined;
}

/** A hook endpoint whose answers are scripted per request: status and optional delay. */
class Receiver {
  readonly received: Received[] = [];
  script: { status?: number; delayMs?: number; echo?: 'right' | 'wrong' }[] = [];
  url = '';
  private server: Server | undefined;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        this.received.push({
          method: req.method ?? '',
          headers: req.headers,
          body: text ? JSON.parse(text) : undefined,
        });
        const step = this.script.shift() ?? {};
        const reply = (): void => {
          if (res.destroyed) return;
          res.statusCode = step.status ?? 200;
          res.setHeader('content-type', 'application/json');
          const challenge = req.headers['x-okta-verification-challenge'];
          res.end(
            req.method === 'GET'
              ? JSON.stringify({ verification: step.echo === 'wrong' ? 'nope' : challenge })
              : '{}',
          );
        };
        if (step.delayMs) setTimeout(reply, step.delayMs);
        else reply();
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/okta/events`;
  }

  posts(): Received[] {
    return this.received.filter((r) => r.method === 'POST');
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

let sim: OktaSimulator;
let receiver: Receiver;
let client: Client;

beforeEach(async () => {
  receiver = new Receiver();
  await receiver.start();
  sim = await startOktaSimulator({
    scenario: {
      users: [{ login: 'ann.lee@example.com' }, { login: 'bob.ray@example.com' }],
      groups: [{ name: GROUP }],
    },
    hookDelivery: { batchWindowMs: 20, retryDelayMs: 1 },
  });
  client = new Client({ orgUrl: sim.orgUrl, token: sim.token, cacheMiddleware: null });
});

afterEach(async () => {
  await sim.close();
  await receiver.close();
});

async function createHook(): Promise<string> {
  const res = await fetch(`${sim.orgUrl}/api/v1/eventHooks`, {
    method: 'POST',
    headers: { authorization: `SSWS ${sim.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'aws-sync',
      events: {
        type: 'EVENT_TYPE',
        items: [
          'group.user_membership.add',
          'group.user_membership.remove',
          'user.lifecycle.suspend',
        ],
      },
      channel: {
        type: 'HTTP',
        version: '1.0.0',
        config: {
          uri: receiver.url,
          headers: [{ key: 'X-Sync', value: 'yes' }],
          authScheme: { type: 'HEADER', key: 'Authorization', value: 's3cret' },
        },
      },
    }),
  });
  const json = (await res.json()) as {
    id: string;
    status: string;
    verificationStatus: string;
    channel: { config: { authScheme: Record<string, unknown> } };
  };
  expect(res.status).toBe(200);
  expect(spec.validateResponse('POST', '/api/v1/eventHooks', 200, json)).toEqual([]);
  expect(json.status).toBe('ACTIVE');
  expect(json.verificationStatus).toBe('UNVERIFIED');
  expect(json.channel.config.authScheme).toEqual({ type: 'HEADER', key: 'Authorization' });
  return json.id;
}

async function verifiedHook(): Promise<string> {
  const id = await createHook();
  await client.eventHookApi.verifyEventHook({ eventHookId: id });
  receiver.received.length = 0;
  return id;
}

function add(user = 'ann.lee@example.com'): void {
  sim.control.admin({ action: 'addMember', group: GROUP, user });
}
function remove(user = 'ann.lee@example.com'): void {
  sim.control.admin({ action: 'removeMember', group: GROUP, user });
}

describe('event hook registration and verification', () => {
  it('verifies with a one-time GET carrying the challenge and the auth header, then lists it VERIFIED', async () => {
    const id = await createHook();
    const verified = await client.eventHookApi.verifyEventHook({ eventHookId: id });
    expect(verified.verificationStatus).toBe('VERIFIED');
    const get = receiver.received[0];
    expect(get?.method).toBe('GET');
    expect(get?.headers['x-okta-verification-challenge']).toBeTruthy();
    expect(get?.headers.authorization).toBe('s3cret');
    expect(get?.headers['x-sync']).toBe('yes');
    const listed = await fetch(`${sim.orgUrl}/api/v1/eventHooks`, {
      headers: { authorization: `SSWS ${sim.token}` },
    });
    const body = await listed.json();
    expect(spec.validateResponse('GET', '/api/v1/eventHooks', 200, body)).toEqual([]);
    expect(body).toMatchObject([{ id, verificationStatus: 'VERIFIED' }]);
  });

  it('rejects a verification whose echo is wrong, and keeps the hook UNVERIFIED', async () => {
    const id = await createHook();
    receiver.script = [{ echo: 'wrong' }];
    await expect(client.eventHookApi.verifyEventHook({ eventHookId: id })).rejects.toMatchObject({
      status: 400,
      errorCode: 'E0000001',
    });
    expect((await client.eventHookApi.getEventHook({ eventHookId: id })).verificationStatus).toBe(
      'UNVERIFIED',
    );
  });

  it('deactivates, refuses to delete an active hook, and deletes an inactive one', async () => {
    const id = await createHook();
    await expect(client.eventHookApi.deleteEventHook({ eventHookId: id })).rejects.toMatchObject({
      status: 400,
    });
    const inactive = await client.eventHookApi.deactivateEventHook({ eventHookId: id });
    expect(inactive.status).toBe('INACTIVE');
    await client.eventHookApi.deleteEventHook({ eventHookId: id });
    await expect(client.eventHookApi.getEventHook({ eventHookId: id })).rejects.toMatchObject({
      status: 404,
      errorCode: 'E0000007',
    });
  });

  it('rejects event types that are not hook-eligible with E0000001 and causes', async () => {
    const res = await fetch(`${sim.orgUrl}/api/v1/eventHooks`, {
      method: 'POST',
      headers: { authorization: `SSWS ${sim.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'x',
        events: { type: 'EVENT_TYPE', items: ['user.lifecycle.delete.completed'] },
        channel: { type: 'HTTP', version: '1.0.0', config: { uri: receiver.url } },
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      errorCode: 'E0000001',
      errorCauses: [{ errorSummary: expect.stringContaining('user.lifecycle.delete.completed') }],
    });
  });
});

describe('event hook delivery', () => {
  it('sends nothing to an unverified or inactive hook', async () => {
    const id = await createHook();
    add();
    await sim.control.settle();
    expect(receiver.posts()).toEqual([]);
    await client.eventHookApi.verifyEventHook({ eventHookId: id });
    await client.eventHookApi.deactivateEventHook({ eventHookId: id });
    remove();
    await sim.control.settle();
    expect(receiver.posts()).toEqual([]);
  });

  it('batches closely spaced events in one envelope with the Authorization header', async () => {
    await verifiedHook();
    add();
    add('bob.ray@example.com');
    sim.control.admin({ action: 'suspendUser', user: 'bob.ray@example.com' });
    await sim.control.settle();
    const posts = receiver.posts();
    expect(posts.length).toBe(1);
    const post = posts[0];
    expect(post?.headers.authorization).toBe('s3cret');
    expect(post?.body).toMatchObject({
      eventType: 'com.okta.event_hook',
      eventTypeVersion: '1.0',
      cloudEventsVersion: '0.1',
      contentType: 'application/json',
    });
    const events = post?.body?.data.events ?? [];
    expect(events.map((e) => e.eventType)).toEqual([
      'group.user_membership.add',
      'group.user_membership.add',
      'user.lifecycle.suspend',
    ]);
    for (const e of events) {
      expect(e.insertionTimestamp).toBeNull();
      const { insertionTimestamp: _ignored, ...logEvent } = e;
      expect(spec.validateSchema('LogEvent', logEvent)).toEqual([]);
    }
  });

  it('retries once on a 5xx with the same eventId', async () => {
    await verifiedHook();
    receiver.script = [{ status: 503 }, { status: 200 }];
    add();
    await sim.control.settle();
    const posts = receiver.posts();
    expect(posts.length).toBe(2);
    expect(posts[0]?.body?.eventId).toBe(posts[1]?.body?.eventId);
    expect(sim.control.deliveries().map((d) => d.outcome)).toEqual(['http-error', 'delivered']);
  });

  it('gives up after the retry and logs event_hook.delivery', async () => {
    await verifiedHook();
    receiver.script = [{ status: 500 }, { status: 502 }];
    add();
    await sim.control.settle();
    expect(receiver.posts().length).toBe(2);
    const failure = sim.control
      .logEvents()
      .find((e) => e.eventType === 'event_hook.delivery') as unknown as {
      outcome: { result: string };
    };
    expect(failure.outcome.result).toBe('FAILURE');
  });

  it('does not retry a 4xx', async () => {
    await verifiedHook();
    receiver.script = [{ status: 401 }];
    add();
    await sim.control.settle();
    expect(receiver.posts().length).toBe(1);
    expect(sim.control.deliveries().map((d) => d.outcome)).toEqual(['http-error']);
  });

  it('retries once after a timeout', async () => {
    await verifiedHook();
    sim.control.setHookFaults({ timeoutMs: 100 });
    receiver.script = [{ delayMs: 400 }, { status: 200 }];
    add();
    await sim.control.settle();
    expect(sim.control.deliveries().map((d) => d.outcome)).toEqual(['timeout', 'delivered']);
  });

  it('drops the next N deliveries; the System Log still has the events', async () => {
    await verifiedHook();
    sim.control.setHookFaults({ dropNext: 1 });
    add();
    await sim.control.settle();
    remove();
    await sim.control.settle();
    const posts = receiver.posts();
    expect(posts.map((p) => p.body?.data.events.map((e) => e.eventType))).toEqual([
      ['group.user_membership.remove'],
    ]);
    expect(
      sim.control.logEvents().filter((e) => e.eventType.startsWith('group.user_membership')).length,
    ).toBe(2);
    expect(sim.control.deliveries()[0]?.outcome).toBe('dropped');
  });

  it('duplicates a delivery with the same eventId', async () => {
    await verifiedHook();
    sim.control.setHookFaults({ duplicate: 1 });
    add();
    await sim.control.settle();
    const posts = receiver.posts();
    expect(posts.length).toBe(2);
    expect(posts[0]?.body?.eventId).toBe(posts[1]?.body?.eventId);
  });

  it('reorders: a held batch arrives after the next one, its events reversed', async () => {
    await verifiedHook();
    sim.control.setHookFaults({ reorder: 1, delayMs: 5_000 });
    add();
    add('bob.ray@example.com');
    sim.control.flushHookBatches();
    sim.control.setHookFaults({ reorder: 0 });
    remove();
    await sim.control.settle();
    const posts = receiver.posts().map((p) => p.body?.data.events.map((e) => e.eventType));
    expect(posts).toEqual([
      ['group.user_membership.remove'],
      ['group.user_membership.add', 'group.user_membership.add'],
    ]);
    const first = receiver.posts()[1]?.body?.data.events ?? [];
    const logged = sim.control
      .logEvents()
      .filter((e) => e.eventType.startsWith('group.user_membership'))
      .map((e) => e.uuid);
    expect(first.map((e) => e.uuid)).toEqual([logged[1], logged[0]]);
  });

  it('delays a delivery when the delay fault fires', async () => {
    await verifiedHook();
    sim.control.setHookFaults({ delay: 1, delayMs: 30 });
    add();
    await sim.control.settle();
    expect(receiver.posts().length).toBe(1);
    expect(sim.control.deliveries()[0]).toMatchObject({ outcome: 'delivered', delayedMs: 30 });
  });

  it('stops firing past the daily cap; the System Log keeps everything', async () => {
    await verifiedHook();
    sim.control.setHookFaults({ dailyCap: 2 });
    add();
    add('bob.ray@example.com');
    await sim.control.settle();
    remove();
    await sim.control.settle();
    expect(receiver.posts().map((p) => p.body?.data.events.length)).toEqual([2]);
    expect(sim.control.deliveries().at(-1)?.outcome).toBe('dropped');
  });
});

describe('seeded hooks and stories', () => {
  it('delivers to a hook seeded from the scenario and plays the scenario story', async () => {
    const seeded = await startOktaSimulator({
      scenario: {
        users: [{ login: 'eve.moss@example.com' }],
        groups: [{ name: GROUP }],
        hooks: [
          {
            name: 'seeded',
            uri: receiver.url,
            events: ['group.user_membership.add'],
            authorization: { key: 'Authorization', value: 'seeded-secret' },
          },
        ],
        story: [{ action: 'addMember', group: GROUP, user: 'eve.moss@example.com', afterMs: 1 }],
      },
      hookDelivery: { batchWindowMs: 5 },
    });
    try {
      for (let i = 0; i < 500 && receiver.posts().length === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      await seeded.control.settle();
      const post = receiver.posts()[0];
      expect(post?.headers.authorization).toBe('seeded-secret');
      expect(post?.body?.data.events.map((e) => e.eventType)).toEqual([
        'group.user_membership.add',
      ]);
      // Seeding itself wrote no events; the story's action did.
      expect(seeded.control.logEvents().map((e) => e.eventType)).toEqual([
        'group.user_membership.add',
      ]);
    } finally {
      await seeded.close();
    }
  });
});
