import type { AccountIam } from '../domain/iam.js';
import type { OktaGroup } from '../domain/okta.js';
import type { OrganizationTree } from '../domain/organizations.js';

/**
 * The default Group Filter of Okta's "AWS Account Federation" app, in Okta's own syntax, for the
 * group-name convention `aws#[account alias]#[role name]#[account #]` (okta.md §8.1).
 */
export const DEFAULT_FEDERATION_GROUP_FILTER = String.raw`^aws\#\S+\#(?{{role}}[\w\-]+)\#(?{{accountid}}\d+)$`;

/**
 * Translates an Okta Group Filter into a JavaScript RegExp: `(?{{name}}` becomes `(?<name>` and
 * `\#` becomes `#`. No `u` flag: Okta's filters are written for a non-Unicode engine, and `\#`
 * would be an invalid escape under `u`. Throws SyntaxError for a filter that is not a regex or
 * does not capture both `role` and `accountid`.
 */
export function compileFederationGroupFilter(filter: string): RegExp {
  const source = filter.replace(/\(\?\{\{(\w+)\}\}/g, '(?<$1>').replace(/\\#/g, '#');
  const regex = new RegExp(source);
  if (!source.includes('(?<role>') || !source.includes('(?<accountid>')) {
    throw new SyntaxError('a federation group filter must capture {{role}} and {{accountid}}');
  }
  return regex;
}

export interface FederationGroupName {
  readonly roleName: string;
  /** As captured; may not be twelve digits (the default filter's `\d+` does not check). */
  readonly accountId: string;
  /** The alias segment of `aws#alias#role#account`, when the name has that shape. */
  readonly alias?: string;
}

/** Parses one group name; undefined when it does not follow the convention. */
export function parseFederationGroupName(
  name: string,
  filter: RegExp = compileFederationGroupFilter(DEFAULT_FEDERATION_GROUP_FILTER),
): FederationGroupName | undefined {
  const match = filter.exec(name);
  const roleName = match?.groups?.role;
  const accountId = match?.groups?.accountid;
  if (!roleName || !accountId) return undefined;
  const suffix = `#${roleName}#${accountId}`;
  const alias =
    name.startsWith('aws#') && name.endsWith(suffix)
      ? name.slice(4, name.length - suffix.length)
      : undefined;
  return { roleName, accountId, ...(alias ? { alias } : {}) };
}

/**
 * - ok: the account exists and has a role of that name trusting a SAML provider;
 * - invalid-account-id: the captured account is not twelve digits;
 * - account-not-found: no such account in the organisation;
 * - account-not-inspected: the account exists but its IAM could not be read, so the role is unknown;
 * - role-not-found: the account has no role of that name;
 * - role-not-federated: the role exists but does not trust a SAML provider.
 */
export const FederationStatuses = [
  'ok',
  'invalid-account-id',
  'account-not-found',
  'account-not-inspected',
  'role-not-found',
  'role-not-federated',
] as const;
export type FederationStatus = (typeof FederationStatuses)[number];

/** An Okta group that maps, by name, onto a federated IAM role in one account. */
export interface FederationMapping {
  readonly oktaGroupId: string;
  readonly oktaGroupName: string;
  readonly alias?: string;
  readonly roleName: string;
  readonly accountId: string;
  readonly status: FederationStatus;
  /** The role's ARN when it exists. */
  readonly roleArn?: string;
  /** The SAML providers the role trusts (status ok). */
  readonly samlProviderArns?: readonly string[];
}

/**
 * Maps every Okta group that follows the convention onto its role, flagging groups whose account
 * or role does not exist. Groups that do not follow the convention are left out.
 */
export function mapFederationGroups(
  groups: readonly OktaGroup[],
  organization: OrganizationTree,
  accounts: readonly AccountIam[],
  filter: RegExp = compileFederationGroupFilter(DEFAULT_FEDERATION_GROUP_FILTER),
): FederationMapping[] {
  const accountIds = new Set<string>(organization.accounts.map((account) => account.id));
  const iamByAccount = new Map<string, AccountIam>(
    accounts.map((account) => [account.accountId, account]),
  );
  const mappings: FederationMapping[] = [];
  for (const group of groups) {
    const parsed = parseFederationGroupName(group.name, filter);
    if (!parsed) continue;
    const base = {
      oktaGroupId: group.id,
      oktaGroupName: group.name,
      ...(parsed.alias ? { alias: parsed.alias } : {}),
      roleName: parsed.roleName,
      accountId: parsed.accountId,
    };
    if (!/^\d{12}$/.test(parsed.accountId)) {
      mappings.push({ ...base, status: 'invalid-account-id' });
      continue;
    }
    if (!accountIds.has(parsed.accountId)) {
      mappings.push({ ...base, status: 'account-not-found' });
      continue;
    }
    const iam = iamByAccount.get(parsed.accountId);
    if (!iam?.inspected) {
      mappings.push({ ...base, status: 'account-not-inspected' });
      continue;
    }
    const role = iam.roles.find((candidate) => candidate.roleName === parsed.roleName);
    if (!role) {
      mappings.push({ ...base, status: 'role-not-found' });
      continue;
    }
    if (role.trust.kind !== 'saml-federation') {
      mappings.push({ ...base, status: 'role-not-federated', roleArn: role.arn });
      continue;
    }
    mappings.push({
      ...base,
      status: 'ok',
      roleArn: role.arn,
      samlProviderArns: role.trust.samlProviderArns,
    });
  }
  return mappings.sort((a, b) => a.oktaGroupName.localeCompare(b.oktaGroupName));
}
