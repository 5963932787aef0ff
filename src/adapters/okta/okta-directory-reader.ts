import type { Group, User } from '@okta/okta-sdk-nodejs';
import { OktaGroupId, OktaUserId } from '../../core/domain/ids.js';
import { OperationalError } from '../../core/errors.js';
import type {
  OktaDirectory,
  OktaGroup,
  OktaGroupType,
  OktaMembership,
  OktaUser,
  OktaUserStatus,
} from '../../core/domain/okta.js';
import { OktaGroupTypes, OktaUserStatuses } from '../../core/domain/okta.js';
import type { ReadProgressListener } from '../../ports/aws-readers.js';
import type { OktaDirectoryReader, OktaPrincipalReader } from '../../ports/okta-directory.js';
import { mapConcurrent } from '../aws/map-concurrent.js';
import type { OktaClientSource } from './okta-client.js';
import type { OktaHttp } from './okta-log-reader.js';
import { nextLink } from './okta-log-reader.js';

type OktaHttpResponse = Awaited<ReturnType<OktaHttp['http']>>;

export interface OktaReaderOptions {
  /** The SDK client, built on the first read (lazyOktaClient). */
  readonly client: OktaClientSource;
  /** Groups whose members are read at once. Default 8. */
  readonly concurrency?: number;
  /** Page size (`limit`). Default 200, Okta's recommended maximum. */
  readonly pageSize?: number;
}

/**
 * Reads the whole Okta directory through the SDK. Users are listed twice: a plain list omits
 * DEPROVISIONED users, so they are fetched with `filter=status eq "DEPROVISIONED"` (filter, not
 * search: search is eventually consistent). Pages are followed with `for await`, skipping the
 * `null` an empty page with a next link yields; `each()` would stop there silently (okta.md §6.2).
 */
export class SdkOktaDirectoryReader implements OktaDirectoryReader, OktaPrincipalReader {
  private readonly client: OktaClientSource;
  private readonly concurrency: number;
  private readonly pageSize: number;

  constructor(options: OktaReaderOptions) {
    this.client = options.client;
    this.concurrency = options.concurrency ?? 8;
    this.pageSize = options.pageSize ?? 200;
  }

  async readDirectory(onProgress?: ReadProgressListener): Promise<OktaDirectory> {
    const client = await this.client();
    const [listed, deprovisioned, rawGroups] = await Promise.all([
      drain(client.userApi.listUsers({ limit: this.pageSize })),
      drain(
        client.userApi.listUsers({
          filter: 'status eq "DEPROVISIONED"',
          limit: this.pageSize,
        }),
      ),
      drain(client.groupApi.listGroups({ limit: this.pageSize })),
    ]);
    const users = new Map<string, OktaUser>();
    for (const user of [...listed, ...deprovisioned]) {
      const converted = toOktaUser(user);
      if (converted) users.set(converted.id, converted);
    }
    const groups = rawGroups
      .map(toOktaGroup)
      .filter((group): group is OktaGroup => group !== undefined)
      .sort((a, b) => a.id.localeCompare(b.id));
    let done = 0;
    onProgress?.({ unit: 'okta groups', done, total: groups.length });
    const perGroup = await mapConcurrent(groups, this.concurrency, async (group) => {
      const members = await drain(
        client.groupApi.listGroupUsers({ groupId: group.id, limit: this.pageSize }),
      );
      done += 1;
      onProgress?.({ unit: 'okta groups', done, total: groups.length });
      return members.flatMap((member): OktaMembership[] => {
        if (!member.id || !OktaUserId.is(member.id)) return [];
        // A member missing from both user lists (created mid-read) is still a member.
        if (!users.has(member.id)) {
          const converted = toOktaUser(member);
          if (converted) users.set(converted.id, converted);
        }
        return [{ groupId: group.id, userId: member.id }];
      });
    });
    return {
      users: [...users.values()].sort((a, b) => a.id.localeCompare(b.id)),
      groups,
      memberships: perGroup
        .flat()
        .sort((a, b) => a.groupId.localeCompare(b.groupId) || a.userId.localeCompare(b.userId)),
    };
  }

  // The per-principal reads below run for every key serve reconciles. They go through the SDK
  // client's HTTP layer (auth, the request gate, its counters) but parse the JSON themselves:
  // the SDK's model deserialisation (ObjectSerializer) of a user or a group list was a tenth of
  // serve's CPU per change, for the four fields that are kept.

  async readUser(userId: string): Promise<OktaUser | undefined> {
    const user = await orUndefinedWhenMissing(
      this.#getJson<User>(`/api/v1/users/${encodeURIComponent(userId)}`),
    );
    return user ? toOktaUser(user) : undefined;
  }

