import { AwsSimError } from '../aws-sim-error.js';
import type { OrgAccount, OrgUnit } from '../aws-state.js';
import { paginate, str, type OperationHandler, type SimRuntime } from '../sim-runtime.js';

/** Organizations pages hold at most 20 items (model MaxResults 1..20). */
const page20 = { defaultSize: 20, maxSize: 20 } as const;

/** Builds the Organizations handlers (read side). */
export function createOrganizationsService(runtime: SimRuntime): Record<string, OperationHandler> {
  const org = runtime.state.organization;

  const invalidToken = (): AwsSimError =>
    new AwsSimError('InvalidInputException', 'The provided pagination token is invalid.', {
      fields: { Reason: 'INVALID_PAGINATION_TOKEN' },
    });

  /**
   * Pages of at most 20; with `organizationsEmptyPageProbability` a page comes back empty but
   * with a NextToken for the same position, which the model explicitly allows.
   */
  const page = <T>(items: readonly T[], scope: string, input: Record<string, unknown>) => {
    const result = paginate(
      runtime,
      items,
      scope,
      input.NextToken,
      input.MaxResults,
      page20,
      invalidToken,
    );
    if (
      result.page.length > 0 &&
      runtime.random.chance(runtime.settings.behaviour.organizationsEmptyPageProbability)
    ) {
      const token =
        typeof input.NextToken === 'string' && input.NextToken !== ''
          ? input.NextToken
          : runtime.tokens.encode(scope, 0);
      return { page: [] as T[], next: token };
    }
    return result;
  };

  const accountView = (a: OrgAccount): Record<string, unknown> => ({
    Id: a.id,
    Arn: a.arn,
    Email: a.email,
    Name: a.name,
    Status: a.status,
    // Newer SDKs know `State`; `Status` is being retired (ref §4.3).
    State: a.status,
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: a.joinedTimestamp,
  });
  const ouView = (o: OrgUnit): Record<string, unknown> => ({ Id: o.id, Arn: o.arn, Name: o.name });

  const checkParent = (parentId: string): void => {
    if (parentId !== org.rootId && !org.ous.has(parentId))
      throw new AwsSimError(
        'ParentNotFoundException',
        `We can't find a root or OU with the ParentId that you specified.`,
      );
  };

  const tagsOf = (resourceId: string): Map<string, string> => {
    const account = org.accounts.get(resourceId);
    if (account) return account.tags;
    const ou = org.ous.get(resourceId);
    if (ou) return ou.tags;
    throw new AwsSimError(
      'TargetNotFoundException',
      `We can't find a target with the TargetId that you specified.`,
    );
  };

  return {
    DescribeOrganization: () => ({
      Organization: {
        Id: org.id,
        Arn: org.arn,
        FeatureSet: 'ALL',
        MasterAccountArn: `arn:aws:organizations::${org.managementAccountId}:account/${org.id}/${org.managementAccountId}`,
        MasterAccountId: org.managementAccountId,
        MasterAccountEmail: org.managementAccountEmail,
        AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
      },
    }),

    ListRoots: (input) => {
      const roots = [
        {
          Id: org.rootId,
          Arn: org.rootArn,
          Name: 'Root',
          PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
        },
      ];
      const { page: p, next } = page(roots, 'ListRoots', input);
      return { Roots: p, ...(next ? { NextToken: next } : {}) };
    },

    ListOrganizationalUnitsForParent: (input) => {
      const parentId = str(input, 'ParentId');
      checkParent(parentId);
      const items = [...org.ous.values()].filter((o) => o.parentId === parentId).map(ouView);
      const { page: p, next } = page(items, `ListOrganizationalUnitsForParent|${parentId}`, input);
      return { OrganizationalUnits: p, ...(next ? { NextToken: next } : {}) };
    },

    DescribeOrganizationalUnit: (input) => {
      const ou = org.ous.get(str(input, 'OrganizationalUnitId'));
      if (!ou)
        throw new AwsSimError(
          'OrganizationalUnitNotFoundException',
          `We can't find an OU with the OrganizationalUnitId that you specified.`,
        );
      return { OrganizationalUnit: ouView(ou) };
    },

    ListAccountsForParent: (input) => {
      const parentId = str(input, 'ParentId');
      checkParent(parentId);
      const items = [...org.accounts.values()]
        .filter((a) => a.parentId === parentId)
        .map(accountView);
      const { page: p, next } = page(items, `ListAccountsForParent|${parentId}`, input);
      return { Accounts: p, ...(next ? { NextToken: next } : {}) };
    },

    ListAccounts: (input) => {
      const items = [...org.accounts.values()].map(accountView);
      const { page: p, next } = page(items, 'ListAccounts', input);
      return { Accounts: p, ...(next ? { NextToken: next } : {}) };
    },

    DescribeAccount: (input) => {
      const a = org.accounts.get(str(input, 'AccountId'));
      if (!a)
        throw new AwsSimError(
          'AccountNotFoundException',
          `You specified an account that doesn't exist.`,
        );
      return { Account: accountView(a) };
    },

    ListChildren: (input) => {
      const parentId = str(input, 'ParentId');
      checkParent(parentId);
      const type = str(input, 'ChildType');
      const items =
        type === 'ACCOUNT'
          ? [...org.accounts.values()]
              .filter((a) => a.parentId === parentId)
              .map((a) => ({ Id: a.id, Type: 'ACCOUNT' }))
          : [...org.ous.values()]
              .filter((o) => o.parentId === parentId)
              .map((o) => ({ Id: o.id, Type: 'ORGANIZATIONAL_UNIT' }));
      const { page: p, next } = page(items, `ListChildren|${parentId}|${type}`, input);
      return { Children: p, ...(next ? { NextToken: next } : {}) };
    },

    ListParents: (input) => {
      const childId = str(input, 'ChildId');
      const parentId = org.accounts.get(childId)?.parentId ?? org.ous.get(childId)?.parentId;
      if (!parentId)
        throw new AwsSimError(
          'ChildNotFoundException',
          `We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.`,
        );
      const items = [
        { Id: parentId, Type: parentId === org.rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' },
      ];
      const { page: p, next } = page(items, `ListParents|${childId}`, input);
      return { Parents: p, ...(next ? { NextToken: next } : {}) };
    },

    ListTagsForResource: (input) => {
      const id = str(input, 'ResourceId');
      const items = [...tagsOf(id)].map(([Key, Value]) => ({ Key, Value }));
      const { page: p, next } = page(items, `ListTagsForResource|${id}`, input);
      return { Tags: p, ...(next ? { NextToken: next } : {}) };
    },
  };
}
