import type {
  AccountAssignment,
  IdcGroup,
  IdcInstance,
  IdcUser,
  PermissionSet,
} from '../domain/identity-center.js';
import type { OrganizationTree } from '../domain/organizations.js';

/**
 * What AWS holds now, as the planner needs it. Discovery's inventory maps onto this; tests build
 * it with the fixture builders. Every permission set carries its full definition, its tags and
 * the accounts it is provisioned to with their status.
 */
export interface ActualState {
  readonly instance: IdcInstance;
  readonly permissionSets: readonly PermissionSet[];
  readonly assignments: readonly AccountAssignment[];
  readonly users: readonly IdcUser[];
  readonly groups: readonly IdcGroup[];
  readonly organization: OrganizationTree;
}
