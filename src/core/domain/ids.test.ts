import { describe, expect, it } from 'vitest';
import {
  AccountId,
  IdcGroupId,
  IdcUserId,
  IdentityStoreId,
  InstanceArn,
  InvalidIdentifierError,
  ManagedPolicyArn,
  OktaGroupId,
  OktaUserId,
  OrganizationalUnitId,
  OrganizationId,
  PermissionSetArn,
  PermissionSetName,
  PolicyArn,
  RESERVED_SSO_ROLE_PATTERN,
  RoleArn,
  RootId,
  SamlProviderArn,
  type IdFormat,
} from './ids.js';

const UUID = 'a1b2c3d4-1234-5678-9abc-def012345678';

/** Valid and invalid samples for every id format (aws-identity-center.md §3, okta.md). */
const SAMPLES: { format: IdFormat<string>; valid: string[]; invalid: string[] }[] = [
  {
    format: AccountId,
    valid: ['123456789012', '000000000000'],
    invalid: ['12345678901', '1234567890123', '12345678901a', ' 123456789012', ''],
  },
  {
    format: OrganizationId,
    valid: ['o-abcdefghij', `o-${'a1'.repeat(16)}`],
    invalid: ['o-abc', 'o-ABCDEFGHIJ', `o-${'a'.repeat(33)}`, 'abcdefghij'],
  },
  {
    format: RootId,
    valid: ['r-ab12', `r-${'z'.repeat(32)}`],
    invalid: ['r-ab1', 'r-AB12', 'ab12', `r-${'z'.repeat(33)}`],
  },
  {
    format: OrganizationalUnitId,
    valid: ['ou-ab12-34567890', `ou-${'a'.repeat(32)}-${'9'.repeat(32)}`],
    invalid: ['ou-ab1-34567890', 'ou-ab12-3456789', 'ou-AB12-34567890', 'ou-ab12_34567890'],
  },
  {
    format: InstanceArn,
    valid: [
      'arn:aws:sso:::instance/ssoins-7223a4b5c6d7e8f9',
      'arn:aws-us-gov:sso:::instance/ins-7223a4b5c6d7e8f9',
      'arn:aws-cn:sso:::instance/ssoins-7223-4b5c.d7e8f9',
    ],
    invalid: [
      'arn:aws:sso:::instance/ssoins-7223a4b5c6d7e8f',
      'arn:aws:sso:::instance/ssoins-7223a4b5c6d7e8f9a',
      'arn:aws-xx:sso:::instance/ssoins-7223a4b5c6d7e8f9',
      'arn:aws:sso::123456789012:instance/ssoins-7223a4b5c6d7e8f9',
    ],
  },
  {
    format: PermissionSetArn,
    valid: [
      'arn:aws:sso:::permissionSet/ssoins-7223a4b5c6d7e8f9/ps-0123456789abcdef',
      'arn:aws:sso:::permissionSet/ins-7223a4b5c6d7e8f9/ps-0123456789abcd/f',
    ],
    invalid: [
      'arn:aws:sso:::permissionSet/ssoins-7223a4b5c6d7e8f9/ps-0123',
      'arn:aws:sso:::permissionSet/ps-0123456789abcdef',
      'arn:aws:sso:::instance/ssoins-7223a4b5c6d7e8f9',
    ],
  },
  {
    format: IdentityStoreId,
    valid: ['d-9067639464', UUID],
    invalid: ['d-906763946', 'd-906763946G', 'd-ABCDEF0123', `${UUID}0`],
  },
  {
    format: IdcUserId,
    valid: [UUID, `9067639464-${UUID}`, UUID.toUpperCase()],
    invalid: [`906763946-${UUID}`, 'user-1', UUID.slice(1), `9067639464${UUID}`],
  },
  {
    format: IdcGroupId,
    valid: [UUID, `906763946a-${UUID}`],
    invalid: ['', 'group', `906763946A-${UUID}`],
  },
  {
    format: PermissionSetName,
    valid: ['ReadOnly', 'a', 'x'.repeat(32), 'Admin+Ops=1,2.3@4_5-6'],
    invalid: ['', 'x'.repeat(33), 'Read Only', 'Read/Only', 'ReadOnly#'],
  },
  {
    format: RoleArn,
    valid: [
      'arn:aws:iam::111111111111:role/okta-aws-sync',
      'arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_0123456789abcdef',
    ],
    invalid: [
      'arn:aws:iam::11111111111:role/x',
      'arn:aws:iam::aws:role/x',
      `arn:aws:iam::111111111111:role/${'r'.repeat(65)}`,
      'arn:aws:iam::111111111111:user/x',
    ],
  },
  {
    format: SamlProviderArn,
    valid: [
      'arn:aws:iam::111111111111:saml-provider/Okta',
      'arn:aws:iam::111111111111:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE',
    ],
    invalid: ['arn:aws:iam::111111111111:saml-provider/', 'arn:aws:iam::111111111111:role/Okta'],
  },
  {
    format: ManagedPolicyArn,
    valid: [
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
      'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
      'arn:aws-us-gov:iam::aws:policy/AdministratorAccess',
    ],
    invalid: [
      'arn:aws:iam::123456789012:policy/Mine',
      'arn:aws:iam::aws:policy/',
      'arn:aws:iam::aws:role/ReadOnlyAccess',
      'ReadOnlyAccess',
    ],
  },
  {
    format: PolicyArn,
    valid: ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::123456789012:policy/team/Mine'],
    invalid: ['arn:aws:iam::12345:policy/Mine', 'arn:aws:iam::123456789012:policy/'],
  },
  {
    format: OktaUserId,
    valid: ['00u1abcdEFGH2ijkl3m4'],
    invalid: ['00u1abcdEFGH2ijkl3m', '00u1abcdEFGH2ijkl3m45', '00u1abcd-FGH2ijkl3m4'],
  },
  {
    format: OktaGroupId,
    valid: ['00g1abcdEFGH2ijkl3m4'],
    invalid: ['00g1abcdEFGH2ijkl3m', 'aws-readonly-prod'],
  },
];

