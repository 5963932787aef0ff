import { describe, expect, it } from 'vitest';
import {
  idcGroup,
  idcGroupFor,
  idcUser,
  idcUserFor,
  oktaDirectory,
  oktaGroup,
  oktaUser,
} from '../test-support/fixtures.js';
import { linkPrincipals } from './link-principals.js';

describe('linkPrincipals', () => {
  it('links users by ExternalId whatever the issuer, before any name', () => {
    const alice = oktaUser(1);
    const bob = oktaUser(2, { login: 'bob@example.com' });
    // Alice was renamed in Okta; her IdC user still has the old userName but the same ExternalId.
    const aliceIdc = { ...idcUserFor(alice, 1, { userName: 'old-alice@example.com' }) };
    const bobIdc = {
      ...idcUserFor(bob, 2),
      externalIds: [{ issuer: 'https://scim.example/other', id: bob.id }],
    };
    const links = linkPrincipals(oktaDirectory({ users: [alice, bob] }), {
      users: [bobIdc, aliceIdc],
      groups: [],
    });
    expect(links.idcUserOf(alice.id)).toBe(aliceIdc);
    expect(links.idcUserOf(bob.id)).toBe(bobIdc);
    expect(links.oktaUserOf(aliceIdc.userId)).toBe(alice);
    expect(links.methodOf(alice.id)).toBe('external-id');
    expect(links.userLinks.map((l) => l.okta.id)).toEqual([alice.id, bob.id]);
    expect(links.pendingUsers).toEqual([]);
    expect(links.orphanUsers).toEqual([]);
  });

  it('falls back to userName = login, case-insensitively', () => {
    const carol = oktaUser(3, { login: 'Carol@Example.com' });
    const carolIdc = idcUserFor(carol, 3, { externalId: false, userName: 'carol@example.COM' });
    const links = linkPrincipals(oktaDirectory({ users: [carol] }), {
      users: [carolIdc],
      groups: [],
    });
    expect(links.idcUserOf(carol.id)).toBe(carolIdc);
    expect(links.methodOf(carol.id)).toBe('name');
  });

  it('never lets a name match steal an IdC user claimed by ExternalId', () => {
    const dave = oktaUser(4, { login: 'dave@example.com' });
    // Erin now has the login Dave's IdC user still carries; Dave's ExternalId must win.
    const erin = oktaUser(5, { login: 'dave-old@example.com' });
    const daveIdc = idcUserFor(dave, 4, { userName: 'dave-old@example.com' });
    const links = linkPrincipals(oktaDirectory({ users: [dave, erin] }), {
      users: [daveIdc],
      groups: [],
    });
    expect(links.idcUserOf(dave.id)).toBe(daveIdc);
    expect(links.idcUserOf(erin.id)).toBeUndefined();
    expect(links.pendingUsers).toEqual([erin]);
  });

  it('links groups by ExternalId then exact displayName', () => {
    const admins = oktaGroup(1, { name: 'aws-admins' });
    const readers = oktaGroup(2, { name: 'aws-readers' });
    const other = oktaGroup(3, { name: 'Aws-Other' });
    const adminsIdc = idcGroupFor(admins, 1, { displayName: 'renamed-admins' });
    const readersIdc = idcGroupFor(readers, 2, { externalId: false });
    const otherIdc = idcGroupFor(other, 3, { externalId: false, displayName: 'aws-other' });
    const links = linkPrincipals(oktaDirectory({ groups: [admins, readers, other] }), {
      users: [],
      groups: [adminsIdc, readersIdc, otherIdc],
    });
    expect(links.idcGroupOf(admins.id)).toBe(adminsIdc);
    expect(links.methodOf(admins.id)).toBe('external-id');
    expect(links.idcGroupOf(readers.id)).toBe(readersIdc);
    expect(links.methodOf(readers.id)).toBe('name');
    expect(links.oktaGroupOf(readersIdc.groupId)).toBe(readers);
    // Group names compare exactly, so a case difference does not link.
    expect(links.idcGroupOf(other.id)).toBeUndefined();
    expect(links.pendingGroups).toEqual([other]);
    expect(links.orphanGroups).toEqual([otherIdc]);
  });

  it('reports pending Okta principals and AWS-only orphans', () => {
    const frank = oktaUser(6);
    const team = oktaGroup(4);
    const breakGlass = idcUser(90, 'break-glass@example.com');
    const controlTower = idcGroup(91, 'AWSControlTowerAdmins');
    const links = linkPrincipals(oktaDirectory({ users: [frank], groups: [team] }), {
      users: [breakGlass],
      groups: [controlTower],
    });
    expect(links.pendingUsers).toEqual([frank]);
    expect(links.pendingGroups).toEqual([team]);
    expect(links.orphanUsers).toEqual([breakGlass]);
    expect(links.orphanGroups).toEqual([controlTower]);
    expect(links.oktaUserOf(breakGlass.userId)).toBeUndefined();
    expect(links.methodOf(frank.id)).toBeUndefined();
  });

  it('links nothing by a name that is not unique, and says so', () => {
    const g1 = oktaGroup(1, { name: 'dup', type: 'APP_GROUP' });
    const g2 = oktaGroup(2, { name: 'dup', type: 'APP_GROUP' });
    const idc = idcGroupFor(g1, 1, { externalId: false });
    const links = linkPrincipals(oktaDirectory({ groups: [g2, g1] }), {
      users: [],
      groups: [idc],
    });
    expect(links.groupLinks).toEqual([]);
    expect(links.ambiguousNames).toEqual([
      { kind: 'group', name: 'dup', oktaIds: [g1.id, g2.id], idcIds: [idc.groupId] },
    ]);
  });

  it('gives the same result whatever the input order', () => {
    const users = [1, 2, 3, 4].map((n) => oktaUser(n));
    const idcUsers = users.map((u, i) => idcUserFor(u, i + 1, { externalId: i % 2 === 0 }));
    const a = linkPrincipals(oktaDirectory({ users }), { users: idcUsers, groups: [] });
    const b = linkPrincipals(oktaDirectory({ users: [...users].reverse() }), {
      users: [...idcUsers].reverse(),
      groups: [],
    });
    expect(b.userLinks).toEqual(a.userLinks);
    expect(a.userLinks.map((l) => l.by)).toEqual(['external-id', 'name', 'external-id', 'name']);
  });
});
