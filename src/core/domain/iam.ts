import type { AccountId, PolicyArn, RoleArn, SamlProviderArn } from './ids.js';
import type { Tags } from './organizations.js';

/**
 * IAM inside one member account: the second of AWS's two access systems. Okta users reach these
 * roles through SAML federation (the Okta "AWS Account Federation" app); Identity Center's own
 * roles (AWSReservedSSO_*) also live here.
 */

/** Every account has one root user; discovery records only that it exists and when it was used. */
export interface RootUser {
  readonly kind: 'root';
  readonly accountId: AccountId;
}

export interface AttachedPolicy {
  readonly policyArn: PolicyArn;
  readonly policyName: string;
}

export interface IamUser {
  readonly kind: 'iam-user';
  readonly accountId: AccountId;
  readonly userName: string;
  readonly arn: string;
  readonly groups: readonly string[];
  readonly attachedPolicies: readonly AttachedPolicy[];
}

export interface IamGroup {
  readonly kind: 'iam-group';
  readonly accountId: AccountId;
  readonly groupName: string;
  readonly arn: string;
  readonly attachedPolicies: readonly AttachedPolicy[];
}

/**
 * Who may assume a role, decoded from its (URL-encoded) trust policy.
 * - saml-federation: trusts a SAML provider via sts:AssumeRoleWithSAML (Okta AWS Account Federation).
 * - identity-center: an AWSReservedSSO_* role that Identity Center provisioned for a permission set.
 * - service: trusts an AWS service principal (lambda.amazonaws.com, ...).
 * - other: trusts accounts, roles or anything else.
 */
export type RoleTrust =
  | { readonly kind: 'saml-federation'; readonly samlProviderArns: readonly SamlProviderArn[] }
  | {
      readonly kind: 'identity-center';
      readonly permissionSetName: string;
      readonly samlProviderArns: readonly SamlProviderArn[];
    }
  | { readonly kind: 'service'; readonly services: readonly string[] }
  | { readonly kind: 'other'; readonly principals: readonly string[] };

export interface IamRole {
  readonly kind: 'iam-role';
  readonly accountId: AccountId;
  readonly roleName: string;
  readonly arn: RoleArn;
  readonly path: string;
  readonly trust: RoleTrust;
  /** The trust policy document, decoded from the URL encoding IAM returns. */
  readonly trustPolicy: string;
  readonly attachedPolicies: readonly AttachedPolicy[];
  readonly inlinePolicyNames: readonly string[];
  readonly maxSessionDuration?: number;
  readonly tags: Tags;
}

export interface SamlProvider {
  readonly kind: 'saml-provider';
  readonly accountId: AccountId;
  readonly arn: SamlProviderArn;
  readonly name: string;
  /** True for Identity Center's AWSSSO_<16 hex>_DO_NOT_DELETE provider. */
  readonly managedByIdentityCenter: boolean;
}

/**
 * A principal that exists only as an assumed-role session: for example an Okta user federated into
 * a role. It has no IAM object of its own; it is derived from the role and the SAML provider.
 */
export interface FederatedPrincipal {
  readonly kind: 'federated';
  readonly accountId: AccountId;
  readonly roleArn: RoleArn;
  readonly samlProviderArn: SamlProviderArn;
}

export type IamPrincipal = RootUser | IamUser | IamGroup | IamRole | FederatedPrincipal;

/** IAM as discovered in one account, or why it could not be inspected. */
export type AccountIam =
  | {
      readonly accountId: AccountId;
      readonly inspected: true;
      readonly aliases: readonly string[];
      readonly roles: readonly IamRole[];
      readonly users: readonly IamUser[];
      readonly groups: readonly IamGroup[];
      readonly samlProviders: readonly SamlProvider[];
    }
  | { readonly accountId: AccountId; readonly inspected: false; readonly reason: string };
