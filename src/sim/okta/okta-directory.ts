import { notFound, OktaApiError, validationFailed } from './okta-api-error.js';
import { SortedIdIndex } from './okta-ids.js';

export const oktaUserStatuses = [
  'ACTIVE',
  'DEPROVISIONED',
  'LOCKED_OUT',
  'PASSWORD_EXPIRED',
  'PROVISIONED',
  'RECOVERY',
  'STAGED',
  'SUSPENDED',
] as const;
export type OktaUserStatus = (typeof oktaUserStatuses)[number];

export const oktaGroupTypes = ['OKTA_GROUP', 'APP_GROUP', 'BUILT_IN'] as const;
export type OktaGroupType = (typeof oktaGroupTypes)[number];

/** A user as stored; `profile.login` is unique (case-insensitively). */
export interface SimUser {
  id: string;
  status: OktaUserStatus;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastUpdated: string;
  profile: { login: string; email: string; firstName: string; lastName: string } & Record<
    string,
    unknown
  >;
  /** Assigned to the "AWS IAM Identity Center" app directly (see scim-push.ts). */
  appAssigned: boolean;
}

/** A group as stored; `pushed` marks Group Push to the "AWS IAM Identity Center" app. */
export interface SimGroup {
  id: string;
  type: OktaGroupType;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  profile: { name: string; description: string | null } & Record<string, unknown>;
  pushed: boolean;
}

/** A System Log target as the reference lists them per event type. */
export interface LogTarget {
  id: string;
  type: string;
  alternateId: string;
  displayName: string;
  detailEntry: null;
}

/** One audited change; the simulator turns it into a LogEvent, hook deliveries and SCIM push. */
export interface DirectoryChange {
  eventType: string;
  displayMessage: string;
  legacyEventType?: string;
  targets: LogTarget[];
  /** Ids whose SCIM state may have changed. */
  userId?: string;
  groupId?: string;
}

export function userTarget(user: SimUser): LogTarget {
  return {
    id: user.id,
    type: 'User',
    alternateId: user.profile.login,
    displayName: `${user.profile.firstName} ${user.profile.lastName}`.trim(),
    detailEntry: null,
  };
}

export function groupTarget(group: SimGroup): LogTarget {
  // Captures show alternateId "unknown" for UserGroup targets.
  return {
    id: group.id,
    type: 'UserGroup',
    alternateId: 'unknown',
    displayName: group.profile.name,
    detailEntry: null,
  };
}

export interface NewUserInput {
  id: string;
  profile: Record<string, unknown>;
  status?: OktaUserStatus;
  appAssigned?: boolean;
}

export interface NewGroupInput {
  id: string;
  name: string;
  description?: string | null;
  type?: OktaGroupType;
  pushed?: boolean;
  extraProfile?: Record<string, unknown>;
}

/**
 * The org's users, groups and memberships. Every mutating method validates like Okta, applies
 * the change and reports the audited changes it made through `onChange`, in order; callers do not
 * write events themselves, so admin actions and API calls audit identically.
 */
export class OktaDirectory {
  readonly users = new Map<string, SimUser>();
  readonly groups = new Map<string, SimGroup>();
  readonly userIndex = new SortedIdIndex();
  readonly groupIndex = new SortedIdIndex();
  private readonly byLogin = new Map<string, string>();
  private readonly byName = new Map<string, Set<string>>();
  private readonly groupMembers = new Map<string, Set<string>>();
  private readonly userGroupIds = new Map<string, Set<string>>();
  private everyoneId: string | undefined;

  constructor(
    private readonly now: () => Date,
    private readonly onChange: (change: DirectoryChange) => void,
  ) {}

  // ---- reads -------------------------------------------------------------------------------

  /** Looks a user up by id or by login (case-insensitive), as `GET /users/{idOrLogin}` does. */
  findUser(idOrLogin: string): SimUser | undefined {
    return (
      this.users.get(idOrLogin) ?? this.users.get(this.byLogin.get(idOrLogin.toLowerCase()) ?? '')
    );
  }

  requireUser(idOrLogin: string): SimUser {
    const user = this.findUser(idOrLogin);
    if (!user) throw notFound(idOrLogin, 'User');
    return user;
  }

  requireGroup(id: string): SimGroup {
    const group = this.groups.get(id);
    if (!group) throw notFound(id, 'UserGroup');
    return group;
  }

  /** The OKTA_GROUP (else any group) with this exact name. */
  findGroupByName(name: string): SimGroup | undefined {
    const ids = this.byName.get(name);
    if (!ids) return undefined;
    let fallback: SimGroup | undefined;
    for (const id of ids) {
      const g = this.groups.get(id);
      if (g?.type === 'OKTA_GROUP') return g;
      fallback ??= g;
    }
    return fallback;
  }

