import {
  DescribeOrganizationCommand,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListRoots,
  paginateListTagsForResource,
  type Account as SdkAccount,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AccountId, OrganizationalUnitId, OrganizationId, RootId } from '../../core/domain/ids.js';
import type {
  Account,
  AccountStatus,
  OrganizationalUnit,
  OrganizationTree,
} from '../../core/domain/organizations.js';
import { AccountStatuses } from '../../core/domain/organizations.js';
import type { OrganizationsReader, ReadProgressListener } from '../../ports/aws-readers.js';
import { collectPages, mapConcurrent } from './map-concurrent.js';

export interface OrganizationsReaderOptions {
  readonly organizations: OrganizationsClient;
  /** Parents or accounts worked on at once. Default 8. */
  readonly concurrency?: number;
  /** Page size of the list calls. Default 20, the Organizations maximum. */
  readonly pageSize?: number;
}

/**
 * Reads the organisation by walking the tree from the root: per parent (root or OU) one
 * ListOrganizationalUnitsForParent and one ListAccountsForParent, which yields every account with
 * its parent path without a ListParents call per account. Then one ListTagsForResource per
 * account. Organizations pages hold at most 20 items and may be empty before the end.
 */
export class AwsOrganizationsReader implements OrganizationsReader {
  private readonly client: OrganizationsClient;
  private readonly concurrency: number;
  private readonly pageSize: number;

  constructor(options: OrganizationsReaderOptions) {
    this.client = options.organizations;
    this.concurrency = options.concurrency ?? 8;
    this.pageSize = options.pageSize ?? 20;
  }

  async readOrganization(onProgress?: ReadProgressListener): Promise<OrganizationTree> {
    const [described, roots] = await Promise.all([
      this.client.send(new DescribeOrganizationCommand({})),
      collectPages(paginateListRoots({ client: this.client }, {}), (page) => page.Roots),
    ]);
    const root = roots[0];
    if (!root?.Id || !described.Organization?.Id || !described.Organization.MasterAccountId) {
      throw new Error('Organizations returned no organisation or root');
    }
    const rootId = RootId.parse(root.Id);
    const organizationalUnits: OrganizationalUnit[] = [];
    const placed: { account: SdkAccount; path: (typeof rootId | OrganizationalUnitId)[] }[] = [];

    // Breadth-first, one level at a time, so that each level's parents are read concurrently.
    let level: {
      id: typeof rootId | OrganizationalUnitId;
      path: (typeof rootId | OrganizationalUnitId)[];
    }[] = [{ id: rootId, path: [rootId] }];
    let parentsDone = 0;
    while (level.length > 0) {
      const children = await mapConcurrent(level, this.concurrency, async (parent) => {
        const [units, accounts] = await Promise.all([
          collectPages(
            paginateListOrganizationalUnitsForParent(
              { client: this.client, pageSize: this.pageSize },
              { ParentId: parent.id },
            ),
            (page) => page.OrganizationalUnits,
          ),
          collectPages(
            paginateListAccountsForParent(
              { client: this.client, pageSize: this.pageSize },
              { ParentId: parent.id },
            ),
            (page) => page.Accounts,
          ),
        ]);
        parentsDone += 1;
        onProgress?.({
          unit: 'organisation parents',
          done: parentsDone,
          total: parentsDone + level.length,
        });
        for (const account of accounts) placed.push({ account, path: parent.path });
        return units.map((unit) => {
          const id = OrganizationalUnitId.parse(unit.Id ?? '');
          organizationalUnits.push({ id, name: unit.Name ?? id, parentId: parent.id });
          return { id, path: [...parent.path, id] };
        });
      });
      level = children.flat();
    }

    let tagged = 0;
    const accounts = await mapConcurrent(placed, this.concurrency, async ({ account, path }) => {
      const id = AccountId.parse(account.Id ?? '');
      const tags = await collectPages(
        paginateListTagsForResource({ client: this.client }, { ResourceId: id }),
        (page) => page.Tags,
      );
      tagged += 1;
      onProgress?.({ unit: 'account tags', done: tagged, total: placed.length });
      const tagRecord: Record<string, string> = {};
      for (const tag of tags) if (tag.Key !== undefined) tagRecord[tag.Key] = tag.Value ?? '';
      const result: Account = {
        id,
        name: account.Name ?? id,
        email: account.Email ?? '',
        status: accountStatus(account),
        tags: tagRecord,
        parentPath: path,
      };
      return result;
    });

    return {
      organization: {
        id: OrganizationId.parse(described.Organization.Id),
        managementAccountId: AccountId.parse(described.Organization.MasterAccountId),
        root: { id: rootId, name: root.Name ?? 'Root' },
      },
      organizationalUnits: organizationalUnits.sort((a, b) => a.id.localeCompare(b.id)),
      accounts: accounts.sort((a, b) => a.id.localeCompare(b.id)),
    };
  }
}

/** `Status` is being retired in favour of `State` (which adds PENDING_ACTIVATION); read either. */
function accountStatus(account: SdkAccount): AccountStatus {
  const raw = (account as { State?: string }).State ?? account.Status ?? 'ACTIVE';
  if ((AccountStatuses as readonly string[]).includes(raw)) return raw as AccountStatus;
  // PENDING_ACTIVATION has no place in the domain's status list; such an account is being
  // created and takes assignments once active, so it is treated as active.
  return 'ACTIVE';
}
