import type { IdcGroup, IdcUser } from '../domain/identity-center.js';
import type { IdcGroupId, IdcUserId, OktaGroupId, OktaUserId } from '../domain/ids.js';
import type { OktaDirectory, OktaGroup, OktaUser } from '../domain/okta.js';

/**
 * How an Okta principal was matched to its Identity Center counterpart.
 * - external-id: an IdC `ExternalId.id` equals the Okta id (the issuer is not relied upon).
 * - name: no ExternalId matched; userName equals the Okta login (case-insensitive) for users, or
 *   displayName equals the Okta group name (exact) for groups.
 */
export const LinkMethods = ['external-id', 'name'] as const;
export type LinkMethod = (typeof LinkMethods)[number];

export interface UserLink {
  readonly okta: OktaUser;
  readonly idc: IdcUser;
  readonly by: LinkMethod;
}

export interface GroupLink {
  readonly okta: OktaGroup;
  readonly idc: IdcGroup;
  readonly by: LinkMethod;
}

/**
 * A name that several principals share on one side, so it cannot identify anything. Those
 * principals are not linked by name (they may still be linked by ExternalId).
 */
export interface AmbiguousName {
  readonly kind: 'user' | 'group';
  readonly name: string;
  readonly oktaIds: readonly string[];
  readonly idcIds: readonly string[];
}

/**
 * The result of linking Okta principals to Identity Center principals. Lookups go both ways; every
 * list is sorted by id so equal inputs give equal output.
 */
export interface PrincipalLinks {
  /** The IdC user linked to an Okta user id, if any. */
  idcUserOf(oktaUserId: OktaUserId | string): IdcUser | undefined;
  /** The IdC group linked to an Okta group id, if any. */
  idcGroupOf(oktaGroupId: OktaGroupId | string): IdcGroup | undefined;
  /** The Okta user linked to an IdC user id, if any. */
  oktaUserOf(idcUserId: IdcUserId | string): OktaUser | undefined;
  /** The Okta group linked to an IdC group id, if any. */
  oktaGroupOf(idcGroupId: IdcGroupId | string): OktaGroup | undefined;
  /** How a linked Okta user or group id was matched; undefined when it is not linked. */
  methodOf(oktaId: string): LinkMethod | undefined;
  readonly userLinks: readonly UserLink[];
  readonly groupLinks: readonly GroupLink[];
  /** Okta users with no IdC counterpart yet (not assigned to the app, or SCIM lag). */
  readonly pendingUsers: readonly OktaUser[];
  /** Okta groups with no IdC counterpart yet (not pushed, or push lag). */
  readonly pendingGroups: readonly OktaGroup[];
  /** IdC users that no Okta user accounts for (created by hand, or their Okta user was deleted). */
  readonly orphanUsers: readonly IdcUser[];
  /** IdC groups that no Okta group accounts for. */
  readonly orphanGroups: readonly IdcGroup[];
  /** Names that could not be used to link because they are not unique. */
  readonly ambiguousNames: readonly AmbiguousName[];
}

interface Side<T> {
  readonly id: (item: T) => string;
  readonly name: (item: T) => string;
}

interface LinkResult<O, I> {
  readonly links: { okta: O; idc: I; by: LinkMethod }[];
  readonly pending: O[];
  readonly orphans: I[];
  readonly ambiguous: { name: string; oktaIds: string[]; idcIds: string[] }[];
}