  private indexName(group: SimGroup, add: boolean): void {
    const name = group.profile.name;
    const ids = this.byName.get(name) ?? new Set<string>();
    if (add) ids.add(group.id);
    else ids.delete(group.id);
    if (ids.size > 0) this.byName.set(name, ids);
    else this.byName.delete(name);
  }

  membersOf(groupId: string): ReadonlySet<string> {
    return this.groupMembers.get(groupId) ?? new Set();
  }

  groupsOf(userId: string): ReadonlySet<string> {
    return this.userGroupIds.get(userId) ?? new Set();
  }

  isMember(groupId: string, userId: string): boolean {
    return this.groupMembers.get(groupId)?.has(userId) ?? false;
  }

  // ---- users -------------------------------------------------------------------------------

  /** Creates a user; `activate` (default true) makes it ACTIVE, else STAGED. */
  createUser(input: NewUserInput, activate = true): SimUser {
    const p = input.profile;
    const causes: string[] = [];
    for (const field of ['login', 'firstName', 'lastName', 'email'] as const) {
      if (typeof p[field] !== 'string' || p[field].trim() === '') {
        causes.push(`${field}: The field cannot be left blank`);
      }
    }
    if (causes.length > 0) throw validationFailed('profile', ...causes);
    const login = p.login as string;
    if (this.byLogin.has(login.toLowerCase())) {
      throw validationFailed(
        'login',
        'login: An object with this field already exists in the current organization',
      );
    }
    const ts = this.now().toISOString();
    const status = input.status ?? (activate ? 'ACTIVE' : 'STAGED');
    const user: SimUser = {
      id: input.id,
      status,
      created: ts,
      activated: status === 'ACTIVE' ? ts : null,
      statusChanged: status === 'STAGED' ? null : ts,
      lastUpdated: ts,
      profile: {
        ...p,
        login,
        email: p.email as string,
        firstName: p.firstName as string,
        lastName: p.lastName as string,
      },
      appAssigned: input.appAssigned ?? false,
    };
    this.users.set(user.id, user);
    this.userIndex.insert(user.id);
    this.byLogin.set(login.toLowerCase(), user.id);
    this.userGroupIds.set(user.id, new Set());
    if (this.everyoneId) this.link(this.everyoneId, user.id);
    this.emitUser(user, 'user.lifecycle.create', 'Create Okta user');
    if (status === 'ACTIVE') this.emitUser(user, 'user.lifecycle.activate', 'Activate Okta user');
    return user;
  }

  /** Replaces (`partial` false) or merges profile attributes. Login stays unique. */
  updateUserProfile(id: string, profile: Record<string, unknown>, partial: boolean): SimUser {
    const user = this.requireUser(id);
    const next = partial ? { ...user.profile, ...profile } : { ...profile };
    const login = next.login;
    if (typeof login !== 'string' || login === '') {
      throw validationFailed('login', 'login: The field cannot be left blank');
    }
    const owner = this.byLogin.get(login.toLowerCase());
    if (owner && owner !== user.id) {
      throw validationFailed(
        'login',
        'login: An object with this field already exists in the current organization',
      );
    }
    this.byLogin.delete(user.profile.login.toLowerCase());
    this.byLogin.set(login.toLowerCase(), user.id);
    user.profile = next as SimUser['profile'];
    user.lastUpdated = this.now().toISOString();
    this.emitUser(user, 'user.account.update_profile', 'Update user profile for Okta');
    return user;
  }

  activateUser(id: string): SimUser {
    const user = this.requireUser(id);
    if (
      user.status !== 'STAGED' &&
      user.status !== 'DEPROVISIONED' &&
      user.status !== 'PROVISIONED'
    ) {
      throw new OktaApiError('E0000016');
    }
    const event =
      user.status === 'DEPROVISIONED' ? 'user.lifecycle.reactivate' : 'user.lifecycle.activate';
    this.setStatus(user, 'ACTIVE');
    user.activated = user.statusChanged;
    this.emitUser(
      user,
      event,
      event.endsWith('reactivate') ? 'Reactivate Okta user' : 'Activate Okta user',
    );
    return user;
  }

  /** Deactivation of a DEPROVISIONED user is a no-op, as repeated calls are in Okta. */
  deactivateUser(id: string): SimUser {
    const user = this.requireUser(id);
    if (user.status === 'DEPROVISIONED') return user;
    this.setStatus(user, 'DEPROVISIONED');
    this.emitUser(
      user,
      'user.lifecycle.deactivate',
      'Deactivate Okta user',
      'core.user.config.user_deactivated',
    );
    return user;
  }

