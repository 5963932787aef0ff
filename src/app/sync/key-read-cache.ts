/**
 * What serve's per-key reconciles take from the last full read instead of re-reading it for
 * every key: the instance, the organisation tree (accounts, OUs, tags: what selectors resolve
 * on), the scope every Okta group contributes, the ExternalId issuers SCIM records, and
 * permission set ARNs by name.
 *
 * Chosen over re-reading per key because these change rarely and cost the most to read (the
 * organisation alone is one call per OU and account). Every full reconcile refreshes all of it;
 * each key replaces the entries of the groups it read fresh; past the TTL the next key takes the
 * full path, which refreshes it. Staleness is bounded by the TTL and, for groups, by their own
 * events: a group's lifecycle event re-reads that group.
 */
import type { IdcInstance, IdcUser, PermissionSet } from '../../core/domain/identity-center.js';
import type { PermissionSetArn } from '../../core/domain/ids.js';
import type { OrganizationTree } from '../../core/domain/organizations.js';
import type { GroupScope } from '../../core/plan/key-scope.js';
import { groupScopes } from '../../core/plan/key-scope.js';
import type { SyncPolicy } from '../../core/rules/compiled-rule.js';
import type { FreshPlan } from '../plan/plan-service.js';

export interface KeyReadSnapshot {
  readonly instance: IdcInstance;
  readonly organization: OrganizationTree;
  /** By Okta group id; groups no rule matches are absent. */
  readonly groupScopes: Map<string, GroupScope>;
  /** ExternalId issuers seen on linked principals, most common first. */
  readonly issuers: readonly string[];
  readonly permissionSetArns: Map<string, PermissionSetArn>;
  /**
   * The last full read of each permission set, by ARN. A `user:` key reuses its name (immutable)
   * and definition (a user key never changes a definition) and reads only its tags, which decide
   * ownership.
   */
  readonly permissionSets: Map<string, PermissionSet>;
  readonly refreshedAt: number;
}

export class KeyReadCache {
  #snapshot: KeyReadSnapshot | null = null;
  /** When each permission set's tags (its ownership) were last read from AWS, epoch ms. */
  readonly #tagsReadAt = new Map<string, number>();
  /** When each permission set was last read whole (definition, tags, provisioning), epoch ms. */
  readonly #readWholeAt = new Map<string, number>();
  /** The IdC user each Okta user was last resolved to, and when (epoch ms). */
  readonly #users = new Map<string, { readonly user: IdcUser; readonly at: number }>();

  constructor(
    private readonly policy: SyncPolicy,
    private readonly ttlMs: number,
  ) {}

  /** The snapshot when it is younger than the TTL, else null (take the full path). */
  current(now: number): KeyReadSnapshot | null {
    const snapshot = this.#snapshot;
    if (!snapshot || now - snapshot.refreshedAt > this.ttlMs) return null;
    return snapshot;
  }

