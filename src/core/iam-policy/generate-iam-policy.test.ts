import { describe, expect, it } from 'vitest';
import { generateIamPolicy, iamActionsFor, type IamPolicyOptions } from './generate-iam-policy.js';
import { IAM_MODE_FEATURES, IamFeatures, IamPolicyModes } from './iam-policy-table.js';

const SCOPE: IamPolicyOptions = {
  instanceArn: 'arn:aws:sso:::instance/ssoins-0123456789abcdef',
  identityStoreId: 'd-1234567890',
  managementAccountId: '999999999999',
  memberRoleName: 'AuditRole',
};

/** Every policy the product ships: each mode, and each feature alone (tests, the template). */
const SHIPPED: { name: string; options: IamPolicyOptions }[] = [
  ...IamPolicyModes.map((mode) => ({ name: `mode ${mode}`, options: { mode } })),
  ...IamFeatures.map((feature) => ({
    name: `feature ${feature}`,
    options: { features: [feature] },
  })),
];

describe.each(SHIPPED)('the $name policy', ({ options }) => {
  const scoped = generateIamPolicy({ ...options, ...SCOPE });
  const unscoped = generateIamPolicy(options);

  it('has no action wildcard and grants exactly its features’ actions', () => {
    const actions = scoped.Statement.flatMap((s) => s.Action);
    expect(actions.filter((a) => a.includes('*') || a.includes('?'))).toEqual([]);
    expect([...actions].sort()).toEqual(
      iamActionsFor(options.features ?? IAM_MODE_FEATURES[options.mode ?? 'full']),
    );
    expect(new Set(actions).size).toBe(actions.length);
  });

  it('scopes every action that supports resource-level permissions', () => {
    for (const statement of scoped.Statement) {
      const resources = ([] as string[]).concat(statement.Resource);
      if (statement.Sid === 'NoResourceLevelPermissions') {
        expect(resources).toEqual(['*']);
        continue;
      }
      expect(resources, statement.Sid).not.toContain('*');
    }
    const bySid = Object.fromEntries(scoped.Statement.map((s) => [s.Sid, s.Resource]));
    if (bySid.IdentityCenterInstance)
      expect(bySid.IdentityCenterInstance).toEqual([
        SCOPE.instanceArn,
        'arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/*',
        'arn:aws:sso:::account/*',
      ]);
    if (bySid.IdentityStore)
      expect(bySid.IdentityStore).toContain(
        'arn:aws:identitystore::999999999999:identitystore/d-1234567890',
      );
    if (bySid.AccountIamEntities)
      expect(bySid.AccountIamEntities).toEqual([
        'arn:aws:iam::999999999999:role/*',
        'arn:aws:iam::999999999999:user/*',
        'arn:aws:iam::999999999999:group/*',
      ]);
    if (bySid.AssumeMemberDiscoveryRole)
      expect(bySid.AssumeMemberDiscoveryRole).toBe('arn:aws:iam::*:role/AuditRole');
  });

  it('without scope options keeps the ARN shapes with wildcards inside them', () => {
    for (const statement of unscoped.Statement) {
      if (statement.Sid === 'NoResourceLevelPermissions') continue;
      for (const resource of ([] as string[]).concat(statement.Resource))
        expect(resource).toMatch(/^arn:aws:(sso|identitystore|iam)::/);
    }
  });

  it('grants on * only what AWS authorizes on * (no resource-level permissions)', () => {
    const onStar = scoped.Statement.find((s) => s.Sid === 'NoResourceLevelPermissions');
    for (const action of onStar?.Action ?? [])
      expect(action).toMatch(
        /^(sso:ListInstances|sts:GetCallerIdentity|organizations:.*|iam:(ListAccountAliases|ListRoles|ListUsers|ListGroups|ListSAMLProviders))$/,
      );
  });
});

describe('omitActions', () => {
  it('leaves out exactly the named action', () => {
    const full = generateIamPolicy({ mode: 'full' }).Statement.flatMap((s) => s.Action);
    const without = generateIamPolicy({ mode: 'full', omitActions: ['sso:TagResource'] });
    expect(without.Statement.flatMap((s) => s.Action).sort()).toEqual(
      full.filter((a) => a !== 'sso:TagResource').sort(),
    );
  });
});