  suspendUser(id: string): SimUser {
    const user = this.requireUser(id);
    if (user.status !== 'ACTIVE') {
      throw validationFailed('status', 'Cannot suspend a user that is not active');
    }
    this.setStatus(user, 'SUSPENDED');
    this.emitUser(
      user,
      'user.lifecycle.suspend',
      'Suspend Okta user',
      'core.user.config.user_status.suspended',
    );
    return user;
  }

  unsuspendUser(id: string): SimUser {
    const user = this.requireUser(id);
    if (user.status !== 'SUSPENDED') {
      throw validationFailed('status', 'Cannot unsuspend a user that is not suspended');
    }
    this.setStatus(user, 'ACTIVE');
    this.emitUser(user, 'user.lifecycle.unsuspend', 'Unsuspend Okta user');
    return user;
  }

  /**
   * `DELETE /users/{id}`: the first call on a user that is not DEPROVISIONED deactivates it, the
   * next one deletes it (memberships go with it). Returns whether the user is now gone.
   */
  deleteUser(id: string): boolean {
    const user = this.requireUser(id);
    if (user.status !== 'DEPROVISIONED') {
      this.deactivateUser(user.id);
      return false;
    }
    const target = userTarget(user);
    for (const gid of [...this.groupsOf(user.id)]) this.unlink(gid, user.id);
    this.users.delete(user.id);
    this.userIndex.remove(user.id);
    this.byLogin.delete(user.profile.login.toLowerCase());
    this.userGroupIds.delete(user.id);
    this.onChange({
      eventType: 'user.lifecycle.delete.initiated',
      displayMessage: 'Delete Okta user',
      targets: [target],
      userId: user.id,
    });
    this.onChange({
      eventType: 'user.lifecycle.delete.completed',
      displayMessage: 'Delete Okta user completed',
      targets: [target],
      userId: user.id,
    });
    return true;
  }

  /** Assigns or unassigns the user to the AWS IAM Identity Center app. */
  setAppAssignment(id: string, assigned: boolean): SimUser {
    const user = this.requireUser(id);
    if (user.appAssigned === assigned) return user;
    user.appAssigned = assigned;
    this.onChange({
      eventType: assigned
        ? 'application.user_membership.add'
        : 'application.user_membership.remove',
      displayMessage: assigned
        ? 'Add user to application membership'
        : 'Remove user from application membership',
      targets: [
        {
          id: user.id,
          type: 'AppUser',
          alternateId: 'unknown',
          displayName: user.profile.login,
          detailEntry: null,
        },
        {
          id: '0oaAwsIdcAppSim00001',
          type: 'AppInstance',
          alternateId: 'AWS IAM Identity Center',
          displayName: 'AWS IAM Identity Center',
          detailEntry: null,
        },
        userTarget(user),
      ],
      userId: user.id,
    });
    return user;
  }

  // ---- groups ------------------------------------------------------------------------------

  /** Creates a group. Names are unique among OKTA_GROUPs, as Okta enforces. */
  createGroup(input: NewGroupInput): SimGroup {
    if (input.name.trim() === '') {
      throw validationFailed('name', 'name: The field cannot be left blank');
    }
    const type = input.type ?? 'OKTA_GROUP';
    if (type === 'OKTA_GROUP') {
      const clash = this.findGroupByName(input.name);
      if (clash && clash.type === 'OKTA_GROUP') {
        throw validationFailed(
          'name',
          'name: An object with this field already exists in the current organization',
        );
      }
    }
    const ts = this.now().toISOString();
    const group: SimGroup = {
      id: input.id,
      type,
      created: ts,
      lastUpdated: ts,
      lastMembershipUpdated: ts,
      profile: {
        ...(input.extraProfile ?? {}),
        name: input.name,
        description: input.description ?? null,
      },
      pushed: input.pushed ?? false,
    };
    this.groups.set(group.id, group);
    this.groupIndex.insert(group.id);
    this.indexName(group, true);
    this.groupMembers.set(group.id, new Set());
    if (type === 'BUILT_IN') {
      this.everyoneId = group.id;
      for (const uid of this.users.keys()) this.link(group.id, uid);
      return group;
    }
    this.onChange({
      eventType: 'group.lifecycle.create',
      displayMessage: 'Create Okta group',
      targets: [groupTarget(group)],
      groupId: group.id,
    });
    return group;
  }

