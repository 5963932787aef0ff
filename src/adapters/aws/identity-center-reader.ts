import {
  DescribeGroupCommand,
  DescribeUserCommand,
  GetGroupIdCommand,
  GetUserIdCommand,
  paginateListGroupMemberships,
  paginateListGroups,
  paginateListUsers,
  type AlternateIdentifier,
  type Group,
  type IdentitystoreClient,
  type User,
} from '@aws-sdk/client-identitystore';
import {
  DescribePermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  paginateListAccountAssignments,
  paginateListAccountAssignmentsForPrincipal,
  paginateListAccountsForProvisionedPermissionSet,
  paginateListCustomerManagedPolicyReferencesInPermissionSet,
  paginateListInstances,
  paginateListManagedPoliciesInPermissionSet,
  paginateListPermissionSets,
  paginateListTagsForResource,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import type {
  AccountAssignment,
  ExternalId,
  IdcGroup,
  IdcGroupMembership,
  IdcInstance,
  IdcPrincipal,
  IdcUser,
  PermissionSet,
  PermissionsBoundary,
  ProvisioningStatus,
} from '../../core/domain/identity-center.js';
import {
  AccountId,
  IdcGroupId,
  IdcUserId,
  IdentityStoreId,
  InstanceArn,
  ManagedPolicyArn,
  PermissionSetArn,
} from '../../core/domain/ids.js';
import type { Tags } from '../../core/domain/organizations.js';
import { UsageError } from '../../core/errors.js';
import type {
  IdentityCenterReader,
  IdentityStoreContents,
  PrincipalLookup,
  ReadProgressListener,
} from '../../ports/aws-readers.js';
import { collectPages, mapConcurrent } from './map-concurrent.js';

export interface IdentityCenterReaderOptions {
  readonly ssoAdmin: SSOAdminClient;
  readonly identityStore: IdentitystoreClient;
  /** Items worked on at once; the rate limiter bounds requests regardless. Default 16. */
  readonly concurrency?: number;
  /** Page size for every list call. Default 100 (the maximum), i.e. fewest calls. */
  readonly pageSize?: number;
}

/**
 * Reads Identity Center through sso-admin and identitystore. Assignments are enumerated
 * provisioned-pair by provisioned-pair, never account × permission set (see
 * docs/discovery-call-model.md for the resulting call counts).
 */
export class AwsIdentityCenterReader implements IdentityCenterReader {
  private readonly sso: SSOAdminClient;
  private readonly ids: IdentitystoreClient;
  private readonly concurrency: number;
  private readonly pageSize: number;

  constructor(options: IdentityCenterReaderOptions) {
    this.sso = options.ssoAdmin;
    this.ids = options.identityStore;
    this.concurrency = options.concurrency ?? 16;
    this.pageSize = options.pageSize ?? 100;
  }

  async readInstance(instanceArn?: InstanceArn): Promise<IdcInstance> {
    const instances = await collectPages(
      paginateListInstances({ client: this.sso, pageSize: 10 }, {}),
      (page) => page.Instances,
    );
    const candidates = instanceArn
      ? instances.filter((instance) => instance.InstanceArn === instanceArn)
      : instances;
    if (candidates.length === 0) {
      throw new UsageError(
        instanceArn
          ? `Identity Center instance ${instanceArn} not found`
          : 'no Identity Center instance found in this account',
      );
    }
    if (candidates.length > 1) {
      throw new UsageError(
        `${candidates.length} Identity Center instances found; set aws.instanceArn to one of ${candidates
          .map((instance) => instance.InstanceArn)
          .join(', ')}`,
      );
    }
    const [instance] = candidates;
    return {
      instanceArn: InstanceArn.parse(instance?.InstanceArn ?? ''),
      identityStoreId: IdentityStoreId.parse(instance?.IdentityStoreId ?? ''),
      ...(instance?.Status ? { status: instance.Status } : {}),
      ...(instance?.Name ? { name: instance.Name } : {}),
    };
  }

  async readIdentityStore(
    instance: IdcInstance,
    onProgress?: ReadProgressListener,
  ): Promise<IdentityStoreContents> {
    const store = { IdentityStoreId: instance.identityStoreId };
    const paging = { client: this.ids, pageSize: this.pageSize };
    const [rawUsers, rawGroups] = await Promise.all([
      collectPages(paginateListUsers(paging, { ...store }), (page) => page.Users),
      collectPages(paginateListGroups(paging, { ...store }), (page) => page.Groups),
    ]);
    const users = rawUsers.map(toIdcUser).sort((a, b) => a.userId.localeCompare(b.userId));
    const groups = rawGroups.map(toIdcGroup).sort((a, b) => a.groupId.localeCompare(b.groupId));
    let done = 0;
    onProgress?.({ unit: 'group memberships', done, total: groups.length });
    const perGroup = await mapConcurrent(groups, this.concurrency, async (group) => {
      const memberships = await collectPages(
        paginateListGroupMemberships(paging, { ...store, GroupId: group.groupId }),
        (page) => page.GroupMemberships,
      );
      done += 1;
      onProgress?.({ unit: 'group memberships', done, total: groups.length });
      return memberships.flatMap((membership): IdcGroupMembership[] => {
        const userId = membership.MemberId?.UserId;
        if (!userId) return [];
        return [
          {
            groupId: group.groupId,
            userId: IdcUserId.parse(userId),
            ...(membership.MembershipId ? { membershipId: membership.MembershipId } : {}),
          },
        ];
      });
    });
    const memberships = perGroup
      .flat()
      .sort((a, b) => a.groupId.localeCompare(b.groupId) || a.userId.localeCompare(b.userId));
    return { users, groups, memberships };
  }

  async readPermissionSets(
    instance: IdcInstance,
    onProgress?: ReadProgressListener,
  ): Promise<readonly PermissionSet[]> {
    const arns = await collectPages(
      paginateListPermissionSets(
        { client: this.sso, pageSize: this.pageSize },
        { InstanceArn: instance.instanceArn },
      ),
      (page) => page.PermissionSets,
    );
    let done = 0;
    onProgress?.({ unit: 'permission sets', done, total: arns.length });
    const permissionSets = await mapConcurrent(arns, this.concurrency, async (arn) => {
      const permissionSet = await this.readPermissionSet(
        instance.instanceArn,
        PermissionSetArn.parse(arn),
      );
      done += 1;
      onProgress?.({ unit: 'permission sets', done, total: arns.length });
      return permissionSet;
    });
    return permissionSets.sort((a, b) => a.name.localeCompare(b.name));
  }

  async readAssignments(
    instance: IdcInstance,
    permissionSets: readonly PermissionSet[],
    onProgress?: ReadProgressListener,
  ): Promise<readonly AccountAssignment[]> {
    const pairs = permissionSets.flatMap((permissionSet) =>
      permissionSet.provisionedTo.map((target) => ({
        accountId: target.accountId,
        permissionSetArn: permissionSet.permissionSetArn,
      })),
    );
    let done = 0;
    onProgress?.({ unit: 'provisioned pairs', done, total: pairs.length });
    const perPair = await mapConcurrent(pairs, this.concurrency, async (pair) => {
      const assignments = await collectPages(
        paginateListAccountAssignments(
          { client: this.sso, pageSize: this.pageSize },
          {
            InstanceArn: instance.instanceArn,
            AccountId: pair.accountId,
            PermissionSetArn: pair.permissionSetArn,
          },
        ),
        (page) => page.AccountAssignments,
      );
      done += 1;
      onProgress?.({ unit: 'provisioned pairs', done, total: pairs.length });
      return assignments.map((assignment) => toAssignment(instance.instanceArn, assignment));
    });
    return sortAssignments(perPair.flat());
  }

  async readAssignmentsForPrincipals(
    instance: IdcInstance,
    principals: readonly IdcPrincipal[],
    onProgress?: ReadProgressListener,
  ): Promise<readonly AccountAssignment[]> {
    let done = 0;
    onProgress?.({ unit: 'principals', done, total: principals.length });
    const perPrincipal = await mapConcurrent(principals, this.concurrency, async (principal) => {
      const assignments = await collectPages(
        paginateListAccountAssignmentsForPrincipal(
          { client: this.sso, pageSize: this.pageSize },
          {
            InstanceArn: instance.instanceArn,
            PrincipalType: principal.principalType,
            PrincipalId: principal.principalId,
          },
        ),
        (page) => page.AccountAssignments,
      );
      done += 1;
      onProgress?.({ unit: 'principals', done, total: principals.length });
      return assignments.map((assignment) => toAssignment(instance.instanceArn, assignment));
    });
    return sortAssignments(perPrincipal.flat());
  }

  /**
   * Seven reads per permission set (describe, managed, customer-managed, inline, boundary, tags,
   * provisioned accounts) plus, when it is provisioned anywhere, one for the accounts not on the
   * latest version, which is how provisioning status is learnt without a call per account.
   */
  private async readPermissionSet(
    instanceArn: InstanceArn,
    permissionSetArn: PermissionSetArn,
  ): Promise<PermissionSet> {
    // Every call gets its own copy: SDK paginators write NextToken into the input object, so a
    // shared object would hand one listing's token to another.
    const input = { InstanceArn: instanceArn, PermissionSetArn: permissionSetArn };
    const paging = { client: this.sso, pageSize: this.pageSize };
    const [described, managed, customerManaged, inline, boundary, tags, [provisioned, outdated]] =
      await Promise.all([
        this.sso.send(new DescribePermissionSetCommand(input)),
        collectPages(
          paginateListManagedPoliciesInPermissionSet(paging, { ...input }),
          (page) => page.AttachedManagedPolicies,
        ),
        collectPages(
          paginateListCustomerManagedPolicyReferencesInPermissionSet(paging, { ...input }),
          (page) => page.CustomerManagedPolicyReferences,
        ),
        this.sso.send(new GetInlinePolicyForPermissionSetCommand(input)),
        this.readBoundary(input),
        collectPages(
          paginateListTagsForResource(
            { client: this.sso },
            { InstanceArn: instanceArn, ResourceArn: permissionSetArn },
          ),
          (page) => page.Tags,
        ),
        this.readProvisionedAccounts(input, paging),
      ]);
    const details = described.PermissionSet;
    const outdatedSet = new Set(outdated);
    const tagRecord: Record<string, string> = {};
    for (const tag of tags) if (tag.Key !== undefined) tagRecord[tag.Key] = tag.Value ?? '';
    return {
      permissionSetArn,
      name: details?.Name ?? permissionSetArn,
      ...(details?.Description ? { description: details.Description } : {}),
      ...(details?.SessionDuration ? { sessionDuration: details.SessionDuration } : {}),
      ...(details?.RelayState ? { relayState: details.RelayState } : {}),
      ...(details?.CreatedDate ? { createdDate: details.CreatedDate.toISOString() } : {}),
      managedPolicies: managed
        .map((policy) => ManagedPolicyArn.parse(policy.Arn ?? ''))
        .sort((a, b) => a.localeCompare(b)),
      customerManagedPolicies: customerManaged
        .map((reference) => ({ name: reference.Name ?? '', path: reference.Path ?? '/' }))
        .sort((a, b) => a.path.localeCompare(b.path) || a.name.localeCompare(b.name)),
      ...(inline.InlinePolicy ? { inlinePolicy: inline.InlinePolicy } : {}),
      ...(boundary ? { permissionsBoundary: boundary } : {}),
      tags: tagRecord,
      provisionedTo: [...new Set(provisioned)].sort().map((accountId) => ({
        accountId: AccountId.parse(accountId),
        status: (outdatedSet.has(accountId)
          ? 'LATEST_PERMISSION_SET_NOT_PROVISIONED'
          : 'LATEST_PERMISSION_SET_PROVISIONED') satisfies ProvisioningStatus,
      })),
    };
  }

  /**
   * The accounts a permission set is provisioned to, and those of them not on its latest version.
   * The second listing is asked only when the first is not empty: a permission set provisioned
   * nowhere has no outdated account, so that call would be provably wasted.
   */
  private async readProvisionedAccounts(
    input: { InstanceArn: string; PermissionSetArn: string },
    paging: { client: SSOAdminClient; pageSize: number },
  ): Promise<readonly [provisioned: string[], outdated: string[]]> {
    const provisioned = await collectPages(
      paginateListAccountsForProvisionedPermissionSet(paging, { ...input }),
      (page) => page.AccountIds,
    );
    if (provisioned.length === 0) return [provisioned, []];
    const outdated = await collectPages(
      paginateListAccountsForProvisionedPermissionSet(paging, {
        ...input,
        ProvisioningStatus: 'LATEST_PERMISSION_SET_NOT_PROVISIONED',
      }),
      (page) => page.AccountIds,
    );
    return [provisioned, outdated];
  }

  /** AWS answers ResourceNotFoundException when a permission set has no boundary. */
  private async readBoundary(input: {
    InstanceArn: string;
    PermissionSetArn: string;
  }): Promise<PermissionsBoundary | undefined> {
    try {
      const output = await this.sso.send(new GetPermissionsBoundaryForPermissionSetCommand(input));
      const boundary = output.PermissionsBoundary;
      if (boundary?.ManagedPolicyArn) {
        return {
          kind: 'managed',
          managedPolicyArn: ManagedPolicyArn.parse(boundary.ManagedPolicyArn),
        };
      }
      if (boundary?.CustomerManagedPolicyReference?.Name) {
        return {
          kind: 'customer-managed',
          reference: {
            name: boundary.CustomerManagedPolicyReference.Name,
            path: boundary.CustomerManagedPolicyReference.Path ?? '/',
          },
        };
      }
      return undefined;
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  async findUser(instance: IdcInstance, by: PrincipalLookup): Promise<IdcUser | undefined> {
    const IdentityStoreId = instance.identityStoreId;
    try {
      const { UserId } = await this.ids.send(
        new GetUserIdCommand({
          IdentityStoreId,
          AlternateIdentifier: alternateIdentifier(by, 'userName'),
        }),
      );
      if (!UserId) return undefined;
      const user = await this.ids.send(new DescribeUserCommand({ IdentityStoreId, UserId }));
      return toIdcUser(user);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async findGroup(instance: IdcInstance, by: PrincipalLookup): Promise<IdcGroup | undefined> {
    const IdentityStoreId = instance.identityStoreId;
    try {
      const { GroupId } = await this.ids.send(
        new GetGroupIdCommand({
          IdentityStoreId,
          AlternateIdentifier: alternateIdentifier(by, 'displayName'),
        }),
      );
      if (!GroupId) return undefined;
      const group = await this.ids.send(new DescribeGroupCommand({ IdentityStoreId, GroupId }));
      return toIdcGroup(group);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async listPermissionSetArns(instance: IdcInstance): Promise<readonly PermissionSetArn[]> {
    const arns = await collectPages(
      paginateListPermissionSets(
        { client: this.sso, pageSize: this.pageSize },
        { InstanceArn: instance.instanceArn },
      ),
      (page) => page.PermissionSets,
    );
    return arns.map((arn) => PermissionSetArn.parse(arn));
  }

  async readPermissionSetByArn(
    instance: IdcInstance,
    permissionSetArn: PermissionSetArn,
  ): Promise<PermissionSet | undefined> {
    try {
      return await this.readPermissionSet(instance.instanceArn, permissionSetArn);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async readPermissionSetTags(
    instance: IdcInstance,
    permissionSetArn: PermissionSetArn,
  ): Promise<Tags | undefined> {
    try {
      const tags = await collectPages(
        paginateListTagsForResource(
          { client: this.sso },
          { InstanceArn: instance.instanceArn, ResourceArn: permissionSetArn },
        ),
        (page) => page.Tags,
      );
      const record: Record<string, string> = {};
      for (const tag of tags) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
      return record;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFoundException';
}

function alternateIdentifier(
  by: PrincipalLookup,
  nameAttribute: 'userName' | 'displayName',
): AlternateIdentifier {
  return by.kind === 'external-id'
    ? { ExternalId: { Issuer: by.issuer, Id: by.id } }
    : { UniqueAttribute: { AttributePath: nameAttribute, AttributeValue: by.name } };
}

function toExternalIds(
  externalIds: readonly { Issuer?: string; Id?: string }[] | undefined,
): ExternalId[] {
  return (externalIds ?? []).flatMap((externalId) =>
    externalId.Issuer !== undefined && externalId.Id !== undefined
      ? [{ issuer: externalId.Issuer, id: externalId.Id }]
      : [],
  );
}

function toIdcUser(user: User): IdcUser {
  return {
    userId: IdcUserId.parse(user.UserId ?? ''),
    userName: user.UserName ?? '',
    ...(user.DisplayName ? { displayName: user.DisplayName } : {}),
    emails: (user.Emails ?? []).flatMap((email) => (email.Value ? [email.Value] : [])),
    externalIds: toExternalIds(user.ExternalIds),
  };
}

function toIdcGroup(group: Group): IdcGroup {
  return {
    groupId: IdcGroupId.parse(group.GroupId ?? ''),
    displayName: group.DisplayName ?? '',
    ...(group.Description ? { description: group.Description } : {}),
    externalIds: toExternalIds(group.ExternalIds),
  };
}

function toAssignment(
  instanceArn: InstanceArn,
  assignment: {
    AccountId?: string;
    PermissionSetArn?: string;
    PrincipalType?: string;
    PrincipalId?: string;
  },
): AccountAssignment {
  const principalType = assignment.PrincipalType === 'GROUP' ? 'GROUP' : 'USER';
  return {
    instanceArn,
    accountId: AccountId.parse(assignment.AccountId ?? ''),
    permissionSetArn: PermissionSetArn.parse(assignment.PermissionSetArn ?? ''),
    principalType,
    principalId:
      principalType === 'GROUP'
        ? IdcGroupId.parse(assignment.PrincipalId ?? '')
        : IdcUserId.parse(assignment.PrincipalId ?? ''),
  };
}

function sortAssignments(assignments: AccountAssignment[]): AccountAssignment[] {
  const key = (a: AccountAssignment): string =>
    `${a.accountId}|${a.permissionSetArn}|${a.principalType}|${a.principalId}`;
  const unique = new Map(assignments.map((assignment) => [key(assignment), assignment]));
  return [...unique.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, assignment]) => assignment);
}
