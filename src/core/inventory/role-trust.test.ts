import { describe, expect, it } from 'vitest';
import { classifyRoleTrust, decodePolicyDocument } from './role-trust.js';

const saml = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: 'arn:aws:iam::444444444444:saml-provider/Okta' },
      Action: 'sts:AssumeRoleWithSAML',
      Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } },
    },
  ],
};

describe('decodePolicyDocument', () => {
  it('decodes IAM URL encoding (RFC 3986), including encoded % and +', () => {
    const doc = '{"Statement":[{"Sid":"50% off a+b","Effect":"Allow"}]}';
    expect(decodePolicyDocument(encodeURIComponent(doc))).toBe(doc);
  });

  it('keeps a document that is already plain JSON as is, even with a literal %', () => {
    const doc = '{"Statement":[{"Sid":"100%25 literal","Effect":"Allow"}]}';
    expect(decodePolicyDocument(doc)).toBe(doc);
    expect(decodePolicyDocument(`  ${doc}\n`)).toBe(doc);
  });

  it('rejects text that is neither JSON nor URL-encoded JSON', () => {
    expect(() => decodePolicyDocument('%E0%A4%A')).toThrow(SyntaxError);
    expect(() => decodePolicyDocument(encodeURIComponent('[1,2]'))).toThrow(SyntaxError);
    expect(() => decodePolicyDocument('not json')).toThrow(SyntaxError);
  });
});

describe('classifyRoleTrust', () => {
  it('recognises a SAML-federated role and its provider', () => {
    expect(classifyRoleTrust('Okta-Dev', JSON.stringify(saml))).toEqual({
      kind: 'saml-federation',
      samlProviderArns: ['arn:aws:iam::444444444444:saml-provider/Okta'],
    });
  });

  it('recognises an Identity Center role by its AWSReservedSSO name', () => {
    const idc = JSON.stringify({
      Statement: [
        {
          Effect: 'Allow',
          Principal: {
            Federated:
              'arn:aws:iam::222222222222:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE',
          },
          Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
        },
      ],
    });
    expect(classifyRoleTrust('AWSReservedSSO_Admin_0123456789abcdef', idc)).toEqual({
      kind: 'identity-center',
      permissionSetName: 'Admin',
      samlProviderArns: [
        'arn:aws:iam::222222222222:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE',
      ],
    });
  });

  it('classifies service roles, and mixed or account trust as other', () => {
    const service = {
      Statement: {
        Effect: 'Allow',
        Principal: { Service: ['ec2.amazonaws.com', 'lambda.amazonaws.com'] },
        Action: 'sts:AssumeRole',
      },
    };
    expect(classifyRoleTrust('svc', JSON.stringify(service))).toEqual({
      kind: 'service',
      services: ['ec2.amazonaws.com', 'lambda.amazonaws.com'],
    });
    const account = {
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111111111111:root' },
          Action: 'sts:AssumeRole',
        },
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    };
    expect(classifyRoleTrust('OrganizationAccountAccessRole', JSON.stringify(account))).toEqual({
      kind: 'other',
      principals: ['arn:aws:iam::111111111111:root', 'ec2.amazonaws.com'],
    });
  });

  it('does not count a SAML provider that is denied, or trusted for another action', () => {
    const denied = { Statement: [{ ...saml.Statement[0], Effect: 'Deny' }] };
    expect(classifyRoleTrust('r', JSON.stringify(denied))).toEqual({
      kind: 'other',
      principals: [],
    });
    const webIdentity = {
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: 'cognito-identity.amazonaws.com' },
          Action: 'sts:AssumeRoleWithWebIdentity',
        },
      ],
    };
    expect(classifyRoleTrust('r', JSON.stringify(webIdentity))).toEqual({
      kind: 'other',
      principals: ['cognito-identity.amazonaws.com'],
    });
  });

  it('treats an unparseable document as other with no principals', () => {
    expect(classifyRoleTrust('r', '{oops')).toEqual({ kind: 'other', principals: [] });
    expect(
      classifyRoleTrust('r', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*' }] })),
    ).toEqual({
      kind: 'other',
      principals: ['*'],
    });
  });
});
