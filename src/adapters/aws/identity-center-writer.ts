import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import {
  AttachCustomerManagedPolicyReferenceToPermissionSetCommand,
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  DeleteAccountAssignmentCommand,
  DeleteInlinePolicyFromPermissionSetCommand,
  DeletePermissionSetCommand,
  DeletePermissionsBoundaryFromPermissionSetCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  DescribePermissionSetProvisioningStatusCommand,
  DetachCustomerManagedPolicyReferenceFromPermissionSetCommand,
  DetachManagedPolicyFromPermissionSetCommand,
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  PutPermissionsBoundaryToPermissionSetCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdatePermissionSetCommand,
} from '@aws-sdk/client-sso-admin';
import type { AsyncStatus } from '../../core/domain/identity-center.js';
import { AsyncStatuses } from '../../core/domain/identity-center.js';
import { PermissionSetArn } from '../../core/domain/ids.js';
import type {
  AsyncRequestKind,
  AsyncRequestStatus,
  IdentityCenterWriter,
  WriteErrorKind,
  WriteReceipt,
} from '../../ports/identity-center-writer.js';
import { IdentityCenterWriteError } from '../../ports/identity-center-writer.js';
import { awsErrorName, classifyAwsError } from './aws-error-kind.js';

/**
 * Messages of ConflictException that mean "the thing is already there" rather than "try again":
 * a duplicate permission set name or an already attached policy (aws-identity-center.md §6).
 * "already in progress" (delete right after create) is a retryable conflict and must not match.
 */
const ALREADY_EXISTS = /already exists|already attached/i;

/**
 * The IAM actions the writer calls (sso-admin), for the least-privilege policy of sync mode. Every
 * method of `createIdentityCenterWriter` maps to exactly one of these.
 */
export const IDENTITY_CENTER_WRITER_ACTIONS = [
  'sso:CreatePermissionSet',
  'sso:UpdatePermissionSet',
  'sso:DeletePermissionSet',
  'sso:AttachManagedPolicyToPermissionSet',
  'sso:DetachManagedPolicyFromPermissionSet',
  'sso:AttachCustomerManagedPolicyReferenceToPermissionSet',
  'sso:DetachCustomerManagedPolicyReferenceFromPermissionSet',
  'sso:PutInlinePolicyToPermissionSet',
  'sso:DeleteInlinePolicyFromPermissionSet',
  'sso:PutPermissionsBoundaryToPermissionSet',
  'sso:DeletePermissionsBoundaryFromPermissionSet',
  'sso:TagResource',
  'sso:UntagResource',
  'sso:ProvisionPermissionSet',
  'sso:DescribePermissionSetProvisioningStatus',
  'sso:CreateAccountAssignment',
  'sso:DescribeAccountAssignmentCreationStatus',
  'sso:DeleteAccountAssignment',
  'sso:DescribeAccountAssignmentDeletionStatus',
] as const;

interface SdkMetadataCarrier {
  $metadata?: { requestId?: string };
}

/**
 * The sso-admin writer over SDK v3. `client` must come from `createAwsClients` (or be instrumented
 * by `AwsRateLimiters.instrument`): the call gate there paces every call against the shared
 * sso-admin budget and retries throttles and transient failures before this adapter sees them.
 */