  /** Renames or re-describes an OKTA_GROUP; APP_GROUP and BUILT_IN are read-only here. */
  updateGroup(
    id: string,
    profile: { name?: unknown; description?: unknown } & Record<string, unknown>,
  ): SimGroup {
    const group = this.requireGroup(id);
    if (group.type !== 'OKTA_GROUP') throw new OktaApiError('E0000006');
    const name = profile.name;
    if (typeof name !== 'string' || name.trim() === '') {
      throw validationFailed('name', 'name: The field cannot be left blank');
    }
    const clash = this.findGroupByName(name);
    if (clash && clash.id !== id && clash.type === 'OKTA_GROUP') {
      throw validationFailed(
        'name',
        'name: An object with this field already exists in the current organization',
      );
    }
    this.indexName(group, false);
    group.profile = {
      ...profile,
      name,
      description: typeof profile.description === 'string' ? profile.description : null,
    };
    this.indexName(group, true);
    group.lastUpdated = this.now().toISOString();
    // displayName carries the new name (UNVERIFIED in the reference; consumers re-read the group).
    this.onChange({
      eventType: 'group.profile.update',
      displayMessage: 'Update group profile',
      targets: [groupTarget(group)],
      groupId: group.id,
    });
    return group;
  }

  deleteGroup(id: string): void {
    const group = this.requireGroup(id);
    if (group.type === 'BUILT_IN') throw new OktaApiError('E0000006');
    for (const uid of [...this.membersOf(id)]) this.unlink(id, uid);
    this.groups.delete(id);
    this.indexName(group, false);
    this.groupIndex.remove(id);
    this.groupMembers.delete(id);
    this.onChange({
      eventType: 'group.lifecycle.delete',
      displayMessage: 'Delete Okta group',
      targets: [groupTarget(group)],
      groupId: group.id,
    });
  }

  /** Marks a group as pushed (or not) to the AWS IAM Identity Center app. */
  setGroupPushed(id: string, pushed: boolean): SimGroup {
    const group = this.requireGroup(id);
    group.pushed = pushed;
    this.onChange({
      eventType: 'application.provision.group_push.push_memberships',
      displayMessage: pushed ? 'Push group memberships' : 'Unlink pushed group',
      targets: [groupTarget(group)],
      groupId: group.id,
    });
    return group;
  }

  /** Adds a member; a repeated PUT succeeds without a second event. */
  addMember(groupId: string, userId: string): void {
    const group = this.requireGroup(groupId);
    const user = this.requireUser(userId);
    if (group.type !== 'OKTA_GROUP') throw new OktaApiError('E0000006');
    if (this.isMember(group.id, user.id)) return;
    this.link(group.id, user.id);
    group.lastMembershipUpdated = this.now().toISOString();
    this.onChange({
      eventType: 'group.user_membership.add',
      displayMessage: 'Add user to group membership',
      legacyEventType: 'core.user_group_member.user_add',
      targets: [userTarget(user), groupTarget(group)],
      userId: user.id,
      groupId: group.id,
    });
  }

  /** Removes a member; removing a non-member succeeds without an event. */
  removeMember(groupId: string, userId: string): void {
    const group = this.requireGroup(groupId);
    const user = this.requireUser(userId);
    if (group.type !== 'OKTA_GROUP') throw new OktaApiError('E0000006');
    if (!this.isMember(group.id, user.id)) return;
    this.unlink(group.id, user.id);
    group.lastMembershipUpdated = this.now().toISOString();
    this.onChange({
      eventType: 'group.user_membership.remove',
      displayMessage: 'Remove user from group membership',
      legacyEventType: 'core.user_group_member.user_remove',
      targets: [userTarget(user), groupTarget(group)],
      userId: user.id,
      groupId: group.id,
    });
  }

  // ---- internals ---------------------------------------------------------------------------

  private link(groupId: string, userId: string): void {
    this.groupMembers.get(groupId)?.add(userId);
    this.userGroupIds.get(userId)?.add(groupId);
  }

  private unlink(groupId: string, userId: string): void {
    this.groupMembers.get(groupId)?.delete(userId);
    this.userGroupIds.get(userId)?.delete(groupId);
  }

  private setStatus(user: SimUser, status: OktaUserStatus): void {
    const ts = this.now().toISOString();
    user.status = status;
    user.statusChanged = ts;
    user.lastUpdated = ts;
  }

  private emitUser(
    user: SimUser,
    eventType: string,
    displayMessage: string,
    legacyEventType?: string,
  ): void {
    this.onChange({
      eventType,
      displayMessage,
      ...(legacyEventType ? { legacyEventType } : {}),
      targets: [userTarget(user)],
      userId: user.id,
    });
  }
}