  async readUserGroups(userId: string): Promise<readonly OktaGroup[]> {
    const groups = await orUndefinedWhenMissing(
      this.#getPages<Group>(`/api/v1/users/${encodeURIComponent(userId)}/groups`),
    );
    return (groups ?? [])
      .map(toOktaGroup)
      .filter((group): group is OktaGroup => group !== undefined)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async readGroup(groupId: string): Promise<OktaGroup | undefined> {
    const group = await orUndefinedWhenMissing(
      this.#getJson<Group>(`/api/v1/groups/${encodeURIComponent(groupId)}`),
    );
    return group ? toOktaGroup(group) : undefined;
  }

  async readGroupMembers(groupId: string): Promise<readonly OktaUser[]> {
    const members = await orUndefinedWhenMissing(
      this.#getPages<User>(
        `/api/v1/groups/${encodeURIComponent(groupId)}/users?limit=${this.pageSize}`,
      ),
    );
    return (members ?? [])
      .map(toOktaUser)
      .filter((user): user is OktaUser => user !== undefined)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async groupHasMembers(groupId: string): Promise<boolean> {
    const members = await orUndefinedWhenMissing(
      this.#getPages<User>(`/api/v1/groups/${encodeURIComponent(groupId)}/users?limit=1`, {
        untilFound: true,
      }),
    );
    return (members ?? []).length > 0;
  }

  /** GETs `path` (or a full URL on the org) through the client's HTTP layer. */
  async #get(pathOrUrl: string): Promise<{ url: string; response: OktaHttpResponse }> {
    const client = await this.client();
    const url = new URL(pathOrUrl, client.baseUrl).toString();
    const response = await (client.http as unknown as OktaHttp).http(url, {
      method: 'get',
      headers: { Accept: 'application/json' },
    });
    return { url, response };
  }

  async #getJson<T>(path: string): Promise<T> {
    const { response } = await this.#get(path);
    return (await response.json()) as T;
  }

  /**
   * Every item of a paged collection, following `rel="next"` links on the org's own origin. An
   * empty page with a next link is followed too (okta.md §6.2). With `untilFound`, stops at the
   * first page that has an item.
   */
  async #getPages<T>(path: string, options: { untilFound?: boolean } = {}): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = path;
    while (next) {
      const { url, response } = await this.#get(next);
      const page = await response.json();
      if (!Array.isArray(page)) {
        throw new OperationalError(
          `Okta answered ${new URL(url).pathname} with something other than a list`,
          'OKTA_READ_FAILED',
          true,
        );
      }
      items.push(...(page as T[]));
      if (options.untilFound && items.length > 0) break;
      const link = nextLink(response.headers.get('link'));
      next =
        link && link !== url && new URL(link).origin === new URL(url).origin ? link : undefined;
    }
    return items;
  }

  async readGroups(): Promise<readonly OktaGroup[]> {
    const client = await this.client();
    const groups = await drain(client.groupApi.listGroups({ limit: this.pageSize }));
    return groups
      .map(toOktaGroup)
      .filter((group): group is OktaGroup => group !== undefined)
      .sort((a, b) => a.id.localeCompare(b.id));
  }
}

/** The SDK rejects a 404 with an error carrying the status; that is "does not exist". */
async function orUndefinedWhenMissing<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    const status =
      (error as { status?: unknown; code?: unknown }).status ?? (error as { code?: unknown }).code;
    if (status === 404) return undefined;
    throw error;
  }
}

async function drain<T>(collection: Promise<AsyncIterable<T | null>>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of await collection) if (item !== null) items.push(item);
  return items;
}

function toOktaUser(user: User): OktaUser | undefined {
  if (!user.id || !OktaUserId.is(user.id)) return undefined;
  const profile = user.profile;
  const status = String(user.status ?? 'ACTIVE');
  return {
    id: user.id,
    login: profile?.login ?? '',
    ...(profile?.email ? { email: profile.email } : {}),
    ...(profile?.firstName ? { firstName: profile.firstName } : {}),
    ...(profile?.lastName ? { lastName: profile.lastName } : {}),
    status: (OktaUserStatuses as readonly string[]).includes(status)
      ? (status as OktaUserStatus)
      : 'ACTIVE',
  };
}

function toOktaGroup(group: Group): OktaGroup | undefined {
  if (!group.id || !OktaGroupId.is(group.id)) return undefined;
  const type = String(group.type ?? 'OKTA_GROUP');
  return {
    id: group.id,
    name: group.profile?.name ?? '',
    ...(group.profile?.description ? { description: group.profile.description } : {}),
    type: (OktaGroupTypes as readonly string[]).includes(type)
      ? (type as OktaGroupType)
      : 'OKTA_GROUP',
  };
}
