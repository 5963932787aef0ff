import {
  CreateGroupCommand,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteGroupMembershipCommand,
  GetGroupMembershipIdCommand,
  IdentitystoreClient,
  UpdateGroupCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-identitystore';
import type { DirectoryChange, OktaDirectory, SimGroup, SimUser } from './okta-directory.js';

/** The Issuer that SCIM-pushed principals carry in identity-store `ExternalIds`. */
export const oktaScimIssuer = 'scim.okta.com';

/** Where and how the "AWS IAM Identity Center" app pushes. */
export interface ScimPushOptions {
  awsEndpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  identityStoreId: string;
  /** Delay between an Okta change and its push; default 0. */
  lagMs: number;
}

/** Adds the SCIM externalId to the serialized JSON body of one command. */
function withExternalId(cmd: CreateUserCommand | CreateGroupCommand, oktaId: string): void {
  type Next = (args: { request: unknown }) => Promise<unknown>;
  const stack = cmd.middlewareStack as unknown as {
    add(mw: (next: Next) => Next, options: Record<string, string>): void;
  };
  stack.add(
    (next) => async (args) => {
      const req = args.request as { body?: unknown; headers?: Record<string, string> };
      if (typeof req.body === 'string') {
        const body = JSON.parse(req.body) as Record<string, unknown>;
        body.ExternalIds = [{ Issuer: oktaScimIssuer, Id: oktaId }];
        req.body = JSON.stringify(body);
        // Recomputed by the content-length middleware that runs after this one.
        if (req.headers) delete req.headers['content-length'];
      }
      return next(args);
    },
    { step: 'build', priority: 'high', name: 'oktaScimExternalIds' },
  );
}

/** Result of one push operation, kept for the control API. */
export interface ScimPushRecord {
  op: string;
  oktaId: string;
  ok: boolean;
  error?: string;
  at: string;
}

/**
 * Emulates the "AWS IAM Identity Center" OIN app's SCIM push through the identitystore API.
 *
 * Scope (documented choice): a group is pushed when its `pushed` flag is set (scenario default:
 * names starting `aws#`). A user is provisioned when it is assigned to the app directly or is a
 * member of a pushed group, and is not DEPROVISIONED; deactivation, unassignment or deletion
 * disables the identity-store user (it stays, without group memberships), as Okta's app does.
 * Pushed groups carry their memberships of provisioned users.
 *
 * Each change schedules a reconcile of the affected user/group after `lagMs`; reconciles run one
 * at a time, read the directory as it is then, and converge the identity store to it. Identity
 * store ids are remembered per Okta id.
 *
 * ExternalIds: the public identitystore API cannot set them (only SCIM can), so creation goes
 * through the AWS simulator's SCIM-like control route `POST /_sim/admin/push-user|push-group`
 * with `externalId` = the Okta id; the AWS simulator records
 * `ExternalIds: [{Issuer: <its externalIdIssuer, default "scim.okta.com">, Id}]`. Against an
 * endpoint without that route, CreateUser/CreateGroup are sent through the SDK with
 * `ExternalIds: [{Issuer: oktaScimIssuer, Id}]` added to the JSON body. Updates, deletes and
 * memberships always use the identitystore API.
 */
export class ScimPush {
  readonly records: ScimPushRecord[] = [];
  readonly userIds = new Map<string, string>();
  readonly groupIds = new Map<string, string>();
  private readonly memberships = new Map<string, Set<string>>();
  private readonly client: IdentitystoreClient;
  private queue: Promise<void> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();
  private pendingCount = 0;
  private closed = false;

  constructor(
    private readonly options: ScimPushOptions,
    private readonly directory: OktaDirectory,
    private readonly now: () => Date,
  ) {
    this.client = new IdentitystoreClient({
      endpoint: options.awsEndpoint,
      region: options.region,
      credentials: options.credentials,
      maxAttempts: 3,
    });
  }

  get lagMs(): number {
    return this.options.lagMs;
  }

  set lagMs(ms: number) {
    this.options.lagMs = ms;
  }

  /** Whether the user should exist in the identity store now. */
  isProvisioned(user: SimUser | undefined): boolean {
    if (!user || user.status === 'DEPROVISIONED') return false;
    if (user.appAssigned) return true;
    for (const gid of this.directory.groupsOf(user.id))
      if (this.directory.groups.get(gid)?.pushed) return true;
    return false;
  }

  /** Pushes the whole seeded state (after the lag), as enabling provisioning does. */
  initialSync(): void {
    for (const user of this.directory.users.values())
      if (this.isProvisioned(user)) this.schedule({ kind: 'user', id: user.id });
    for (const group of this.directory.groups.values())
      if (group.pushed) this.schedule({ kind: 'group', id: group.id });
  }

  onChange(change: DirectoryChange): void {
    if (change.userId) this.schedule({ kind: 'user', id: change.userId });
    if (change.groupId) this.schedule({ kind: 'group', id: change.groupId });
  }

  /** Resolves once nothing is scheduled or running. */
  async idle(): Promise<void> {
    while (this.pendingCount > 0) {
      await this.queue;
      if (this.pendingCount > 0) await new Promise((r) => setTimeout(r, 5));
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.client.destroy();
  }

  private schedule(item: { kind: 'user' | 'group'; id: string }): void {
    if (this.closed) return;
    this.pendingCount++;
    const run = (): void => {
      this.queue = this.queue
        .then(() =>
          item.kind === 'user' ? this.reconcileUser(item.id) : this.reconcileGroup(item.id),
        )
        .catch(() => undefined)
        .finally(() => {
          this.pendingCount--;
        });
    };
    if (this.options.lagMs <= 0) {
      run();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, this.options.lagMs);
    this.timers.add(timer);
  }

  private scimRoute: boolean | undefined;

  /** The AWS simulator's SCIM-like route; undefined when the endpoint has none. */
  private async scimControl(
    op: 'push-user' | 'push-group',
    body: Record<string, string>,
  ): Promise<{ userId?: string; groupId?: string } | undefined> {
    if (this.scimRoute === false) return undefined;
    const res = await fetch(`${this.options.awsEndpoint.replace(/\/$/, '')}/_sim/admin/${op}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (
      res.status === 404 ||
      res.status === 403 ||
      !(res.headers.get('content-type') ?? '').includes('json')
    ) {
      this.scimRoute = false;
      return undefined;
    }
    if (!res.ok) throw new Error(`SCIM push ${op} failed: HTTP ${res.status} ${text}`);
    this.scimRoute = true;
    return JSON.parse(text) as { userId?: string; groupId?: string };
  }

  private async attempt(op: string, oktaId: string, fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn();
      this.records.push({ op, oktaId, ok: true, at: this.now().toISOString() });
      return true;
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      this.records.push({ op, oktaId, ok: false, error, at: this.now().toISOString() });
      return false;
    }
  }

  private async reconcileUser(oktaId: string): Promise<void> {
    if (this.closed) return;
    const user = this.directory.users.get(oktaId);
    const idcId = this.userIds.get(oktaId);
    const store = this.options.identityStoreId;
    if (!this.isProvisioned(user)) {
      // Okta's Identity Center app deactivates rather than deletes (reference okta.md §8.2:
      // "Deactivate Users (unassign → disabled in IdC)", SCIM `active:false`). The user stays in
      // the identity store, disabled; the identitystore API has no status, so it stays visible
      // there with its account assignments until something removes them. Okta pushes group
      // memberships of provisioned users only, so the memberships go.
      if (idcId) {
        for (const [gid, members] of this.memberships)
          if (members.has(oktaId)) await this.removeMembership(gid, oktaId);
      }
      return;
    }
    const u = user as SimUser;
    const attrs = {
      DisplayName: `${u.profile.firstName} ${u.profile.lastName}`,
      Name: { GivenName: u.profile.firstName, FamilyName: u.profile.lastName },
      Emails: [{ Value: u.profile.email, Type: 'work', Primary: true }],
    };
    if (!idcId) {
      await this.attempt('CreateUser', oktaId, async () => {
        const viaScim = await this.scimControl('push-user', {
          userName: u.profile.login,
          givenName: u.profile.firstName,
          familyName: u.profile.lastName,
          displayName: attrs.DisplayName,
          email: u.profile.email,
          externalId: oktaId,
        });
        if (viaScim?.userId) {
          this.userIds.set(oktaId, viaScim.userId);
          return;
        }
        const cmd = new CreateUserCommand({
          IdentityStoreId: store,
          UserName: u.profile.login,
          ...attrs,
        });
        withExternalId(cmd, oktaId);
        const out = await this.client.send(cmd);
        if (out.UserId) this.userIds.set(oktaId, out.UserId);
      });
    } else {
      await this.attempt('UpdateUser', oktaId, async () => {
        await this.client.send(
          new UpdateUserCommand({
            IdentityStoreId: store,
            UserId: idcId,
            Operations: [
              { AttributePath: 'userName', AttributeValue: u.profile.login },
              { AttributePath: 'displayName', AttributeValue: attrs.DisplayName },
              { AttributePath: 'name.givenName', AttributeValue: u.profile.firstName },
              { AttributePath: 'name.familyName', AttributeValue: u.profile.lastName },
            ],
          }),
        );
      });
    }
    for (const gid of this.directory.groupsOf(oktaId)) {
      if (this.directory.groups.get(gid)?.pushed) await this.addMembership(gid, oktaId);
    }
    for (const [gid, members] of this.memberships) {
      if (members.has(oktaId) && !this.directory.isMember(gid, oktaId))
        await this.removeMembership(gid, oktaId);
    }
  }

  private async reconcileGroup(oktaId: string): Promise<void> {
    if (this.closed) return;
    const group: SimGroup | undefined = this.directory.groups.get(oktaId);
    const idcId = this.groupIds.get(oktaId);
    const store = this.options.identityStoreId;
    if (!group?.pushed) {
      const former = [...(this.memberships.get(oktaId) ?? [])];
      if (idcId) {
        await this.attempt('DeleteGroup', oktaId, async () => {
          await this.client.send(
            new DeleteGroupCommand({ IdentityStoreId: store, GroupId: idcId }),
          );
          this.groupIds.delete(oktaId);
          this.memberships.delete(oktaId);
        });
      }
      // Members provisioned only through this group lose their identity-store user.
      for (const uid of former) await this.reconcileUser(uid);
      return;
    }
    if (!idcId) {
      const ok = await this.attempt('CreateGroup', oktaId, async () => {
        const viaScim = await this.scimControl('push-group', {
          displayName: group.profile.name,
          ...(group.profile.description ? { description: group.profile.description } : {}),
          externalId: oktaId,
        });
        if (viaScim?.groupId) {
          this.groupIds.set(oktaId, viaScim.groupId);
          return;
        }
        const cmd = new CreateGroupCommand({
          IdentityStoreId: store,
          DisplayName: group.profile.name,
          ...(group.profile.description ? { Description: group.profile.description } : {}),
        });
        withExternalId(cmd, oktaId);
        const out = await this.client.send(cmd);
        if (out.GroupId) this.groupIds.set(oktaId, out.GroupId);
      });
      if (!ok) return;
    } else {
      await this.attempt('UpdateGroup', oktaId, async () => {
        await this.client.send(
          new UpdateGroupCommand({
            IdentityStoreId: store,
            GroupId: idcId,
            Operations: [{ AttributePath: 'displayName', AttributeValue: group.profile.name }],
          }),
        );
      });
    }
    const desired = new Set<string>();
    for (const uid of this.directory.membersOf(oktaId)) {
      if (!this.isProvisioned(this.directory.users.get(uid))) continue;
      desired.add(uid);
      if (!this.userIds.has(uid)) await this.reconcileUser(uid);
      else await this.addMembership(oktaId, uid);
    }
    for (const uid of [...(this.memberships.get(oktaId) ?? [])]) {
      if (!desired.has(uid)) await this.removeMembership(oktaId, uid);
    }
  }

  private async addMembership(groupOktaId: string, userOktaId: string): Promise<void> {
    const members = this.memberships.get(groupOktaId) ?? new Set<string>();
    this.memberships.set(groupOktaId, members);
    const groupId = this.groupIds.get(groupOktaId);
    const memberId = this.userIds.get(userOktaId);
    if (members.has(userOktaId) || !groupId || !memberId) return;
    await this.attempt('CreateGroupMembership', `${groupOktaId}/${userOktaId}`, async () => {
      await this.client.send(
        new CreateGroupMembershipCommand({
          IdentityStoreId: this.options.identityStoreId,
          GroupId: groupId,
          MemberId: { UserId: memberId },
        }),
      );
      members.add(userOktaId);
    });
  }

  private async removeMembership(groupOktaId: string, userOktaId: string): Promise<void> {
    const groupId = this.groupIds.get(groupOktaId);
    const memberId = this.userIds.get(userOktaId);
    const members = this.memberships.get(groupOktaId);
    if (!groupId || !memberId || !members?.has(userOktaId)) return;
    await this.attempt('DeleteGroupMembership', `${groupOktaId}/${userOktaId}`, async () => {
      const found = await this.client.send(
        new GetGroupMembershipIdCommand({
          IdentityStoreId: this.options.identityStoreId,
          GroupId: groupId,
          MemberId: { UserId: memberId },
        }),
      );
      if (found.MembershipId) {
        await this.client.send(
          new DeleteGroupMembershipCommand({
            IdentityStoreId: this.options.identityStoreId,
            MembershipId: found.MembershipId,
          }),
        );
      }
      members.delete(userOktaId);
    });
  }
}
