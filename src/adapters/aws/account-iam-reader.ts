import {
  GetRoleCommand,
  ListSAMLProvidersCommand,
  paginateListAccountAliases,
  paginateListAttachedGroupPolicies,
  paginateListAttachedRolePolicies,
  paginateListAttachedUserPolicies,
  paginateListGroups,
  paginateListGroupsForUser,
  paginateListRolePolicies,
  paginateListRoles,
  paginateListUsers,
  type AttachedPolicy as SdkAttachedPolicy,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type {
  AccountIam,
  AttachedPolicy,
  IamGroup,
  IamRole,
  IamUser,
  SamlProvider,
} from '../../core/domain/iam.js';
import type { AccountId } from '../../core/domain/ids.js';
import { PolicyArn, RoleArn, SamlProviderArn } from '../../core/domain/ids.js';
import { classifyRoleTrust, decodePolicyDocument } from '../../core/inventory/role-trust.js';
import type { AccountIamReader } from '../../ports/aws-readers.js';
import { awsErrorName } from './aws-error-kind.js';
import { collectPages, mapConcurrent } from './map-concurrent.js';

export interface AccountIamReaderOptions {
  /** IAM of the management account (the caller's own credentials). */
  readonly managementIam: IAMClient;
  /** IAM of a member account, through AssumeRole into `memberRoleName`. */
  readonly iamForAccount: (accountId: AccountId, roleName: string) => IAMClient;
  /** Default OrganizationAccountAccessRole, which Organizations creates in every member account. */
  readonly memberRoleName?: string;
  /** Roles or users worked on at once. Default 8. */
  readonly concurrency?: number;
  /** MaxItems of the list calls. Default 1000, the IAM maximum. */
  readonly pageSize?: number;
}

/** SAML provider names Identity Center creates: AWSSSO_<16 hex>_DO_NOT_DELETE. */
const IDC_SAML_PROVIDER = /^AWSSSO_[0-9a-f]{16}_DO_NOT_DELETE$/;

/**
 * Reads IAM in one account. Per role: ListAttachedRolePolicies, ListRolePolicies and GetRole (ListRoles
 * omits tags). Trust policies arrive URL-encoded and are decoded here. When the role
 * cannot be assumed, or any of these calls is denied, the account is reported as not inspected.
 */
export class AwsAccountIamReader implements AccountIamReader {
  private readonly options: AccountIamReaderOptions;
  private readonly concurrency: number;
  private readonly roleName: string;
  private readonly pageSize: number;

  constructor(options: AccountIamReaderOptions) {
    this.pageSize = options.pageSize ?? 1000;
    this.options = options;
    this.concurrency = options.concurrency ?? 8;
    this.roleName = options.memberRoleName ?? 'OrganizationAccountAccessRole';
  }

  async readAccount(
    accountId: AccountId,
    options: { readonly isManagement: boolean },
  ): Promise<AccountIam> {
    const iam = options.isManagement
      ? this.options.managementIam
      : this.options.iamForAccount(accountId, this.roleName);
    try {
      // The first call doubles as the access check: AssumeRole happens lazily inside it.
      const aliases = await collectPages(
        paginateListAccountAliases({ client: iam, pageSize: this.pageSize }, {}),
        (page) => page.AccountAliases,
      );
      const [roles, users, groups, samlProviders] = await Promise.all([
        this.readRoles(iam, accountId),
        this.readUsers(iam, accountId),
        this.readGroups(iam, accountId),
        this.readSamlProviders(iam, accountId),
      ]);
      return { accountId, inspected: true, aliases, roles, users, groups, samlProviders };
    } catch (error) {
      // A denial after the first call (a role allowed some IAM reads, not all) counts as no
      // access: the account is reported as not inspected and the run goes on.
      if (!isAccessProblem(error)) throw error;
      const how = options.isManagement ? 'the management credentials' : `role ${this.roleName}`;
      return {
        accountId,
        inspected: false,
        reason: `cannot read IAM through ${how}: ${awsErrorName(error)}: ${firstLine(error)}`,
      };
    }
  }

  private async readRoles(iam: IAMClient, accountId: AccountId): Promise<IamRole[]> {
    const raw = await collectPages(
      paginateListRoles({ client: iam, pageSize: this.pageSize }, {}),
      (page) => page.Roles,
    );
    const roles = await mapConcurrent(raw, this.concurrency, async (role) => {
      const roleName = role.RoleName ?? '';
      const [attached, inline, tags] = await Promise.all([
        collectPages(
          paginateListAttachedRolePolicies(
            { client: iam, pageSize: this.pageSize },
            { RoleName: roleName },
          ),
          (page) => page.AttachedPolicies,
        ),
        collectPages(
          paginateListRolePolicies(
            { client: iam, pageSize: this.pageSize },
            { RoleName: roleName },
          ),
          (page) => page.PolicyNames,
        ),
        iam
          .send(new GetRoleCommand({ RoleName: roleName }))
          .then((output) => output.Role?.Tags ?? []),
      ]);
      let trustPolicy: string;
      try {
        trustPolicy = role.AssumeRolePolicyDocument
          ? decodePolicyDocument(role.AssumeRolePolicyDocument)
          : '{}';
      } catch {
        // An undecodable document is kept verbatim; classification then yields "other".
        trustPolicy = role.AssumeRolePolicyDocument ?? '{}';
      }
      const tagRecord: Record<string, string> = {};
      for (const tag of tags) if (tag.Key !== undefined) tagRecord[tag.Key] = tag.Value ?? '';
      const result: IamRole = {
        kind: 'iam-role',
        accountId,
        roleName,
        arn: RoleArn.parse(role.Arn ?? ''),
        path: role.Path ?? '/',
        trust: classifyRoleTrust(roleName, trustPolicy),
        trustPolicy,
        attachedPolicies: toAttached(attached),
        inlinePolicyNames: [...inline].sort(),
        ...(role.MaxSessionDuration !== undefined
          ? { maxSessionDuration: role.MaxSessionDuration }
          : {}),
        tags: tagRecord,
      };
      return result;
    });
    return roles.sort((a, b) => a.roleName.localeCompare(b.roleName));
  }

  private async readUsers(iam: IAMClient, accountId: AccountId): Promise<IamUser[]> {
    const raw = await collectPages(
      paginateListUsers({ client: iam, pageSize: this.pageSize }, {}),
      (page) => page.Users,
    );
    const users = await mapConcurrent(raw, this.concurrency, async (user) => {
      const userName = user.UserName ?? '';
      const [groups, attached] = await Promise.all([
        collectPages(
          paginateListGroupsForUser(
            { client: iam, pageSize: this.pageSize },
            { UserName: userName },
          ),
          (page) => page.Groups,
        ),
        collectPages(
          paginateListAttachedUserPolicies(
            { client: iam, pageSize: this.pageSize },
            { UserName: userName },
          ),
          (page) => page.AttachedPolicies,
        ),
      ]);
      const result: IamUser = {
        kind: 'iam-user',
        accountId,
        userName,
        arn: user.Arn ?? '',
        groups: groups.map((group) => group.GroupName ?? '').sort(),
        attachedPolicies: toAttached(attached),
      };
      return result;
    });
    return users.sort((a, b) => a.userName.localeCompare(b.userName));
  }

  private async readGroups(iam: IAMClient, accountId: AccountId): Promise<IamGroup[]> {
    const raw = await collectPages(
      paginateListGroups({ client: iam, pageSize: this.pageSize }, {}),
      (page) => page.Groups,
    );
    const groups = await mapConcurrent(raw, this.concurrency, async (group) => {
      const groupName = group.GroupName ?? '';
      const attached = await collectPages(
        paginateListAttachedGroupPolicies(
          { client: iam, pageSize: this.pageSize },
          { GroupName: groupName },
        ),
        (page) => page.AttachedPolicies,
      );
      const result: IamGroup = {
        kind: 'iam-group',
        accountId,
        groupName,
        arn: group.Arn ?? '',
        attachedPolicies: toAttached(attached),
      };
      return result;
    });
    return groups.sort((a, b) => a.groupName.localeCompare(b.groupName));
  }

  private async readSamlProviders(iam: IAMClient, accountId: AccountId): Promise<SamlProvider[]> {
    const output = await iam.send(new ListSAMLProvidersCommand({}));
    return (output.SAMLProviderList ?? [])
      .flatMap((provider): SamlProvider[] => {
        if (!provider.Arn || !SamlProviderArn.is(provider.Arn)) return [];
        const name = provider.Arn.slice(provider.Arn.indexOf(':saml-provider/') + 15);
        return [
          {
            kind: 'saml-provider',
            accountId,
            arn: provider.Arn,
            name,
            managedByIdentityCenter: IDC_SAML_PROVIDER.test(name),
          },
        ];
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}

function toAttached(policies: readonly SdkAttachedPolicy[]): AttachedPolicy[] {
  return policies
    .flatMap((policy) =>
      policy.PolicyArn && PolicyArn.is(policy.PolicyArn)
        ? [{ policyArn: policy.PolicyArn, policyName: policy.PolicyName ?? '' }]
        : [],
    )
    .sort((a, b) => a.policyArn.localeCompare(b.policyArn));
}

/** Errors that mean "we may not look here", as opposed to AWS being broken. */
function isAccessProblem(error: unknown): boolean {
  const name = awsErrorName(error);
  return [
    'AccessDenied',
    'AccessDeniedException',
    'AccessDeniedError',
    'UnauthorizedOperation',
    'InvalidClientTokenId',
    'ExpiredToken',
    'ExpiredTokenException',
    'RegionDisabledException',
    'NoSuchEntity',
    'NoSuchEntityException',
  ].includes(name);
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
