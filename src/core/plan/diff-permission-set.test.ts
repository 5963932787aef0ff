import { describe, expect, it } from 'vitest';
import type { PermissionSetDefinition } from '../domain/identity-center.js';
import { ADMIN_POLICY } from '../test-support/fixtures.js';
import { diffPermissionSet, needsProvision } from './diff-permission-set.js';

const base: PermissionSetDefinition = {
  name: 'Admin',
  managedPolicies: [],
  customerManagedPolicies: [],
  tags: {},
};

describe('diffPermissionSet', () => {
  it('treats AWS defaults as equal: no duration = PT1H, empty strings = absent', () => {
    expect(
      diffPermissionSet(
        { ...base, sessionDuration: 'PT1H', customerManagedPolicies: [{ name: 'p', path: '' }] },
        {
          ...base,
          description: '',
          relayState: '',
          customerManagedPolicies: [{ name: 'p', path: '/' }],
        },
      ),
    ).toEqual([]);
  });

  it('puts an inline policy and a boundary that are missing or different', () => {
    const policy = '{"Version":"2012-10-17","Statement":[]}';
    expect(
      diffPermissionSet(
        {
          ...base,
          description: 'new',
          inlinePolicy: policy,
          permissionsBoundary: {
            kind: 'customer-managed',
            reference: { name: 'limit', path: '/' },
          },
        },
        { ...base, permissionsBoundary: { kind: 'managed', managedPolicyArn: ADMIN_POLICY } },
      ),
    ).toEqual([
      { field: 'description', from: undefined, to: 'new' },
      { field: 'inlinePolicy', action: 'put', document: policy },
      {
        field: 'permissionsBoundary',
        action: 'put',
        boundary: { kind: 'customer-managed', reference: { name: 'limit', path: '/' } },
      },
    ]);
  });

  it('puts an inline policy whose JSON differs, not one only formatted differently', () => {
    const desired = { ...base, inlinePolicy: '{"a":1,"b":[1,2]}' };
    expect(
      diffPermissionSet(desired, { ...base, inlinePolicy: '{ "b": [1, 2], "a": 1 }' }),
    ).toEqual([]);
    expect(diffPermissionSet(desired, { ...base, inlinePolicy: '{"a":1,"b":[2,1]}' })).toEqual([
      { field: 'inlinePolicy', action: 'put', document: desired.inlinePolicy },
    ]);
  });

  it('only tag changes need no provision', () => {
    const changes = diffPermissionSet(
      { ...base, tags: { a: '1' }, managedPolicies: [ADMIN_POLICY] },
      { ...base, tags: { a: '2' } },
    );
    expect(changes.map(needsProvision)).toEqual([true, false]);
  });
});
