import type { AccountId, OrganizationalUnitId, OrganizationId, RootId } from './ids.js';

/** Account status as Organizations reports it (`Status`; `State` in newer API versions). */
export const AccountStatuses = ['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'] as const;
export type AccountStatus = (typeof AccountStatuses)[number];

export type Tags = Readonly<Record<string, string>>;

export interface Organization {
  readonly id: OrganizationId;
  readonly managementAccountId: AccountId;
  readonly root: OrganizationRoot;
}

export interface OrganizationRoot {
  readonly id: RootId;
  readonly name: string;
}

export interface OrganizationalUnit {
  readonly id: OrganizationalUnitId;
  readonly name: string;
  /** The direct parent: the root or another OU. */
  readonly parentId: RootId | OrganizationalUnitId;
}

export interface Account {
  readonly id: AccountId;
  readonly name: string;
  readonly email: string;
  readonly status: AccountStatus;
  readonly tags: Tags;
  /** Ids from the root down to the direct parent, e.g. [r-ab12, ou-ab12-11111111]. */
  readonly parentPath: readonly (RootId | OrganizationalUnitId)[];
}

/** The organisation tree as discovery reads it and the rule compiler resolves selectors on. */
export interface OrganizationTree {
  readonly organization: Organization;
  readonly organizationalUnits: readonly OrganizationalUnit[];
  readonly accounts: readonly Account[];
}
