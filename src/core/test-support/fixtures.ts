/**
 * Fixture builders for pure-core tests: whole states built in memory, no file system. Ids are
 * derived from small numbers so tests read as "user 3 in group 2" and stay deterministic; every
 * builder returns values that pass the real id validators.
 */
import type { IdcGroup, IdcUser } from '../domain/identity-center.js';
import {
  AccountId,
  IdcGroupId,
  IdcUserId,
  OktaGroupId,
  OktaUserId,
  OrganizationalUnitId,
} from '../domain/ids.js';
import type { OktaDirectory, OktaGroup, OktaMembership, OktaUser } from '../domain/okta.js';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `00u` followed by 17 digits: a valid 20-character Okta user id. */
export const oktaUserIdOf = (n: number): OktaUserId => OktaUserId.parse(`00u${pad(n, 17)}`);
/** `00g` followed by 17 digits: a valid 20-character Okta group id. */
export const oktaGroupIdOf = (n: number): OktaGroupId => OktaGroupId.parse(`00g${pad(n, 17)}`);
/** A UUID-shaped identity-store user id ending in n. */
export const idcUserIdOf = (n: number): IdcUserId =>
  IdcUserId.parse(`9067${pad(0, 4)}-0000-4000-8000-${pad(n, 12)}`);
/** A UUID-shaped identity-store group id ending in n (distinct from user ids). */
export const idcGroupIdOf = (n: number): IdcGroupId =>
  IdcGroupId.parse(`9067${pad(0, 4)}-1111-4000-8000-${pad(n, 12)}`);
/** The twelve-digit account id 1000000000nn. */
export const accountIdOf = (n: number): AccountId => AccountId.parse(`1${pad(n, 11)}`);
/** An OU id `ou-ab12-000000nn`. */
export const ouIdOf = (n: number): OrganizationalUnitId =>
  OrganizationalUnitId.parse(`ou-ab12-${pad(n, 8)}`);

export function oktaUser(n: number, overrides: Partial<OktaUser> = {}): OktaUser {
  return {
    id: oktaUserIdOf(n),
    login: `user${n}@example.com`,
    email: `user${n}@example.com`,
    status: 'ACTIVE',
    ...overrides,
  };
}

export function oktaGroup(n: number, overrides: Partial<OktaGroup> = {}): OktaGroup {
  return { id: oktaGroupIdOf(n), name: `group-${n}`, type: 'OKTA_GROUP', ...overrides };
}

/**
 * An Okta directory. `members` maps a group to its users; groups and users are given as built
 * values so overrides (names, statuses) stay visible in the test.
 */
export function oktaDirectory(input: {
  readonly users?: readonly OktaUser[];
  readonly groups?: readonly OktaGroup[];
  readonly members?: readonly (readonly [OktaGroup, readonly OktaUser[]])[];
}): OktaDirectory {
  const memberships: OktaMembership[] = [];
  for (const [group, users] of input.members ?? []) {
    for (const user of users) memberships.push({ groupId: group.id, userId: user.id });
  }
  return { users: input.users ?? [], groups: input.groups ?? [], memberships };
}

/**
 * The IdC user SCIM would create for an Okta user: ExternalId = Okta id, userName = login.
 * `externalId: false` leaves the ExternalId out (a user created before externalId mapping).
 */
export function idcUserFor(
  user: OktaUser,
  n: number,
  options: { readonly externalId?: boolean; readonly userName?: string } = {},
): IdcUser {
  return {
    userId: idcUserIdOf(n),
    userName: options.userName ?? user.login,
    emails: user.email ? [user.email] : [],
    externalIds: options.externalId === false ? [] : [{ issuer: 'okta', id: user.id }],
  };
}

/** The IdC group a push would create for an Okta group; see idcUserFor for options. */
export function idcGroupFor(
  group: OktaGroup,
  n: number,
  options: { readonly externalId?: boolean; readonly displayName?: string } = {},
): IdcGroup {
  return {
    groupId: idcGroupIdOf(n),
    displayName: options.displayName ?? group.name,
    externalIds: options.externalId === false ? [] : [{ issuer: 'okta', id: group.id }],
  };
}

/** An IdC user with no Okta counterpart. */
export function idcUser(n: number, userName = `local${n}@example.com`): IdcUser {
  return { userId: idcUserIdOf(n), userName, emails: [], externalIds: [] };
}

/** An IdC group with no Okta counterpart. */
export function idcGroup(n: number, displayName = `local-group-${n}`): IdcGroup {
  return { groupId: idcGroupIdOf(n), displayName, externalIds: [] };
}