  /** Replaces everything from a full read. */
  refresh(fresh: FreshPlan, now: number): void {
    const issuerCounts = new Map<string, number>();
    const count = (externalIds: readonly { issuer: string; id: string }[]): void => {
      for (const external of externalIds) {
        issuerCounts.set(external.issuer, (issuerCounts.get(external.issuer) ?? 0) + 1);
      }
    };
    for (const link of fresh.desired.links.userLinks) count(link.idc.externalIds);
    for (const link of fresh.desired.links.groupLinks) count(link.idc.externalIds);
    this.#snapshot = {
      instance: fresh.instance,
      organization: fresh.actual.organization,
      groupScopes: groupScopes(this.policy, fresh.okta.groups, fresh.actual.organization),
      issuers: [...issuerCounts].sort(([, a], [, b]) => b - a).map(([issuer]) => issuer),
      permissionSetArns: new Map(
        fresh.actual.permissionSets.map((ps) => [ps.name, ps.permissionSetArn]),
      ),
      permissionSets: new Map(fresh.actual.permissionSets.map((ps) => [ps.permissionSetArn, ps])),
      refreshedAt: now,
    };
    this.#tagsReadAt.clear();
    this.#readWholeAt.clear();
    for (const ps of fresh.actual.permissionSets) {
      this.#tagsReadAt.set(ps.permissionSetArn, now);
      this.#readWholeAt.set(ps.permissionSetArn, now);
    }
    this.#users.clear();
    for (const link of fresh.desired.links.userLinks) {
      this.#users.set(link.okta.id, { user: link.idc, at: now });
    }
  }

  /**
   * The IdC user `oktaUserId` was resolved to at most `windowMs` before `now`, if any. Only
   * found users are kept: a user SCIM has not pushed yet is looked up again every time.
   */
  userWithin(oktaUserId: string, now: number, windowMs: number): IdcUser | undefined {
    const entry = this.#users.get(oktaUserId);
    return entry && now - entry.at <= windowMs ? entry.user : undefined;
  }

  /** Records (or, with undefined, forgets) what `oktaUserId` resolves to, as of `now`. */
  noteUser(oktaUserId: string, user: IdcUser | undefined, now: number): void {
    if (user) this.#users.set(oktaUserId, { user, at: now });
    else this.#users.delete(oktaUserId);
  }

  /** Whether the permission set's tags were read from AWS at most `windowMs` before `now`. */
  tagsReadWithin(permissionSetArn: PermissionSetArn, now: number, windowMs: number): boolean {
    const at = this.#tagsReadAt.get(permissionSetArn);
    return at !== undefined && now - at <= windowMs;
  }

  /**
   * The permission set as last read whole, if that was at most `windowMs` before `now` and no key
   * has written a permission set since.
   */
  readWholeWithin(
    permissionSetArn: PermissionSetArn,
    now: number,
    windowMs: number,
  ): PermissionSet | undefined {
    const at = this.#readWholeAt.get(permissionSetArn);
    if (at === undefined || now - at > windowMs) return undefined;
    return this.#snapshot?.permissionSets.get(permissionSetArn);
  }

  /**
   * Permission sets a key has just read whole from AWS, at `now` (their tags with them); the sets
   * themselves are noted with `notePermissionSets`.
   */
  markReadWhole(read: readonly PermissionSet[], now: number): void {
    if (!this.#snapshot) return;
    for (const ps of read) {
      this.#tagsReadAt.set(ps.permissionSetArn, now);
      this.#readWholeAt.set(ps.permissionSetArn, now);
    }
  }

  /**
   * A key wrote a permission set (its definition, provisioning, or the set itself): no definition
   * held is trusted until read again.
   */
  forgetWholeReads(): void {
    this.#readWholeAt.clear();
  }

  /** A group read fresh by a key: its new scope, or undefined when it is gone or unmatched. */
  updateGroup(oktaGroupId: string, scope: GroupScope | undefined): void {
    if (!this.#snapshot) return;
    if (scope) this.#snapshot.groupScopes.set(oktaGroupId, scope);
    else this.#snapshot.groupScopes.delete(oktaGroupId);
  }

  /**
   * Permission sets read by a key (learnt or confirmed names), and ARNs found gone. With
   * `tagsReadAt`, the tags of `read` were read from AWS at that time.
   */
  notePermissionSets(
    read: readonly PermissionSet[],
    gone: readonly PermissionSetArn[] = [],
    tagsReadAt?: number,
  ): void {
    const snapshot = this.#snapshot;
    if (!snapshot) return;
    if (tagsReadAt !== undefined) {
      for (const ps of read) this.#tagsReadAt.set(ps.permissionSetArn, tagsReadAt);
    }
    const arns = snapshot.permissionSetArns;
    for (const ps of read) {
      arns.set(ps.name, ps.permissionSetArn);
      snapshot.permissionSets.set(ps.permissionSetArn, ps);
    }
    if (gone.length === 0) return;
    const missing = new Set<string>(gone);
    for (const [name, arn] of arns) if (missing.has(arn)) arns.delete(name);
    for (const arn of gone) snapshot.permissionSets.delete(arn);
  }
}