export function createIdentityCenterWriter(client: SSOAdminClient): IdentityCenterWriter {
  const call = async <T extends SdkMetadataCarrier>(
    operation: string,
    send: () => Promise<T>,
  ): Promise<T & WriteReceipt> => {
    try {
      const output = await send();
      return { ...output, awsRequestId: output.$metadata?.requestId ?? null };
    } catch (error) {
      throw toWriteError(operation, error);
    }
  };

  return {
    async createPermissionSet(instanceArn, permissionSet) {
      const output = await call('CreatePermissionSet', () =>
        client.send(
          new CreatePermissionSetCommand({
            InstanceArn: instanceArn,
            Name: permissionSet.name,
            Description: permissionSet.description,
            SessionDuration: permissionSet.sessionDuration,
            RelayState: permissionSet.relayState,
            Tags: Object.entries(permissionSet.tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        ),
      );
      const arn = output.PermissionSet?.PermissionSetArn;
      if (!arn) {
        throw new IdentityCenterWriteError(
          'CreatePermissionSet returned no PermissionSetArn',
          'MalformedResponse',
          'fatal',
          output.awsRequestId,
        );
      }
      return { permissionSetArn: PermissionSetArn.parse(arn), awsRequestId: output.awsRequestId };
    },

    async updatePermissionSet(instanceArn, permissionSetArn, attributes) {
      return receipt(
        await call('UpdatePermissionSet', () =>
          client.send(
            new UpdatePermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: permissionSetArn,
              Description: attributes.description,
              SessionDuration: attributes.sessionDuration,
              RelayState: attributes.relayState,
            }),
          ),
        ),
      );
    },

    async deletePermissionSet(instanceArn, permissionSetArn) {
      return receipt(
        await call('DeletePermissionSet', () =>
          client.send(
            new DeletePermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: permissionSetArn,
            }),
          ),
        ),
      );
    },

    async attachManagedPolicy(instanceArn, permissionSetArn, policyArn) {
      return receipt(
        await call('AttachManagedPolicyToPermissionSet', () =>
          client.send(
            new AttachManagedPolicyToPermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: permissionSetArn,
              ManagedPolicyArn: policyArn,
            }),
          ),
        ),
      );
    },

    async detachManagedPolicy(instanceArn, permissionSetArn, policyArn) {
      return receipt(
        await call('DetachManagedPolicyFromPermissionSet', () =>
          client.send(
            new DetachManagedPolicyFromPermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: permissionSetArn,
              ManagedPolicyArn: policyArn,
            }),
          ),
        ),
      );
    },

    async attachCustomerManagedPolicy(instanceArn, permissionSetArn, reference) {
      return receipt(
        await call('AttachCustomerManagedPolicyReferenceToPermissionSet', () =>
          client.send(
            new AttachCustomerManagedPolicyReferenceToPermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: permissionSetArn,
              CustomerManagedPolicyReference: { Name: reference.name, Path: reference.path },
            }),
          ),
        ),
      );
    },

    async detachCustomerManagedPolicy(instanceArn, permissionSetArn, reference) {
      return receipt(
        await call('DetachCustomerManagedPolicyReferenceFromPermissionSet', () =>
          client.send(
            new DetachCustomerManagedPolicyReferenceFromPermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: permissionSetArn,
              CustomerManagedPolicyReference: { Name: reference.name, Path: reference.path },
            }),
          ),
        ),
      );
    },

    async putInlinePolicy(instanceArn, permissionSetArn, document) {
      return receipt(
        await call('PutInlinePolicyToPermissionSet', () =>
          client.send(
            new PutInlinePolicyToPermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: permissionSetArn,
              InlinePolicy: document,
            }),
          ),
        ),
      );
    },

    async deleteInlinePolicy(instanceArn, permissionSetArn) {
      return receipt(
        await call('DeleteInlinePolicyFromPermissionSet', () =>
          client.send(
            new DeleteInlinePolicyFromPermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: permissionSetArn,
            }),
          ),
        ),
      );
    },

    async putPermissionsBoundary(instanceArn, permissionSetArn, boundary) {
      return receipt(
        await call('PutPermissionsBoundaryToPermissionSet', () =>
          client.send(
            new PutPermissionsBoundaryToPermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: permissionSetArn,
              PermissionsBoundary:
                boundary.kind === 'managed'
                  ? { ManagedPolicyArn: boundary.managedPolicyArn }
                  : {
                      CustomerManagedPolicyReference: {
                        Name: boundary.reference.name,
                        Path: boundary.reference.path,
                      },
                    },
            }),
          ),
        ),
      );
    },

    async deletePermissionsBoundary(instanceArn, permissionSetArn) {
      return receipt(
        await call('DeletePermissionsBoundaryFromPermissionSet', () =>
          client.send(
            new DeletePermissionsBoundaryFromPermissionSetCommand({
              InstanceArn: instanceArn,
              PermissionSetArn: permissionSetArn,
            }),
          ),
        ),
      );
    },

    async tagPermissionSet(instanceArn, permissionSetArn, tags) {
      return receipt(
        await call('TagResource', () =>
          client.send(
            new TagResourceCommand({
              InstanceArn: instanceArn,
              ResourceArn: permissionSetArn,
              Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
            }),
          ),
        ),
      );
    },

    async untagPermissionSet(instanceArn, permissionSetArn, tagKeys) {
      return receipt(
        await call('UntagResource', () =>
          client.send(
            new UntagResourceCommand({
              InstanceArn: instanceArn,
              ResourceArn: permissionSetArn,
              TagKeys: [...tagKeys],
            }),
          ),
        ),
      );
    },

    async provisionPermissionSet(instanceArn, permissionSetArn, target) {
      const output = await call('ProvisionPermissionSet', () =>
        client.send(
          new ProvisionPermissionSetCommand({
            InstanceArn: instanceArn,
            PermissionSetArn: permissionSetArn,
            ...(target.kind === 'account'
              ? { TargetType: 'AWS_ACCOUNT', TargetId: target.accountId }
              : { TargetType: 'ALL_PROVISIONED_ACCOUNTS' }),
          }),
        ),
      );
      return asyncStatus('provision', output.PermissionSetProvisioningStatus, output.awsRequestId);
    },

    async createAccountAssignment(assignment) {
      const output = await call('CreateAccountAssignment', () =>
        client.send(
          new CreateAccountAssignmentCommand({
            InstanceArn: assignment.instanceArn,
            TargetId: assignment.accountId,
            TargetType: 'AWS_ACCOUNT',
            PermissionSetArn: assignment.permissionSetArn,
            PrincipalType: assignment.principalType,
            PrincipalId: assignment.principalId,
          }),
        ),
      );
      return asyncStatus(
        'create-assignment',
        output.AccountAssignmentCreationStatus,
        output.awsRequestId,
      );
    },

    async deleteAccountAssignment(assignment) {
      const output = await call('DeleteAccountAssignment', () =>
        client.send(
          new DeleteAccountAssignmentCommand({
            InstanceArn: assignment.instanceArn,
            TargetId: assignment.accountId,
            TargetType: 'AWS_ACCOUNT',
            PermissionSetArn: assignment.permissionSetArn,
            PrincipalType: assignment.principalType,
            PrincipalId: assignment.principalId,
          }),
        ),
      );
      return asyncStatus(
        'delete-assignment',
        output.AccountAssignmentDeletionStatus,
        output.awsRequestId,
      );
    },

    async describeProvisioning(instanceArn, requestId) {
      const output = await call('DescribePermissionSetProvisioningStatus', () =>
        client.send(
          new DescribePermissionSetProvisioningStatusCommand({
            InstanceArn: instanceArn,
            ProvisionPermissionSetRequestId: requestId,
          }),
        ),
      );
      return asyncStatus('provision', output.PermissionSetProvisioningStatus, output.awsRequestId);
    },

    async describeAssignmentCreation(instanceArn, requestId) {
      const output = await call('DescribeAccountAssignmentCreationStatus', () =>
        client.send(
          new DescribeAccountAssignmentCreationStatusCommand({
            InstanceArn: instanceArn,
            AccountAssignmentCreationRequestId: requestId,
          }),
        ),
      );
      return asyncStatus(
        'create-assignment',
        output.AccountAssignmentCreationStatus,
        output.awsRequestId,
      );
    },

    async describeAssignmentDeletion(instanceArn, requestId) {
      const output = await call('DescribeAccountAssignmentDeletionStatus', () =>
        client.send(
          new DescribeAccountAssignmentDeletionStatusCommand({
            InstanceArn: instanceArn,
            AccountAssignmentDeletionRequestId: requestId,
          }),
        ),
      );
      return asyncStatus(
        'delete-assignment',
        output.AccountAssignmentDeletionStatus,
        output.awsRequestId,
      );
    },
  };
}

