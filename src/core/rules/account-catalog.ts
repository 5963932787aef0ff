import { AccountId } from '../domain/ids.js';
import type { Account, OrganizationTree } from '../domain/organizations.js';
import type { AccountSelector, SafetySettings } from './compiled-rule.js';
import { substitute, type Captures } from './match-group.js';

/** Why a selected account is left out of rule scope. */
export const AccountExclusionReasons = [
  'suspended',
  'pending-closure',
  'closed',
  'protected',
  'management-account',
  'not-in-organization',
] as const;
export type AccountExclusionReason = (typeof AccountExclusionReasons)[number];

export interface ExcludedAccount {
  readonly accountId: string;
  readonly reason: AccountExclusionReason;
}

/** The accounts a selector yields: the eligible ones, and those it named but may not touch. */
export interface AccountSelection {
  /** Eligible account ids, sorted. */
  readonly accounts: readonly AccountId[];
  readonly excluded: readonly ExcludedAccount[];
  /** Template ids that did not substitute to a twelve-digit id. */
  readonly invalid: readonly { readonly template: string; readonly problem: string }[];
}

/**
 * Resolves account selectors against the organisation tree once per distinct selector:
 * - `ids`: literal ids or `{capture}` templates; an id not in the organisation is excluded;
 * - `ou`: every account under the OU, through nested OUs unless `recursive` is false;
 * - `tags`: accounts carrying every given key with exactly the given value;
 * - `all`: every account in the organisation.
 * Then suspended, closing and closed accounts, protected accounts and (unless
 * `safety.allowManagementAccount`) the management account are excluded and reported, because
 * AWS rejects assignments there or a delegated administrator may not touch them.
 */
export class AccountCatalog {
  private readonly byId = new Map<string, Account>();
  private readonly underOu = new Map<string, Account[]>();
  private readonly directlyUnder = new Map<string, Account[]>();
  private readonly sorted: readonly Account[];
  private readonly protectedIds: ReadonlySet<string>;
  private readonly cache = new Map<string, AccountSelection>();

  constructor(
    private readonly org: OrganizationTree,
    private readonly safety: SafetySettings,
  ) {
    this.sorted = [...org.accounts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const account of this.sorted) {
      this.byId.set(account.id, account);
      for (const parent of account.parentPath) push(this.underOu, parent, account);
      const direct = account.parentPath[account.parentPath.length - 1];
      if (direct !== undefined) push(this.directlyUnder, direct, account);
    }
    this.protectedIds = new Set(safety.protected.accounts);
  }

  /** Why an account may not be touched, or undefined when it is eligible. */
  exclusionOf(accountId: string): AccountExclusionReason | undefined {
    const account = this.byId.get(accountId);
    if (!account) return 'not-in-organization';
    return this.exclusionOfAccount(account);
  }

  /** The account, when it is in the organisation. */
  account(accountId: string): Account | undefined {
    return this.byId.get(accountId);
  }

  /** Resolves one selector with the captures of the group that matched the rule. */
  select(selector: AccountSelector, captures: Captures): AccountSelection {
    const cacheKey = this.cacheKey(selector, captures);
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const invalid: { template: string; problem: string }[] = [];
    let candidates: readonly Account[];
    const missing: string[] = [];
    switch (selector.kind) {
      case 'ids': {
        const found: Account[] = [];
        for (const template of selector.ids) {
          const result = substitute(template, captures);
          if (!result.ok) {
            invalid.push({
              template: template.source,
              problem: `capture "${result.missing}" is empty`,
            });
            continue;
          }
          if (!AccountId.is(result.value)) {
            invalid.push({
              template: template.source,
              problem: `"${result.value}" is not a twelve-digit account id`,
            });
            continue;
          }
          const account = this.byId.get(result.value);
          if (account) found.push(account);
          else missing.push(result.value);
        }
        candidates = found;
        break;
      }
      case 'ou':
        candidates =
          (selector.recursive ? this.underOu : this.directlyUnder).get(selector.ou) ?? [];
        break;
      case 'tags': {
        const wanted = Object.entries(selector.tags);
        candidates = this.sorted.filter((account) =>
          wanted.every(([key, value]) => account.tags[key] === value),
        );
        break;
      }
      case 'all':
        candidates = this.sorted;
        break;
    }
    const accounts = new Set<AccountId>();
    const excluded = new Map<string, AccountExclusionReason>();
    for (const id of missing) excluded.set(id, 'not-in-organization');
    for (const account of candidates) {
      const reason = this.exclusionOfAccount(account);
      if (reason) excluded.set(account.id, reason);
      else accounts.add(account.id);
    }
    const selection: AccountSelection = {
      accounts: [...accounts].sort(),
      excluded: [...excluded]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([accountId, reason]) => ({ accountId, reason })),
      invalid,
    };
    this.cache.set(cacheKey, selection);
    return selection;
  }

  private exclusionOfAccount(account: Account): AccountExclusionReason | undefined {
    if (this.protectedIds.has(account.id)) return 'protected';
    if (account.status === 'SUSPENDED') return 'suspended';
    if (account.status === 'PENDING_CLOSURE') return 'pending-closure';
    if (account.status === 'CLOSED') return 'closed';
    if (
      account.id === this.org.organization.managementAccountId &&
      !this.safety.allowManagementAccount
    ) {
      return 'management-account';
    }
    return undefined;
  }

  private cacheKey(selector: AccountSelector, captures: Captures): string {
    switch (selector.kind) {
      case 'ids': {
        const parts: string[] = [];
        for (const template of selector.ids) {
          const result = substitute(template, captures);
          parts.push(result.ok ? result.value : `{${template.source}}`);
        }
        return `ids:${parts.join(',')}`;
      }
      case 'ou':
        return `ou:${selector.ou}:${String(selector.recursive)}`;
      case 'tags':
        return `tags:${JSON.stringify(Object.entries(selector.tags).sort())}`;
      case 'all':
        return 'all';
    }
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
