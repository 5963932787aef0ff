import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignmentKey, parseAssignmentKey } from './assignment-key.js';
import type { AccountAssignment } from './identity-center.js';
import {
  AccountId,
  IdcGroupId,
  IdcUserId,
  InstanceArn,
  InvalidIdentifierError,
  PermissionSetArn,
} from './ids.js';

const INSTANCE = InstanceArn.parse('arn:aws:sso:::instance/ssoins-7223a4b5c6d7e8f9');
const PS = PermissionSetArn.parse(
  'arn:aws:sso:::permissionSet/ssoins-7223a4b5c6d7e8f9/ps-0123456789abcdef',
);
const USER = IdcUserId.parse('9067639464-a1b2c3d4-1234-5678-9abc-def012345678');
const GROUP = IdcGroupId.parse('b1b2c3d4-1234-5678-9abc-def012345678');

const userAssignment: AccountAssignment = {
  instanceArn: INSTANCE,
  accountId: AccountId.parse('123456789012'),
  permissionSetArn: PS,
  principalType: 'USER',
  principalId: USER,
};

describe('assignment key', () => {
  it('joins the five parts in canonical order', () => {
    expect(assignmentKey(userAssignment)).toBe(`${INSTANCE}|123456789012|${PS}|USER|${USER}`);
  });

  it('round-trips user and group assignments', () => {
    const groupAssignment: AccountAssignment = {
      ...userAssignment,
      principalType: 'GROUP',
      principalId: GROUP,
    };
    for (const assignment of [userAssignment, groupAssignment]) {
      expect(parseAssignmentKey(assignmentKey(assignment))).toEqual(assignment);
    }
  });

  it('round-trips any valid assignment, and equal keys mean equal assignments', () => {
    const hex = (length: number) =>
      fc.string({
        unit: fc.constantFrom(...'0123456789abcdef'),
        minLength: length,
        maxLength: length,
      });
    const uuid = fc.uuid({ version: 4 });
    const assignment: fc.Arbitrary<AccountAssignment> = fc
      .record({
        instanceArn: hex(16).map((h) => InstanceArn.parse(`arn:aws:sso:::instance/ssoins-${h}`)),
        accountId: fc
          .string({ unit: fc.constantFrom(...'0123456789'), minLength: 12, maxLength: 12 })
          .map((id) => AccountId.parse(id)),
        permissionSetArn: fc
          .tuple(hex(16), hex(16))
          .map(([i, p]) =>
            PermissionSetArn.parse(`arn:aws:sso:::permissionSet/ssoins-${i}/ps-${p}`),
          ),
        principal: fc.oneof(
          fc.tuple(fc.option(hex(10), { nil: undefined }), uuid).map(([prefix, id]) => ({
            principalType: 'USER' as const,
            principalId: IdcUserId.parse(prefix ? `${prefix}-${id}` : id),
          })),
          uuid.map((id) => ({
            principalType: 'GROUP' as const,
            principalId: IdcGroupId.parse(id),
          })),
        ),
      })
      .map(({ principal, ...rest }) => ({ ...rest, ...principal }));
    fc.assert(
      fc.property(assignment, assignment, (left, right) => {
        expect(parseAssignmentKey(assignmentKey(left))).toEqual(left);
        const sameKey = assignmentKey(left) === assignmentKey(right);
        expect(sameKey).toBe(JSON.stringify(left) === JSON.stringify(right));
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['too few parts', `${INSTANCE}|123456789012|${PS}|USER`],
    ['too many parts', `${INSTANCE}|123456789012|${PS}|USER|${USER}|x`],
    ['empty part', `${INSTANCE}||${PS}|USER|${USER}`],
    ['bad principal type', `${INSTANCE}|123456789012|${PS}|ROLE|${USER}`],
    ['bad account', `${INSTANCE}|12345|${PS}|USER|${USER}`],
    ['bad instance', `arn:aws:sso:::instance/x|123456789012|${PS}|USER|${USER}`],
    ['bad permission set', `${INSTANCE}|123456789012|ps-1|USER|${USER}`],
    ['bad principal id', `${INSTANCE}|123456789012|${PS}|GROUP|group-1`],
  ])('rejects a key with %s', (_, key) => {
    expect(() => parseAssignmentKey(key)).toThrow(InvalidIdentifierError);
  });
});
