import { describe, expect, it } from 'vitest';
import { putRole } from './aws-state.js';
import { evaluateIdentityPolicies, requestResources } from './policy-enforcement.js';
import { createInitialState } from './seed-aws-state.js';
import { SeededRandom } from './seeded-random.js';

const policy = (statements: unknown[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('evaluateIdentityPolicies', () => {
  const allowSso = policy([
    {
      Effect: 'Allow',
      Action: ['sso:Describe*', 'sso:CreateAccountAssignment'],
      Resource: ['arn:aws:sso:::instance/ssoins-1', 'arn:aws:sso:::permissionSet/ssoins-1/*'],
    },
  ]);

  it('allows an action matched by a wildcard when every resource matches', () => {
    expect(
      evaluateIdentityPolicies([allowSso], 'sso:DescribePermissionSet', [
        'arn:aws:sso:::instance/ssoins-1',
        'arn:aws:sso:::permissionSet/ssoins-1/ps-1',
      ]),
    ).toBe('allow');
    expect(
      evaluateIdentityPolicies([allowSso], 'SSO:describepermissionset', [
        'arn:aws:sso:::instance/ssoins-1',
      ]),
    ).toBe('allow');
  });

  it('denies implicitly when one resource or the action is not covered', () => {
    expect(
      evaluateIdentityPolicies([allowSso], 'sso:DescribePermissionSet', [
        'arn:aws:sso:::instance/ssoins-1',
        'arn:aws:sso:::permissionSet/ssoins-2/ps-1',
      ]),
    ).toBe('implicit-deny');
    expect(
      evaluateIdentityPolicies([allowSso], 'sso:DeleteAccountAssignment', [
        'arn:aws:sso:::instance/ssoins-1',
      ]),
    ).toBe('implicit-deny');
    expect(evaluateIdentityPolicies([allowSso], 'sso:ListInstances', ['*'])).toBe('implicit-deny');
  });

  it('lets an explicit Deny in another policy win over an Allow', () => {
    const deny = policy([{ Effect: 'Deny', Action: 'sso:Create*', Resource: '*' }]);
    expect(
      evaluateIdentityPolicies([allowSso, deny], 'sso:CreateAccountAssignment', [
        'arn:aws:sso:::instance/ssoins-1',
      ]),
    ).toBe('explicit-deny');
  });

  it('never matches statements with conditions it cannot evaluate', () => {
    const conditional = policy([
      {
        Effect: 'Allow',
        Action: '*',
        Resource: '*',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      },
    ]);
    expect(evaluateIdentityPolicies([conditional], 'sts:GetCallerIdentity', ['*'])).toBe(
      'implicit-deny',
    );
  });
});

describe('requestResources for IAM', () => {
  const random = new SeededRandom(1);
  const state = createInitialState({ managementAccountId: '999999999999' }, random, 'us-east-1');
  putRole(state, random, '999999999999', { name: 'deep', path: '/team/', trustPolicy: '{}' });

  it('authorizes a named role, user or group against its ARN in the caller’s account', () => {
    expect(requestResources(state, 'iam', { RoleName: 'deep' }, '999999999999')).toEqual([
      'arn:aws:iam::999999999999:role/team/deep',
    ]);
    expect(requestResources(state, 'iam', { RoleName: 'absent' }, '999999999999')).toEqual([
      'arn:aws:iam::999999999999:role/absent',
    ]);
    expect(requestResources(state, 'iam', { UserName: 'ci' }, '222222222222')).toEqual([
      'arn:aws:iam::222222222222:user/ci',
    ]);
    expect(requestResources(state, 'iam', { GroupName: 'ops' }, '222222222222')).toEqual([
      'arn:aws:iam::222222222222:group/ops',
    ]);
  });

  it('authorizes list calls without a name against *', () => {
    expect(requestResources(state, 'iam', { PathPrefix: '/' }, '999999999999')).toEqual(['*']);
  });
});
