import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { OktaDirectory } from '../../core/domain/okta.js';
import { byOperation } from '../../core/inventory/call-stats.js';
import { generateOktaScenario } from '../../sim/okta/okta-scenario.js';
import { startOktaSimulator, type OktaSimulator } from '../../sim/okta/okta-simulator.js';
import { AwsCallCounters } from '../aws/aws-call-counters.js';
import { lazyOktaClient } from './okta-client.js';
import { SdkOktaDirectoryReader } from './okta-directory-reader.js';
import { OktaRequestGate } from './okta-request-gate.js';

// The per-principal reads parse Okta's JSON themselves (not through the SDK's models); the whole
// directory read goes through the SDK's models. Against the simulator, through the real client,
// both must see the same users, groups and memberships.

let sim: OktaSimulator;
let counters: AwsCallCounters;
let reader: SdkOktaDirectoryReader;
let directory: OktaDirectory;

beforeAll(async () => {
  sim = await startOktaSimulator({
    scenario: generateOktaScenario({
      users: 30,
      groups: 6,
      seed: 7,
      membershipsPerUser: 3,
      deprovisionedShare: 0.1,
      suspendedShare: 0.1,
    }),
  });
  counters = new AwsCallCounters();
  const client = lazyOktaClient({
    orgUrl: sim.orgUrl,
    auth: { kind: 'ssws', token: sim.token },
    gate: new OktaRequestGate({ counters }),
  });
  // Pages of 2, so that every member list spans several pages.
  reader = new SdkOktaDirectoryReader({ client, pageSize: 2 });
  directory = await reader.readDirectory();
});
afterAll(async () => {
  await sim?.close();
});

describe('SdkOktaDirectoryReader per-principal reads', () => {
  it('reads each user as the directory read (through the SDK models) sees it', async () => {
    expect(new Set(directory.users.map((user) => user.status)).size).toBeGreaterThan(1);
    for (const user of directory.users) {
      expect(await reader.readUser(user.id)).toEqual(user);
    }
  });

  it("reads each user's groups and each group's members, following every page", async () => {
    for (const user of directory.users) {
      const expected = directory.memberships
        .filter((m) => m.userId === user.id)
        .map((m) => directory.groups.find((g) => g.id === m.groupId));
      expect(await reader.readUserGroups(user.id)).toEqual(
        expected.sort((a, b) => a!.id.localeCompare(b!.id)),
      );
    }
    const before = byOperation(counters.snapshot(), 'okta')['GET /api/v1/groups/{id}/users'];
    let pages = 0;
    for (const group of directory.groups) {
      expect(await reader.readGroup(group.id)).toEqual(group);
      const members = directory.memberships
        .filter((m) => m.groupId === group.id)
        .map((m) => directory.users.find((u) => u.id === m.userId));
      expect(await reader.readGroupMembers(group.id)).toEqual(members);
      expect(await reader.groupHasMembers(group.id)).toBe(members.length > 0);
      // One request per page of 2, and one for the check.
      pages += Math.max(1, Math.ceil(members.length / 2)) + 1;
    }
    const after = byOperation(counters.snapshot(), 'okta')['GET /api/v1/groups/{id}/users'];
    expect(after!.calls - (before?.calls ?? 0)).toBe(pages);
  });

  it('reads a principal that does not exist as absent, with no members and no groups', async () => {
    const missingUser = '00u0000000000missing';
    const missingGroup = '00g0000000000missing';
    expect(await reader.readUser(missingUser)).toBeUndefined();
    expect(await reader.readUserGroups(missingUser)).toEqual([]);
    expect(await reader.readGroup(missingGroup)).toBeUndefined();
    expect(await reader.readGroupMembers(missingGroup)).toEqual([]);
    expect(await reader.groupHasMembers(missingGroup)).toBe(false);
  });
});
