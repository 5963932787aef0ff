/**
 * The naive discovery the `discovery` benchmark compares the product with: the strategy existing
 * tools use, ListAccountAssignments for every account × every permission set. Everything else
 * (instance, Organizations, identity store, permission-set definitions and provisioning status)
 * is read by the product's own readers, so both sides read the same inventory and differ only in
 * how assignments are found.
 */
import { paginateListAccountAssignments, type SSOAdminClient } from '@aws-sdk/client-sso-admin';

import { collectPages, mapConcurrent } from '../src/adapters/aws/map-concurrent.js';
import type { AccountAssignment, PermissionSet } from '../src/core/domain/identity-center.js';
import { AccountId, IdcGroupId, IdcUserId, PermissionSetArn } from '../src/core/domain/ids.js';
import type { InstanceArn } from '../src/core/domain/ids.js';
import type { AwsReaders } from '../src/ports/aws-readers.js';

export interface NaiveDiscoveryResult {
  readonly permissionSets: readonly PermissionSet[];
  readonly assignments: readonly AccountAssignment[];
  readonly accounts: number;
}

/**
 * Reads the same Identity Center inventory as `runDiscovery` (without per-account IAM), but
 * lists assignments by scanning every (account, permission set) pair with the same page size
 * (100, the maximum) and the same number of items in flight (16) as the product's reader.
 */
export async function runNaiveDiscovery(
  readers: AwsReaders,
  ssoAdmin: SSOAdminClient,
  instanceArn?: InstanceArn,
): Promise<NaiveDiscoveryResult> {
  const instance = await readers.identityCenter.readInstance(instanceArn);
  // The scan needs the accounts and the permission sets; like the product, it does not wait for
  // the identity store, which is read alongside.
  const scan = Promise.all([
    readers.organizations.readOrganization(),
    readers.identityCenter.readPermissionSets(instance),
  ]).then(async ([organization, permissionSets]) => {
    const pairs = organization.accounts.flatMap((account) =>
      permissionSets.map((permissionSet) => ({
        AccountId: account.id,
        PermissionSetArn: permissionSet.permissionSetArn,
      })),
    );
    const perPair = await mapConcurrent(pairs, 16, (pair) =>
      collectPages(
        paginateListAccountAssignments(
          { client: ssoAdmin, pageSize: 100 },
          { InstanceArn: instance.instanceArn, ...pair },
        ),
        (page) => page.AccountAssignments,
      ),
    );
    return { organization, permissionSets, perPair };
  });
  const [, { organization, permissionSets, perPair }] = await Promise.all([
    readers.identityCenter.readIdentityStore(instance),
    scan,
  ]);
  const assignments = perPair.flat().map((raw): AccountAssignment => ({
    instanceArn: instance.instanceArn,
    accountId: AccountId.parse(raw.AccountId ?? ''),
    permissionSetArn: PermissionSetArn.parse(raw.PermissionSetArn ?? ''),
    ...(raw.PrincipalType === 'GROUP'
      ? { principalType: 'GROUP', principalId: IdcGroupId.parse(raw.PrincipalId ?? '') }
      : { principalType: 'USER', principalId: IdcUserId.parse(raw.PrincipalId ?? '') }),
  }));
  return { permissionSets, assignments, accounts: organization.accounts.length };
}
