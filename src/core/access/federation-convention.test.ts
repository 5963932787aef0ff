import { describe, expect, it } from 'vitest';
import {
  compileFederationGroupFilter,
  DEFAULT_FEDERATION_GROUP_FILTER,
  parseFederationGroupName,
} from './federation-convention.js';

describe('the AWS Account Federation group-name convention', () => {
  it('parses aws#alias#role#account with the default filter', () => {
    expect(parseFederationGroupName('aws#prod#AdministratorAccess#123456789012')).toEqual({
      alias: 'prod',
      roleName: 'AdministratorAccess',
      accountId: '123456789012',
    });
  });

  it('behaves as Okta documents: the alias may contain #, role names exclude .+=,@', () => {
    expect(parseFederationGroupName('aws#a#b#Role#123456789012')).toEqual({
      alias: 'a#b',
      roleName: 'Role',
      accountId: '123456789012',
    });
    expect(parseFederationGroupName('aws#prod#Read.Only#123456789012')).toBeUndefined();
    expect(parseFederationGroupName('aws-admins')).toBeUndefined();
    // \d+ does not enforce twelve digits; the mapper flags such ids separately.
    expect(parseFederationGroupName('aws#x#Dev#123')?.accountId).toBe('123');
  });

  it('translates the documented alternative filter too', () => {
    const filter = compileFederationGroupFilter(
      String.raw`aws_(?{{accountid}}\d+)_(?{{role}}[a-zA-Z0-9+=,.@\-_]+)`,
    );
    expect(parseFederationGroupName('aws_123456789012_Read.Only', filter)).toEqual({
      roleName: 'Read.Only',
      accountId: '123456789012',
    });
  });

  it('refuses a filter that does not capture role and account', () => {
    expect(() => compileFederationGroupFilter('^aws#(?{{role}}\\w+)$')).toThrow(SyntaxError);
    expect(compileFederationGroupFilter(DEFAULT_FEDERATION_GROUP_FILTER).source).toBe(
      String.raw`^aws#\S+#(?<role>[\w\-]+)#(?<accountid>\d+)$`,
    );
  });
});
