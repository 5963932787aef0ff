import { AwsSimError } from '../aws-sim-error.js';
import type { ExternalIdRef, IdsGroup, IdsMembership, IdsUser } from '../aws-state.js';
import {
  invalidNextToken,
  optStr,
  paginate,
  str,
  type OperationHandler,
  type RequestContext,
  type SimRuntime,
} from '../sim-runtime.js';

const page100 = { defaultSize: 100, maxSize: 100 } as const;

const notFoundText = {
  USER: 'User not found.',
  GROUP: 'Group not found.',
  GROUP_MEMBERSHIP: 'Group membership not found.',
  IDENTITY_STORE: 'Identity store not found.',
} as const;

/** Names the service reserves (model CreateUser/CreateGroup docs). */
const reservedNames = new Set(['administrator', 'awsadministrators']);

/** User attributes CreateUser stores as given. */
const userAttributes = [
  'UserName',
  'Name',
  'DisplayName',
  'NickName',
  'ProfileUrl',
  'Emails',
  'Addresses',
  'PhoneNumbers',
  'UserType',
  'Title',
  'PreferredLanguage',
  'Locale',
  'Timezone',
] as const;

/**
 * UpdateUser attribute paths (AWS UpdateUser doc: the User attributes in lower camel case, `name.*`
 * for the name parts) → where the value lives in the stored user.
 */
const userPaths: Readonly<Record<string, { key: string; sub?: string; list?: boolean }>> = {
  userName: { key: 'UserName' },
  displayName: { key: 'DisplayName' },
  nickName: { key: 'NickName' },
  profileUrl: { key: 'ProfileUrl' },
  userType: { key: 'UserType' },
  title: { key: 'Title' },
  preferredLanguage: { key: 'PreferredLanguage' },
  locale: { key: 'Locale' },
  timezone: { key: 'Timezone' },
  'name.givenName': { key: 'Name', sub: 'GivenName' },
  'name.familyName': { key: 'Name', sub: 'FamilyName' },
  'name.middleName': { key: 'Name', sub: 'MiddleName' },
  'name.formatted': { key: 'Name', sub: 'Formatted' },
  'name.honorificPrefix': { key: 'Name', sub: 'HonorificPrefix' },
  'name.honorificSuffix': { key: 'Name', sub: 'HonorificSuffix' },
  emails: { key: 'Emails', list: true },
  addresses: { key: 'Addresses', list: true },
  phoneNumbers: { key: 'PhoneNumbers', list: true },
};

/** Members of Email/Address/PhoneNumber (model), by lower-camel name as the document carries them. */
const listItemMembers = new Map(
  [
    'Value',
    'Type',
    'Primary',
    'StreetAddress',
    'Locality',
    'Region',
    'PostalCode',
    'Country',
    'Formatted',
  ].map((m) => [m[0]!.toLowerCase() + m.slice(1), m] as const),
);

/**
 * Paths whose removal (an operation without AttributeValue) is refused: CreateUser requires them
 * (ref §4.2), so an update may not leave a user without them.
 */
const requiredUserPaths = new Set(['userName', 'displayName', 'name.givenName', 'name.familyName']);

/** UpdateGroup attribute paths → Group members. */
const groupPaths: Readonly<Record<string, 'DisplayName' | 'Description'>> = {
  displayName: 'DisplayName',
  description: 'Description',
};

type AttributeOperation = { AttributePath: string; AttributeValue?: unknown };

/** Identity-store writes shared by the API handlers, scenario seeding and the SCIM-like control API. */
export interface IdentityStoreWriter {
  createUser(user: Omit<IdsUser, 'UserId'> & { UserId?: string }): IdsUser;
  createGroup(group: Omit<IdsGroup, 'GroupId'> & { GroupId?: string }): IdsGroup;
  addMember(groupId: string, userId: string): IdsMembership;
}

export interface IdentityStoreService {
  readonly handlers: Readonly<Record<string, OperationHandler>>;
  readonly writer: IdentityStoreWriter;
}

