import {
  DescribeGroupCommand,
  DescribeUserCommand,
  GetGroupIdCommand,
  GetUserIdCommand,
  type IdentitystoreClient,
} from '@aws-sdk/client-identitystore';
import type { IdcPrincipal, PrincipalType } from '../../core/domain/identity-center.js';
import { IdcGroupId, IdcUserId, type IdentityStoreId } from '../../core/domain/ids.js';
import { OktaGroupId, OktaUserId } from '../../core/domain/ids.js';
import { OperationalError } from '../../core/errors.js';
import { awsOperationalError } from './aws-operational-error.js';

/** The Issuer Okta's SCIM push writes into identity-store ExternalIds. */
export const OKTA_SCIM_ISSUER = 'scim.okta.com';

/** A resolved principal and how it was found (for the audit trail and the caller). */
export type ResolvedPrincipal = IdcPrincipal & {
  readonly resolvedBy: 'id' | 'external-id' | 'user-name' | 'display-name';
};

/** Thrown when no identity-store principal matches the given reference. Not retryable. */
export class PrincipalNotFoundError extends OperationalError {
  constructor(principalType: PrincipalType, reference: string) {
    super(
      `No Identity Center ${principalType === 'USER' ? 'user' : 'group'} matches "${reference}" ` +
        `(tried Identity Center id, Okta ExternalId and ${principalType === 'USER' ? 'userName' : 'displayName'})`,
      'PRINCIPAL_NOT_FOUND',
      false,
    );
  }
}

/**
 * Resolves a principal reference to an Identity Center principal, in this order:
 * 1. an Identity Center id (DescribeUser/DescribeGroup confirms it exists);
 * 2. an Okta id (`00u…`/`00g…`) as the ExternalId that SCIM push wrote (issuer `scim.okta.com`);
 * 3. a user's userName (the Okta login) or a group's displayName (the pushed Okta group name).
 * Throws PrincipalNotFoundError when nothing matches; AWS failures as OperationalError.
 */
export async function resolvePrincipal(
  identityStore: IdentitystoreClient,
  identityStoreId: IdentityStoreId,
  principalType: PrincipalType,
  reference: string,
): Promise<ResolvedPrincipal> {
  const ref = reference.trim();
  const user = principalType === 'USER';
  const idFormat = user ? IdcUserId : IdcGroupId;
  if (idFormat.is(ref) && !OktaUserId.is(ref) && !OktaGroupId.is(ref)) {
    const found = await ifFound<unknown>(() =>
      user
        ? identityStore.send(
            new DescribeUserCommand({ IdentityStoreId: identityStoreId, UserId: ref }),
          )
        : identityStore.send(
            new DescribeGroupCommand({ IdentityStoreId: identityStoreId, GroupId: ref }),
          ),
    );
    if (found) return principal(principalType, ref, 'id');
  }
  const oktaId = user ? OktaUserId.is(ref) : OktaGroupId.is(ref);
  if (oktaId) {
    const id = await lookup(identityStore, identityStoreId, user, {
      ExternalId: { Issuer: OKTA_SCIM_ISSUER, Id: ref },
    });
    if (id) return principal(principalType, id, 'external-id');
  }
  const id = await lookup(identityStore, identityStoreId, user, {
    UniqueAttribute: {
      AttributePath: user ? 'userName' : 'displayName',
      AttributeValue: ref,
    },
  });
  if (id) return principal(principalType, id, user ? 'user-name' : 'display-name');
  throw new PrincipalNotFoundError(principalType, ref);
}

function principal(
  principalType: PrincipalType,
  id: string,
  resolvedBy: ResolvedPrincipal['resolvedBy'],
): ResolvedPrincipal {
  return principalType === 'USER'
    ? { principalType, principalId: IdcUserId.parse(id), resolvedBy }
    : { principalType, principalId: IdcGroupId.parse(id), resolvedBy };
}

async function lookup(
  identityStore: IdentitystoreClient,
  identityStoreId: IdentityStoreId,
  user: boolean,
  alternateIdentifier:
    | { ExternalId: { Issuer: string; Id: string } }
    | { UniqueAttribute: { AttributePath: string; AttributeValue: string } },
): Promise<string | undefined> {
  const output = await ifFound<{ UserId?: string; GroupId?: string }>(() =>
    user
      ? identityStore.send(
          new GetUserIdCommand({
            IdentityStoreId: identityStoreId,
            AlternateIdentifier: alternateIdentifier,
          }),
        )
      : identityStore.send(
          new GetGroupIdCommand({
            IdentityStoreId: identityStoreId,
            AlternateIdentifier: alternateIdentifier,
          }),
        ),
  );
  if (!output) return undefined;
  return output.UserId ?? output.GroupId;
}

/** Runs a lookup; ResourceNotFoundException is "no match", anything else an OperationalError. */
async function ifFound<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw awsOperationalError(error);
  }
}