describe('identifier formats', () => {
  for (const { format, valid, invalid } of SAMPLES) {
    describe(format.kind, () => {
      it.each(valid)('accepts %s', (value) => {
        expect(format.is(value)).toBe(true);
        expect(format.parse(value)).toBe(value);
      });
      it.each(invalid)('rejects %s', (value) => {
        expect(format.is(value)).toBe(false);
        expect(() => format.parse(value)).toThrow(InvalidIdentifierError);
      });
    });
  }

  it('a rejection names the kind, the value and the expectation', () => {
    const error = (() => {
      try {
        AccountId.parse('12345');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidIdentifierError);
    expect(error).toMatchObject({ kind: 'AccountId', value: '12345', expected: 'twelve digits' });
    expect((error as Error).message).toBe('invalid AccountId "12345": expected twelve digits');
  });

  it('enforces the model length limits on top of the pattern', () => {
    const longPath = `arn:aws:iam::aws:policy/${'p/'.repeat(1020)}Name`;
    expect(longPath.length).toBeGreaterThan(2048);
    expect(ManagedPolicyArn.pattern.test(longPath)).toBe(true);
    expect(ManagedPolicyArn.is(longPath)).toBe(false);
  });

  it('parses the permission-set name and suffix out of a reserved SSO role name', () => {
    const match = RESERVED_SSO_ROLE_PATTERN.exec('AWSReservedSSO_ReadOnly_0123456789abcdef');
    expect(match?.slice(1)).toEqual(['ReadOnly', '0123456789abcdef']);
    expect(RESERVED_SSO_ROLE_PATTERN.test('AWSReservedSSO_ReadOnly_0123')).toBe(false);
  });
});
