/**
 * Branded identifiers with validators that follow the official formats (the Smithy models in
 * shared/reference/aws-models and aws-identity-center.md §3; Okta ids from okta.md). A branded
 * value can only be made by its parser, so a raw string never reaches AWS unchecked.
 */

declare const brand: unique symbol;
/** A string known to match the format named by `B`. */
export type Brand<B extends string> = string & { readonly [brand]: B };

/** Thrown by an id parser; `kind` names the identifier, `value` the rejected input. */
export class InvalidIdentifierError extends Error {
  override readonly name = 'InvalidIdentifierError';
  constructor(
    readonly kind: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`invalid ${kind} "${value}": expected ${expected}`);
  }
}

export interface IdFormat<T extends string> {
  readonly kind: string;
  readonly expected: string;
  /** The anchored pattern a value must match (JSON Schema and editors reuse it). */
  readonly pattern: RegExp;
  /** The longest value the format accepts (Infinity when the pattern already bounds it). */
  readonly maxLength: number;
  /** True when the value has this format. */
  is(value: string): value is T;
  /** The value as the branded type; throws InvalidIdentifierError when it does not match. */
  parse(value: string): T;
}

function idFormat<B extends string>(
  kind: B,
  pattern: RegExp,
  expected: string,
  maxLength = Number.POSITIVE_INFINITY,
): IdFormat<Brand<B>> {
  const is = (value: string): value is Brand<B> => value.length <= maxLength && pattern.test(value);
  return {
    kind,
    expected,
    pattern,
    maxLength,
    is,
    parse(value: string): Brand<B> {
      if (!is(value)) throw new InvalidIdentifierError(kind, value, expected);
      return value;
    },
  };
}

const PARTITION = '(?:aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b)';
const PARTITION_NAMES = 'aws, aws-us-gov, aws-cn, aws-iso or aws-iso-b';

// ---- AWS Organizations -------------------------------------------------------------------

export const AccountId = idFormat('AccountId', /^\d{12}$/, 'twelve digits');
export type AccountId = Brand<'AccountId'>;

export const OrganizationId = idFormat(
  'OrganizationId',
  /^o-[a-z0-9]{10,32}$/,
  'o- followed by 10-32 lowercase letters or digits',
);
export type OrganizationId = Brand<'OrganizationId'>;

export const RootId = idFormat(
  'RootId',
  /^r-[0-9a-z]{4,32}$/,
  'r- followed by 4-32 lowercase letters or digits',
);
export type RootId = Brand<'RootId'>;

export const OrganizationalUnitId = idFormat(
  'OrganizationalUnitId',
  /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/,
  'ou-<4-32 chars>-<8-32 chars>, lowercase letters or digits',
);
export type OrganizationalUnitId = Brand<'OrganizationalUnitId'>;

// ---- IAM Identity Center ------------------------------------------------------------------

export const InstanceArn = idFormat(
  'InstanceArn',
  new RegExp(`^arn:${PARTITION}:sso:::instance/(?:sso)?ins-[a-zA-Z0-9-.]{16}$`),
  `arn:<partition>:sso:::instance/ssoins-<16 characters> (partition ${PARTITION_NAMES})`,
  1224,
);
export type InstanceArn = Brand<'InstanceArn'>;

export const PermissionSetArn = idFormat(
  'PermissionSetArn',
  new RegExp(
    `^arn:${PARTITION}:sso:::permissionSet/(?:sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}$`,
  ),
  'arn:<partition>:sso:::permissionSet/ssoins-<16 characters>/ps-<16 characters>',
  1224,
);
export type PermissionSetArn = Brand<'PermissionSetArn'>;

export const IdentityStoreId = idFormat(
  'IdentityStoreId',
  /^d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  'd- followed by 10 lowercase hex digits, or a UUID',
  36,
);
export type IdentityStoreId = Brand<'IdentityStoreId'>;

const PRINCIPAL_ID =
  /^(?:[0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;
const PRINCIPAL_EXPECTED =
  'a UUID, optionally prefixed by the 10 hex digits of the identity store id and "-"';

/** An identity-store user id (a PrincipalId of type USER). */
export const IdcUserId = idFormat('IdcUserId', PRINCIPAL_ID, PRINCIPAL_EXPECTED, 47);
export type IdcUserId = Brand<'IdcUserId'>;

/** An identity-store group id (a PrincipalId of type GROUP). */
export const IdcGroupId = idFormat('IdcGroupId', PRINCIPAL_ID, PRINCIPAL_EXPECTED, 47);
export type IdcGroupId = Brand<'IdcGroupId'>;

export const PermissionSetName = idFormat(
  'PermissionSetName',
  /^[\w+=,.@-]{1,32}$/,
  '1-32 characters from [A-Za-z0-9_+=,.@-]',
);
export type PermissionSetName = Brand<'PermissionSetName'>;

// ---- IAM ------------------------------------------------------------------------------------

export const RoleArn = idFormat(
  'RoleArn',
  new RegExp(`^arn:${PARTITION}:iam::\\d{12}:role/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}$`),
  'arn:<partition>:iam::<12-digit account>:role/<path/>name',
  2048,
);
export type RoleArn = Brand<'RoleArn'>;

export const SamlProviderArn = idFormat(
  'SamlProviderArn',
  new RegExp(`^arn:${PARTITION}:iam::\\d{12}:saml-provider/[\\w._-]{1,128}$`),
  'arn:<partition>:iam::<12-digit account>:saml-provider/<name>',
  2048,
);
export type SamlProviderArn = Brand<'SamlProviderArn'>;

/** An AWS managed policy ARN (arn:aws:iam::aws:policy/...), as sso-admin accepts for attachment. */
export const ManagedPolicyArn = idFormat(
  'ManagedPolicyArn',
  new RegExp(
    `^arn:${PARTITION}:iam::aws:policy((/[A-Za-z0-9\\.,\\+@=_-]+)*)/([A-Za-z0-9\\.,\\+=@_-]+)$`,
  ),
  'arn:aws:iam::aws:policy/<optional path/>name',
  2048,
);
export type ManagedPolicyArn = Brand<'ManagedPolicyArn'>;

/** Any IAM policy ARN, AWS managed or customer managed (as IAM lists them in attachments). */
export const PolicyArn = idFormat(
  'PolicyArn',
  new RegExp(`^arn:${PARTITION}:iam::(?:aws|\\d{12}):policy(?:/[\\w+=,.@-]+)*/[\\w+=,.@-]+$`),
  'arn:<partition>:iam::<aws|account>:policy/<path/>name',
  2048,
);
export type PolicyArn = Brand<'PolicyArn'>;

// ---- Okta -----------------------------------------------------------------------------------

/** Okta object ids are 20 characters; users start 00u, groups 00g (okta.md §4). */
export const OktaUserId = idFormat(
  'OktaUserId',
  /^[0-9A-Za-z]{20}$/,
  'a 20-character Okta user id such as 00u1abcdEFGH2ijkl3m4',
);
export type OktaUserId = Brand<'OktaUserId'>;

export const OktaGroupId = idFormat(
  'OktaGroupId',
  /^[0-9A-Za-z]{20}$/,
  'a 20-character Okta group id such as 00g1abcdEFGH2ijkl3m4',
);
export type OktaGroupId = Brand<'OktaGroupId'>;

/** The 16 hex digits that end an AWSReservedSSO role name or an AWSSSO SAML provider name. */
export const RESERVED_SSO_ROLE_PATTERN = /^AWSReservedSSO_([\w+=,.@-]{1,32})_([0-9a-f]{16})$/;