function receipt(output: WriteReceipt): WriteReceipt {
  return { awsRequestId: output.awsRequestId };
}

function asyncStatus(
  kind: AsyncRequestKind,
  status: { Status?: string; RequestId?: string; FailureReason?: string } | undefined,
  awsRequestId: string | null,
): AsyncRequestStatus {
  const value = status?.Status;
  if (!status?.RequestId || !isAsyncStatus(value)) {
    throw new IdentityCenterWriteError(
      `${kind} returned no request id or an unknown status "${String(value)}"`,
      'MalformedResponse',
      'fatal',
      awsRequestId,
    );
  }
  return {
    kind,
    requestId: status.RequestId,
    status: value,
    awsRequestId,
    ...(status.FailureReason !== undefined ? { failureReason: status.FailureReason } : {}),
  };
}

function isAsyncStatus(value: string | undefined): value is AsyncStatus {
  return (AsyncStatuses as readonly (string | undefined)[]).includes(value);
}

/** Maps an SDK error to the port's classified error, keeping the AWS code and request id. */
export function toWriteError(operation: string, error: unknown): IdentityCenterWriteError {
  const code = awsErrorName(error);
  const message = error instanceof Error ? error.message : String(error);
  const requestId = (error as SdkMetadataCarrier | null)?.$metadata?.requestId ?? null;
  return new IdentityCenterWriteError(
    `${operation}: ${code}: ${message}`,
    code,
    writeErrorKind(error),
    requestId,
    { cause: error },
  );
}

function writeErrorKind(error: unknown): WriteErrorKind {
  const awsKind = classifyAwsError(error);
  if (awsKind !== 'fatal') return awsKind;
  const name = awsErrorName(error);
  const message = error instanceof Error ? error.message : '';
  if (name === 'ConflictException') {
    return ALREADY_EXISTS.test(message) ? 'already-exists' : 'conflict';
  }
  if (name === 'ResourceNotFoundException') return 'not-found';
  return 'fatal';
}