const byId = <T>(id: (item: T) => string) => {
  return (a: T, b: T): number => {
    const x = id(a);
    const y = id(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
};

/**
 * Two passes, so that immutable ids always win over names: first every ExternalId, then names
 * among the principals still unlinked on both sides. A name match never steals an IdC principal
 * that an ExternalId already claimed, which is what keeps renames from re-linking.
 */
function link<O, I>(
  okta: readonly O[],
  idc: readonly I[],
  oktaSide: Side<O>,
  idcSide: Side<I> & { readonly externalIds: (item: I) => readonly { id: string }[] },
): LinkResult<O, I> {
  const oktaSorted = [...okta].sort(byId(oktaSide.id));
  const idcSorted = [...idc].sort(byId(idcSide.id));
  const oktaById = new Map<string, O>();
  for (const o of oktaSorted) oktaById.set(oktaSide.id(o), o);

  const linkedOkta = new Map<string, { idc: I; by: LinkMethod }>();
  const claimedIdc = new Set<string>();
  for (const i of idcSorted) {
    for (const externalId of idcSide.externalIds(i)) {
      const o = oktaById.get(externalId.id);
      if (o === undefined || linkedOkta.has(externalId.id)) continue;
      linkedOkta.set(externalId.id, { idc: i, by: 'external-id' });
      claimedIdc.add(idcSide.id(i));
      break;
    }
  }

  const oktaByName = new Map<string, O[]>();
  for (const o of oktaSorted) {
    if (linkedOkta.has(oktaSide.id(o))) continue;
    const key = oktaSide.name(o);
    const list = oktaByName.get(key);
    if (list) list.push(o);
    else oktaByName.set(key, [o]);
  }
  const idcByName = new Map<string, I[]>();
  for (const i of idcSorted) {
    if (claimedIdc.has(idcSide.id(i))) continue;
    const key = idcSide.name(i);
    const list = idcByName.get(key);
    if (list) list.push(i);
    else idcByName.set(key, [i]);
  }
  const ambiguous: LinkResult<O, I>['ambiguous'] = [];
  for (const [name, oktaCandidates] of oktaByName) {
    const idcCandidates = idcByName.get(name);
    if (!idcCandidates) continue;
    const [o] = oktaCandidates;
    const [i] = idcCandidates;
    if (oktaCandidates.length > 1 || idcCandidates.length > 1 || !o || !i) {
      ambiguous.push({
        name,
        oktaIds: oktaCandidates.map(oktaSide.id),
        idcIds: idcCandidates.map(idcSide.id),
      });
      continue;
    }
    linkedOkta.set(oktaSide.id(o), { idc: i, by: 'name' });
    claimedIdc.add(idcSide.id(i));
  }

  const links: LinkResult<O, I>['links'] = [];
  const pending: O[] = [];
  for (const o of oktaSorted) {
    const found = linkedOkta.get(oktaSide.id(o));
    if (found) links.push({ okta: o, idc: found.idc, by: found.by });
    else pending.push(o);
  }
  const orphans = idcSorted.filter((i) => !claimedIdc.has(idcSide.id(i)));
  ambiguous.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { links, pending, orphans, ambiguous };
}

/**
 * Links Okta principals to Identity Center principals by immutable id (PRODUCT.md §4):
 * users by ExternalId (any `externalIds[].id` equal to the Okta user id, whatever the issuer),
 * then by userName = Okta login compared case-insensitively; groups by ExternalId, then by
 * displayName = Okta group name compared exactly. A name shared by several principals on either
 * side links nothing and is reported in `ambiguousNames`. Pure; O(n) with hashing.
 */
export function linkPrincipals(
  okta: OktaDirectory,
  idc: { readonly users: readonly IdcUser[]; readonly groups: readonly IdcGroup[] },
): PrincipalLinks {
  const users = link<OktaUser, IdcUser>(
    okta.users,
    idc.users,
    { id: (u) => u.id, name: (u) => u.login.toLowerCase() },
    {
      id: (u) => u.userId,
      name: (u) => u.userName.toLowerCase(),
      externalIds: (u) => u.externalIds,
    },
  );
  const groups = link<OktaGroup, IdcGroup>(
    okta.groups,
    idc.groups,
    { id: (g) => g.id, name: (g) => g.name },
    { id: (g) => g.groupId, name: (g) => g.displayName, externalIds: (g) => g.externalIds },
  );

  const idcUserByOkta = new Map<string, IdcUser>();
  const oktaUserByIdc = new Map<string, OktaUser>();
  const methods = new Map<string, LinkMethod>();
  for (const l of users.links) {
    idcUserByOkta.set(l.okta.id, l.idc);
    oktaUserByIdc.set(l.idc.userId, l.okta);
    methods.set(l.okta.id, l.by);
  }
  const idcGroupByOkta = new Map<string, IdcGroup>();
  const oktaGroupByIdc = new Map<string, OktaGroup>();
  for (const l of groups.links) {
    idcGroupByOkta.set(l.okta.id, l.idc);
    oktaGroupByIdc.set(l.idc.groupId, l.okta);
    methods.set(l.okta.id, l.by);
  }

  return {
    idcUserOf: (id) => idcUserByOkta.get(id),
    idcGroupOf: (id) => idcGroupByOkta.get(id),
    oktaUserOf: (id) => oktaUserByIdc.get(id),
    oktaGroupOf: (id) => oktaGroupByIdc.get(id),
    methodOf: (id) => methods.get(id),
    userLinks: users.links,
    groupLinks: groups.links,
    pendingUsers: users.pending,
    pendingGroups: groups.pending,
    orphanUsers: users.orphans,
    orphanGroups: groups.orphans,
    ambiguousNames: [
      ...users.ambiguous.map((a) => ({ kind: 'user' as const, ...a })),
      ...groups.ambiguous.map((a) => ({ kind: 'group' as const, ...a })),
    ],
  };
}