/** Builds the identitystore handlers (reads plus the writes SCIM push performs). */
export function createIdentityStoreService(runtime: SimRuntime): IdentityStoreService {
  const { state, random } = runtime;
  const store = state.identityStore;
  const idPrefix = store.id.startsWith('d-') ? `${store.id.slice(2)}-` : '';
  const newId = (): string => idPrefix + random.uuid();

  const notFound = (
    ctx: RequestContext,
    type: keyof typeof notFoundText,
    id: string,
  ): AwsSimError =>
    new AwsSimError('ResourceNotFoundException', notFoundText[type], {
      fields: { ResourceType: type, ...(id ? { ResourceId: id } : {}), RequestId: ctx.requestId },
    });

  const conflict = (ctx: RequestContext, message: string): AwsSimError =>
    new AwsSimError('ConflictException', message, {
      fields: { Reason: 'UNIQUENESS_CONSTRAINT_VIOLATION', RequestId: ctx.requestId },
    });

  const validation = (ctx: RequestContext, message: string): AwsSimError =>
    new AwsSimError('ValidationException', message, { fields: { RequestId: ctx.requestId } });

  const checkStore = (input: Record<string, unknown>, ctx: RequestContext): void => {
    const id = str(input, 'IdentityStoreId');
    if (id !== store.id) throw notFound(ctx, 'IDENTITY_STORE', id);
  };

  const user = (ctx: RequestContext, id: string): IdsUser => {
    const u = store.users.get(id);
    if (!u) throw notFound(ctx, 'USER', id);
    return u;
  };
  const group = (ctx: RequestContext, id: string): IdsGroup => {
    const g = store.groups.get(id);
    if (!g) throw notFound(ctx, 'GROUP', id);
    return g;
  };

  const userView = (u: IdsUser): Record<string, unknown> => ({
    ...structuredClone(u),
    IdentityStoreId: store.id,
  });
  const groupView = (g: IdsGroup): Record<string, unknown> => ({
    ...structuredClone(g),
    IdentityStoreId: store.id,
  });
  const membershipView = (m: IdsMembership): Record<string, unknown> => ({
    IdentityStoreId: store.id,
    MembershipId: m.MembershipId,
    GroupId: m.GroupId,
    MemberId: { UserId: m.UserId },
  });

  const userNameTaken = (name: string): boolean => {
    const lower = name.toLowerCase();
    for (const u of store.users.values()) if (u.UserName.toLowerCase() === lower) return true;
    return false;
  };
  const groupNameTaken = (name: string): boolean => {
    const lower = name.toLowerCase();
    for (const g of store.groups.values()) if (g.DisplayName.toLowerCase() === lower) return true;
    return false;
  };

  const writer: IdentityStoreWriter = {
    createUser(u) {
      const created = { ...structuredClone(u), UserId: u.UserId ?? newId() } as IdsUser;
      store.users.set(created.UserId, created);
      return created;
    },
    createGroup(g) {
      const created = { ...structuredClone(g), GroupId: g.GroupId ?? newId() };
      store.groups.set(created.GroupId, created);
      return created;
    },
    addMember(groupId, userId) {
      const pair = `${groupId}|${userId}`;
      const existing = store.membershipByPair.get(pair);
      if (existing) return store.memberships.get(existing)!;
      const m: IdsMembership = { MembershipId: newId(), GroupId: groupId, UserId: userId };
      store.memberships.set(m.MembershipId, m);
      store.membershipByPair.set(pair, m.MembershipId);
      return m;
    },
  };

  const removeMembership = (m: IdsMembership): void => {
    store.memberships.delete(m.MembershipId);
    store.membershipByPair.delete(`${m.GroupId}|${m.UserId}`);
  };

  const matchExternalId = (
    ids: readonly ExternalIdRef[] | undefined,
    wanted: ExternalIdRef,
  ): boolean => (ids ?? []).some((e) => e.Issuer === wanted.Issuer && e.Id === wanted.Id);

  const memberUserId = (input: Record<string, unknown>): string =>
    (input.MemberId as { UserId?: string } | undefined)?.UserId ?? '';

  const operationsOf = (input: Record<string, unknown>): AttributeOperation[] =>
    (input.Operations as AttributeOperation[] | undefined) ?? [];

  const stringValue = (ctx: RequestContext, path: string, value: unknown): string => {
    if (typeof value !== 'string' || value.length === 0)
      throw validation(ctx, `AttributeValue for ${path} must be a non-empty string.`);
    return value;
  };

  /** Email/Address/PhoneNumber items arrive with lower-camel keys (SCIM style) or model names. */
  const listValue = (ctx: RequestContext, path: string, value: unknown): unknown[] => {
    if (!Array.isArray(value))
      throw validation(ctx, `AttributeValue for ${path} must be a list of objects.`);
    return value.map((item: unknown) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        throw validation(ctx, `AttributeValue for ${path} must be a list of objects.`);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(item)) {
        const member =
          listItemMembers.get(k) ?? listItemMembers.get(k[0]!.toLowerCase() + k.slice(1));
        if (!member) throw validation(ctx, `Attribute ${path}.${k} is not supported.`);
        const expected = member === 'Primary' ? 'boolean' : 'string';
        if (typeof v !== expected)
          throw validation(ctx, `AttributeValue for ${path}.${k} must be a ${expected}.`);
        out[member] = v;
      }
      return out;
    });
  };

  const handlers: Record<string, OperationHandler> = {
    ListUsers: (input, ctx) => {
      checkStore(input, ctx);
      const filter = (
        input.Filters as { AttributePath: string; AttributeValue: string }[] | undefined
      )?.[0];
      if (filter && filter.AttributePath !== 'UserName')
        throw validation(
          ctx,
          `Filter attribute path ${filter.AttributePath} is not supported; use UserName.`,
        );
      const items = [...store.users.values()].filter(
        (u) => !filter || u.UserName === filter.AttributeValue,
      );
      const { page, next } = paginate(
        runtime,
        items,
        `ListUsers|${filter?.AttributeValue ?? ''}`,
        input.NextToken,
        input.MaxResults,
        page100,
        invalidNextToken,
      );
      return { Users: page.map(userView), ...(next ? { NextToken: next } : {}) };
    },

    ListGroups: (input, ctx) => {
      checkStore(input, ctx);
      const filter = (
        input.Filters as { AttributePath: string; AttributeValue: string }[] | undefined
      )?.[0];
      if (filter && filter.AttributePath !== 'DisplayName')
        throw validation(
          ctx,
          `Filter attribute path ${filter.AttributePath} is not supported; use DisplayName.`,
        );
      const items = [...store.groups.values()].filter(
        (g) => !filter || g.DisplayName === filter.AttributeValue,
      );
      const { page, next } = paginate(
        runtime,
        items,
        `ListGroups|${filter?.AttributeValue ?? ''}`,
        input.NextToken,
        input.MaxResults,
        page100,
        invalidNextToken,
      );
      return { Groups: page.map(groupView), ...(next ? { NextToken: next } : {}) };
    },

    DescribeUser: (input, ctx) => {
      checkStore(input, ctx);
      return userView(user(ctx, str(input, 'UserId')));
    },

    DescribeGroup: (input, ctx) => {
      checkStore(input, ctx);
      return groupView(group(ctx, str(input, 'GroupId')));
    },

    GetUserId: (input, ctx) => {
      checkStore(input, ctx);
      const alt = input.AlternateIdentifier as {
        ExternalId?: ExternalIdRef;
        UniqueAttribute?: { AttributePath: string; AttributeValue: unknown };
      };
      let found: IdsUser | undefined;
      if (alt.ExternalId) {
        for (const u of store.users.values())
          if (matchExternalId(u.ExternalIds, alt.ExternalId)) found = u;
      } else if (alt.UniqueAttribute) {
        const { AttributePath: path, AttributeValue: value } = alt.UniqueAttribute;
        if (path === 'userName') {
          for (const u of store.users.values()) if (u.UserName === value) found = u;
        } else if (path === 'emails.value') {
          for (const u of store.users.values())
            if (u.Emails?.some((e) => e.Value === value)) found = u;
        } else throw validation(ctx, `Attribute path ${path} is not a unique attribute of users.`);
      }
      if (!found) throw notFound(ctx, 'USER', '');
      return { UserId: found.UserId, IdentityStoreId: store.id };
    },

    GetGroupId: (input, ctx) => {
      checkStore(input, ctx);
      const alt = input.AlternateIdentifier as {
        ExternalId?: ExternalIdRef;
        UniqueAttribute?: { AttributePath: string; AttributeValue: unknown };
      };
      let found: IdsGroup | undefined;
      if (alt.ExternalId) {
        for (const g of store.groups.values())
          if (matchExternalId(g.ExternalIds, alt.ExternalId)) found = g;
      } else if (alt.UniqueAttribute) {
        const { AttributePath: path, AttributeValue: value } = alt.UniqueAttribute;
        if (path !== 'displayName')
          throw validation(ctx, `Attribute path ${path} is not a unique attribute of groups.`);
        for (const g of store.groups.values()) if (g.DisplayName === value) found = g;
      }
      if (!found) throw notFound(ctx, 'GROUP', '');
      return { GroupId: found.GroupId, IdentityStoreId: store.id };
    },

    ListGroupMemberships: (input, ctx) => {
      checkStore(input, ctx);
      const groupId = str(input, 'GroupId');
      group(ctx, groupId);
      const items = [...store.memberships.values()].filter((m) => m.GroupId === groupId);
      const { page, next } = paginate(
        runtime,
        items,
        `ListGroupMemberships|${groupId}`,
        input.NextToken,
        input.MaxResults,
        page100,
        invalidNextToken,
      );
      return { GroupMemberships: page.map(membershipView), ...(next ? { NextToken: next } : {}) };
    },

    ListGroupMembershipsForMember: (input, ctx) => {
      checkStore(input, ctx);
      const userId = memberUserId(input);
      user(ctx, userId);
      const items = [...store.memberships.values()].filter((m) => m.UserId === userId);
      const { page, next } = paginate(
        runtime,
        items,
        `ListGroupMembershipsForMember|${userId}`,
        input.NextToken,
        input.MaxResults,
        page100,
        invalidNextToken,
      );
      return { GroupMemberships: page.map(membershipView), ...(next ? { NextToken: next } : {}) };
    },

    IsMemberInGroups: (input, ctx) => {
      checkStore(input, ctx);
      const userId = memberUserId(input);
      user(ctx, userId);
      const groupIds = (input.GroupIds as string[] | undefined) ?? [];
      return {
        Results: groupIds.map((groupId) => ({
          GroupId: groupId,
          MemberId: { UserId: userId },
          MembershipExists: store.membershipByPair.has(`${groupId}|${userId}`),
        })),
      };
    },

    GetGroupMembershipId: (input, ctx) => {
      checkStore(input, ctx);
      const groupId = str(input, 'GroupId');
      const userId = memberUserId(input);
      const id = store.membershipByPair.get(`${groupId}|${userId}`);
      if (!id) throw notFound(ctx, 'GROUP_MEMBERSHIP', '');
      return { MembershipId: id, IdentityStoreId: store.id };
    },

    DescribeGroupMembership: (input, ctx) => {
      checkStore(input, ctx);
      const id = str(input, 'MembershipId');
      const m = store.memberships.get(id);
      if (!m) throw notFound(ctx, 'GROUP_MEMBERSHIP', id);
      return membershipView(m);
    },

    CreateUser: (input, ctx) => {
      checkStore(input, ctx);
      // The service requires these although the model marks them optional (ref §4.2).
      const name = input.Name as { GivenName?: string; FamilyName?: string } | undefined;
      for (const [present, member] of [
        [optStr(input, 'UserName'), 'userName'],
        [optStr(input, 'DisplayName'), 'displayName'],
        [name?.GivenName, 'name.givenName'],
        [name?.FamilyName, 'name.familyName'],
      ] as const)
        if (present === undefined)
          throw validation(
            ctx,
            `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
          );
      const userName = str(input, 'UserName');
      if (reservedNames.has(userName.toLowerCase()))
        throw validation(ctx, `UserName ${userName} is reserved.`);
      if (userNameTaken(userName)) throw conflict(ctx, `Duplicate UserName: ${userName}`);
      const attributes: Record<string, unknown> = {};
      for (const a of userAttributes) if (input[a] !== undefined) attributes[a] = input[a];
      const created = writer.createUser(attributes);
      return { UserId: created.UserId, IdentityStoreId: store.id };
    },

    CreateGroup: (input, ctx) => {
      checkStore(input, ctx);
      const displayName = optStr(input, 'DisplayName');
      if (displayName === undefined)
        throw validation(
          ctx,
          `1 validation error detected: Value null at 'displayName' failed to satisfy constraint: Member must not be null`,
        );
      if (reservedNames.has(displayName.toLowerCase()))
        throw validation(ctx, `DisplayName ${displayName} is reserved.`);
      if (groupNameTaken(displayName))
        throw conflict(ctx, `Duplicate GroupDisplayName: ${displayName}`);
      const description = optStr(input, 'Description');
      const created = writer.createGroup({
        DisplayName: displayName,
        ...(description !== undefined ? { Description: description } : {}),
      });
      return { GroupId: created.GroupId, IdentityStoreId: store.id };
    },

    CreateGroupMembership: (input, ctx) => {
      checkStore(input, ctx);
      const groupId = str(input, 'GroupId');
      const userId = memberUserId(input);
      group(ctx, groupId);
      user(ctx, userId);
      // Duplicate membership → Conflict; weakly evidenced (ref §6), chosen for symmetry with names.
      if (store.membershipByPair.has(`${groupId}|${userId}`))
        throw conflict(ctx, `Member ${userId} is already in group ${groupId}.`);
      const m = writer.addMember(groupId, userId);
      return { MembershipId: m.MembershipId, IdentityStoreId: store.id };
    },

    // Operations apply in order to a copy; the stored user changes only when all of them pass.
    UpdateUser: (input, ctx) => {
      checkStore(input, ctx);
      const current = user(ctx, str(input, 'UserId'));
      const next = structuredClone(current);
      for (const { AttributePath: path, AttributeValue: value } of operationsOf(input)) {
        const target = userPaths[path];
        if (!target) throw validation(ctx, `Attribute path ${path} is not supported for users.`);
        if (value === undefined || value === null) {
          if (requiredUserPaths.has(path))
            throw validation(ctx, `Attribute ${path} is required and cannot be removed.`);
          if (target.sub) {
            const name = next.Name;
            if (name) delete (name as Record<string, unknown>)[target.sub];
          } else delete next[target.key];
          continue;
        }
        if (target.list) next[target.key] = listValue(ctx, path, value);
        else if (target.sub)
          next.Name = { ...next.Name, [target.sub]: stringValue(ctx, path, value) };
        else next[target.key] = stringValue(ctx, path, value);
      }
      if (next.UserName !== current.UserName) {
        if (reservedNames.has(next.UserName.toLowerCase()))
          throw validation(ctx, `UserName ${next.UserName} is reserved.`);
        // Same rule as CreateUser: UserName is unique in the store, compared case-insensitively
        // (ref §4.2 and §6: duplicate UserName → ConflictException UNIQUENESS_CONSTRAINT_VIOLATION).
        // Renaming to a different case of the user's own name is not a collision.
        const lower = next.UserName.toLowerCase();
        for (const other of store.users.values())
          if (other.UserId !== current.UserId && other.UserName.toLowerCase() === lower)
            throw conflict(ctx, `Duplicate UserName: ${next.UserName}`);
      }
      store.users.set(current.UserId, next);
      return {};
    },

    UpdateGroup: (input, ctx) => {
      checkStore(input, ctx);
      const current = group(ctx, str(input, 'GroupId'));
      const next = structuredClone(current);
      for (const { AttributePath: path, AttributeValue: value } of operationsOf(input)) {
        const key = groupPaths[path];
        if (!key) throw validation(ctx, `Attribute path ${path} is not supported for groups.`);
        if (value === undefined || value === null) {
          if (key === 'DisplayName')
            throw validation(ctx, `Attribute ${path} is required and cannot be removed.`);
          delete next.Description;
          continue;
        }
        next[key] = stringValue(ctx, path, value);
      }
      if (next.DisplayName !== current.DisplayName) {
        if (reservedNames.has(next.DisplayName.toLowerCase()))
          throw validation(ctx, `DisplayName ${next.DisplayName} is reserved.`);
        // Group DisplayName is unique per store like on CreateGroup (ref §4.2 and §6: duplicate
        // DisplayName → ConflictException UNIQUENESS_CONSTRAINT_VIOLATION), case-insensitively as
        // the simulator's CreateGroup compares; the group's own name does not collide with itself.
        const lower = next.DisplayName.toLowerCase();
        for (const other of store.groups.values())
          if (other.GroupId !== current.GroupId && other.DisplayName.toLowerCase() === lower)
            throw conflict(ctx, `Duplicate GroupDisplayName: ${next.DisplayName}`);
      }
      store.groups.set(current.GroupId, next);
      return {};
    },

    // Deleting a missing id is UNVERIFIED (ref §4.2); the simulator answers ResourceNotFound, which
    // the model lists for these operations.
    DeleteUser: (input, ctx) => {
      checkStore(input, ctx);
      const u = user(ctx, str(input, 'UserId'));
      store.users.delete(u.UserId);
      for (const m of [...store.memberships.values()])
        if (m.UserId === u.UserId) removeMembership(m);
      return {};
    },

    DeleteGroup: (input, ctx) => {
      checkStore(input, ctx);
      const g = group(ctx, str(input, 'GroupId'));
      store.groups.delete(g.GroupId);
      for (const m of [...store.memberships.values()])
        if (m.GroupId === g.GroupId) removeMembership(m);
      return {};
    },

    DeleteGroupMembership: (input, ctx) => {
      checkStore(input, ctx);
      const id = str(input, 'MembershipId');
      const m = store.memberships.get(id);
      if (!m) throw notFound(ctx, 'GROUP_MEMBERSHIP', id);
      removeMembership(m);
      return {};
    },
  };

  return { handlers, writer };
}
