import type { AccountAssignment } from './identity-center.js';
import {
  AccountId,
  IdcGroupId,
  IdcUserId,
  InstanceArn,
  InvalidIdentifierError,
  PermissionSetArn,
  type Brand,
} from './ids.js';

/**
 * The canonical key of an account assignment: instance, account, permission set, principal type
 * and principal id, joined by "|". None of the parts can contain "|", so the key is unambiguous
 * and two assignments are the same exactly when their keys are equal.
 */
export type AssignmentKey = Brand<'AssignmentKey'>;

export function assignmentKey(assignment: AccountAssignment): AssignmentKey {
  return [
    assignment.instanceArn,
    assignment.accountId,
    assignment.permissionSetArn,
    assignment.principalType,
    assignment.principalId,
  ].join('|') as AssignmentKey;
}

/** Parses a key back into its assignment; throws InvalidIdentifierError on a malformed key. */
export function parseAssignmentKey(key: string): AccountAssignment {
  const parts = key.split('|');
  const [instance, account, permissionSet, principalType, principalId] = parts;
  if (parts.length !== 5 || !instance || !account || !permissionSet || !principalId) {
    throw new InvalidIdentifierError(
      'AssignmentKey',
      key,
      'instance|account|permissionSet|USER or GROUP|principalId',
    );
  }
  if (principalType !== 'USER' && principalType !== 'GROUP') {
    throw new InvalidIdentifierError('AssignmentKey', key, 'principal type USER or GROUP');
  }
  return {
    instanceArn: InstanceArn.parse(instance),
    accountId: AccountId.parse(account),
    permissionSetArn: PermissionSetArn.parse(permissionSet),
    principalType,
    principalId:
      principalType === 'USER' ? IdcUserId.parse(principalId) : IdcGroupId.parse(principalId),
  };
}
