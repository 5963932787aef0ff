import { describe, expect, it } from 'vitest';
import type { Inventory } from '../inventory/inventory.js';
import { accessReportCsv } from './access-csv.js';
import { buildGraph } from './access-graph.js';
import { describePath, queryAccess } from './access-query.js';

const instanceArn = 'arn:aws:sso:::instance/ssoins-0123456789abcdef';
const ps = 'arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef';
const ghost = '0123456789-00000000-0000-4000-8000-000000000009';
const user = '0123456789-00000000-0000-4000-8000-000000000001';

/** A minimal hand-built inventory: one account, one permission set, two direct assignments. */
const inventory = {
  version: 1,
  source: 'aws',
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1,
  notInspected: [],
  calls: [],
  aws: {
    organization: {
      organization: {
        id: 'o-abcdefghij',
        managementAccountId: '111111111111',
        root: { id: 'r-abcd', name: 'Root' },
      },
      organizationalUnits: [],
      accounts: [
        {
          id: '222222222222',
          name: 'prod',
          email: 'p@example.com',
          status: 'ACTIVE',
          tags: {},
          parentPath: ['r-abcd'],
        },
      ],
    },
    identityCenter: {
      instance: { instanceArn, identityStoreId: 'd-0123456789' },
      users: [{ userId: user, userName: '=cmd|calc', emails: [], externalIds: [] }],
      groups: [],
      memberships: [],
      permissionSets: [
        {
          permissionSetArn: ps,
          name: 'Admin',
          managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
          customerManagedPolicies: [],
          tags: {},
          provisionedTo: [
            { accountId: '222222222222', status: 'LATEST_PERMISSION_SET_PROVISIONED' },
          ],
        },
      ],
      assignments: [
        {
          instanceArn,
          accountId: '222222222222',
          permissionSetArn: ps,
          principalType: 'USER',
          principalId: user,
        },
        // The principal was deleted from the identity store; the assignment remains.
        {
          instanceArn,
          accountId: '222222222222',
          permissionSetArn: ps,
          principalType: 'USER',
          principalId: ghost,
        },
      ],
    },
    accounts: [
      {
        accountId: '222222222222',
        inspected: true,
        aliases: ['acme-prod'],
        roles: [],
        users: [],
        groups: [],
        samlProviders: [],
      },
    ],
  },
} as unknown as Inventory;

describe('queryAccess on a hand-built inventory', () => {
  it('keeps assignments of deleted principals visible, named as deleted', () => {
    const report = queryAccess(inventory, { account: 'ACME-PROD' });
    expect(report.grants.map((g) => describePath(g.path))).toEqual([
      `IdC user (deleted user ${ghost}) → permission set Admin → account prod (222222222222)`,
      'IdC user =cmd|calc → permission set Admin → account prod (222222222222)',
    ]);
  });

  it('filters by permission set name, case-insensitively, and by user id', () => {
    expect(queryAccess(inventory, { permissionSet: 'admin', user: user }).grants).toHaveLength(1);
    expect(queryAccess(inventory, { permissionSet: 'ReadOnly' }).grants).toEqual([]);
    expect(queryAccess(inventory, { group: 'anything' }).grants).toEqual([]);
  });

  it('neutralises spreadsheet formulas in the CSV', () => {
    const csv = accessReportCsv(queryAccess(inventory, { user }));
    const row = csv.split('\r\n')[1] ?? '';
    expect(row.split(',')[3]).toBe("'=cmd|calc");
  });

  it('draws direct assignments as user → permission set → account', () => {
    const graph = buildGraph(queryAccess(inventory, { user }));
    expect(graph.edges.map((e) => `${e.from} -> ${e.to}`)).toEqual([
      `idc-user:${user} -> permission-set:${ps}`,
      `permission-set:${ps} -> account:222222222222`,
    ]);
  });
});
