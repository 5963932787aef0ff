import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byOperation, totalCalls } from '../../core/inventory/call-stats.js';
import { startOktaSimulator, type OktaSimulator } from '../../sim/okta/okta-simulator.js';
import { AwsCallCounters } from '../aws/aws-call-counters.js';
import { lazyOktaClient, lazyOktaHttp } from './okta-client.js';
import { SdkOktaDirectoryReader } from './okta-directory-reader.js';
import { OktaRequestGate } from './okta-request-gate.js';

// The client built on first use (okta-client.ts), with the real SDK against the Okta simulator:
// one client per source, SSWS and OAuth both sending every request (the token request included)
// through the request gate, and the gate's 429 handling through the SDK's executor.

const CLIENT_ID = '0oaclienttest0000001';
const KEY_ID = 'client-test-key';
let sim: OktaSimulator;
let privateKeyPem: string;

beforeAll(async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKeyPem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  sim = await startOktaSimulator({
    scenario: {
      users: [{ login: 'ann.lee@example.com' }],
      groups: [{ name: 'eng', members: ['ann.lee@example.com'] }],
    },
  });
  sim.control.registerServiceApp({
    clientId: CLIENT_ID,
    publicJwks: [{ ...pair.publicKey.export({ format: 'jwk' }), kid: KEY_ID }],
    scopes: ['okta.users.read', 'okta.groups.read'],
  });
});
afterAll(async () => {
  await sim?.close();
});

const ssws = () => ({ kind: 'ssws' as const, token: sim.token });

describe('lazyOktaClient', () => {
  it('builds one client, on the first call, and returns it to every later call', async () => {
    const source = lazyOktaClient({ orgUrl: sim.orgUrl, auth: ssws() });
    const [first, concurrent] = await Promise.all([source(), source()]);
    expect(concurrent).toBe(first);
    expect(await source()).toBe(first);
  });

  it('OAuth (private_key_jwt): the token request and the reads go through the gate', async () => {
    const counters = new AwsCallCounters();
    const client = lazyOktaClient({
      orgUrl: sim.orgUrl,
      auth: {
        kind: 'oauth',
        clientId: CLIENT_ID,
        privateKey: privateKeyPem,
        keyId: KEY_ID,
        scopes: ['okta.users.read', 'okta.groups.read'],
      },
      gate: new OktaRequestGate({ counters }),
    });
    const groups = await new SdkOktaDirectoryReader({ client }).readGroups();
    expect(groups.map((group) => group.name).sort()).toEqual(['Everyone', 'eng']);
    const okta = byOperation(counters.snapshot(), 'okta');
    expect(okta['POST /oauth2/v1/token']).toMatchObject({ calls: 1, failed: 0 });
    expect(okta['GET /api/v1/groups']).toMatchObject({ calls: 1, failed: 0 });
  });

  it('a 429 is retried by the gate after the window reset, and counted', async () => {
    const counters = new AwsCallCounters();
    const client = lazyOktaClient({
      orgUrl: sim.orgUrl,
      auth: ssws(),
      gate: new OktaRequestGate({ counters }),
    });
    sim.control.resetCalls();
    sim.control.setRateLimits({ forceNext: 1 });
    const groups = await new SdkOktaDirectoryReader({ client }).readGroups();
    expect(groups.map((group) => group.name).sort()).toEqual(['Everyone', 'eng']);
    expect(sim.control.calls().byStatus['429']).toBe(1);
    expect(totalCalls(counters.snapshot())).toMatchObject({
      calls: 1,
      requests: 2,
      throttled: 1,
      failed: 0,
    });
  });

  it("lazyOktaHttp sends through the client's HTTP layer (auth and gate)", async () => {
    const counters = new AwsCallCounters();
    const http = lazyOktaHttp(
      lazyOktaClient({ orgUrl: sim.orgUrl, auth: ssws(), gate: new OktaRequestGate({ counters }) }),
    );
    const response = await http.http(`${sim.orgUrl}/api/v1/groups?limit=1`, {
      method: 'get',
      headers: { Accept: 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([expect.objectContaining({ id: expect.any(String) })]);
    expect(byOperation(counters.snapshot(), 'okta')['GET /api/v1/groups']).toMatchObject({
      calls: 1,
    });
  });
});
