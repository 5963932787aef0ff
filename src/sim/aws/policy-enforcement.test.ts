import { describe, expect, it } from 'vitest';
import { evaluateIdentityPolicies } from './policy-enforcement.js';

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
