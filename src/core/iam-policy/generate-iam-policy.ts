import {
  IAM_FEATURE_TABLE,
  IAM_MODE_FEATURES,
  iamActionOf,
  type IamFeature,
  type IamPolicyMode,
  type ResourceScope,
} from './iam-policy-table.js';

/** What to scope the policy to; unknown parts become wildcards inside the ARN shape. */
export interface IamPolicyOptions {
  /** Which features: a mode, or an explicit feature list (tests, the Lambda template). */
  readonly mode?: IamPolicyMode;
  readonly features?: readonly IamFeature[];
  /** `arn:aws:sso:::instance/ssoins-…`; default any instance. */
  readonly instanceArn?: string;
  /** `d-…`; default any identity store. */
  readonly identityStoreId?: string;
  /**
   * The account that holds the identity store (the management account), whose IAM the tool reads
   * directly; default any.
   */
  readonly managementAccountId?: string;
  /** The role discovery assumes in member accounts. Default `OrganizationAccountAccessRole`. */
  readonly memberRoleName?: string;
  /** IAM actions to leave out (the minimality test drops one at a time). */
  readonly omitActions?: readonly string[];
  readonly partition?: string;
}

export interface IamPolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string[];
  readonly Resource: string | string[];
}

export interface IamPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: IamPolicyStatement[];
}

const SIDS: Readonly<Record<ResourceScope, string>> = {
  any: 'NoResourceLevelPermissions',
  instance: 'IdentityCenterInstance',
  'identity-store': 'IdentityStore',
  'member-role': 'AssumeMemberDiscoveryRole',
  'iam-entities': 'AccountIamEntities',
};

/** The resources of a scope, as narrow as the options allow. */
export function resourcesFor(scope: ResourceScope, options: IamPolicyOptions): string | string[] {
  const p = options.partition ?? 'aws';
  switch (scope) {
    case 'any':
      return '*';
    case 'instance': {
      const instanceArn = options.instanceArn ?? `arn:${p}:sso:::instance/*`;
      const instanceId = options.instanceArn
        ? options.instanceArn.slice(options.instanceArn.lastIndexOf('/') + 1)
        : '*';
      return [
        instanceArn,
        `arn:${p}:sso:::permissionSet/${instanceId}/*`,
        `arn:${p}:sso:::account/*`,
      ];
    }
    case 'identity-store':
      return [
        `arn:${p}:identitystore::${options.managementAccountId ?? '*'}:identitystore/${options.identityStoreId ?? '*'}`,
        `arn:${p}:identitystore:::user/*`,
        `arn:${p}:identitystore:::group/*`,
        `arn:${p}:identitystore:::membership/*`,
      ];
    case 'member-role':
      return `arn:${p}:iam::*:role/${options.memberRoleName ?? 'OrganizationAccountAccessRole'}`;
    case 'iam-entities': {
      const account = options.managementAccountId ?? '*';
      return [
        `arn:${p}:iam::${account}:role/*`,
        `arn:${p}:iam::${account}:user/*`,
        `arn:${p}:iam::${account}:group/*`,
      ];
    }
  }
}

/**
 * The least-privilege identity policy for the chosen mode (default `full`) or features: one
 * Allow statement per resource scope, actions sorted and deduplicated, never an action wildcard.
 */
export function generateIamPolicy(options: IamPolicyOptions = {}): IamPolicyDocument {
  const features = options.features ?? IAM_MODE_FEATURES[options.mode ?? 'full'];
  const omit = new Set(options.omitActions ?? []);
  const byScope = new Map<ResourceScope, Set<string>>();
  for (const feature of features) {
    for (const op of IAM_FEATURE_TABLE[feature]) {
      const action = iamActionOf(op);
      if (omit.has(action)) continue;
      const set = byScope.get(op.scope) ?? new Set<string>();
      set.add(action);
      byScope.set(op.scope, set);
    }
  }
  const Statement: IamPolicyStatement[] = [];
  for (const scope of [
    'instance',
    'identity-store',
    'iam-entities',
    'any',
    'member-role',
  ] as const) {
    const actions = byScope.get(scope);
    if (!actions || actions.size === 0) continue;
    Statement.push({
      Sid: SIDS[scope],
      Effect: 'Allow',
      Action: [...actions].sort(),
      Resource: resourcesFor(scope, options),
    });
  }
  return { Version: '2012-10-17', Statement };
}

/** Every IAM action the features need, sorted. */
export function iamActionsFor(features: readonly IamFeature[]): string[] {
  return [
    ...new Set(features.flatMap((f) => IAM_FEATURE_TABLE[f].map((op) => iamActionOf(op)))),
  ].sort();
}
