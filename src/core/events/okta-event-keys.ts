/**
 * Which reconcile keys an Okta event marks dirty (issue 7, "events to keys"). Events are hints,
 * never truth: nothing here reads the event beyond its type and the ids of its targets.
 */
import { groupKey, userKey } from './reconcile-key.js';

const MEMBERSHIP_EVENTS = ['group.user_membership.add', 'group.user_membership.remove'] as const;
const GROUP_EVENTS = [
  'group.lifecycle.create',
  'group.lifecycle.delete',
  'group.profile.update',
] as const;
const USER_EVENTS = [
  'user.lifecycle.deactivate',
  'user.lifecycle.suspend',
  'user.lifecycle.delete.initiated',
  'user.lifecycle.activate',
  'user.lifecycle.reactivate',
  'user.lifecycle.unsuspend',
] as const;

/** Every event type the sync acts on; the System Log poller filters on these. */
export const SyncEventTypes = [...MEMBERSHIP_EVENTS, ...GROUP_EVENTS, ...USER_EVENTS] as const;
export type SyncEventType = (typeof SyncEventTypes)[number];

const syncEventTypes: ReadonlySet<string> = new Set(SyncEventTypes);

/** True when the sync acts on events of this type. */
export function isSyncEventType(eventType: string): eventType is SyncEventType {
  return syncEventTypes.has(eventType);
}

/** The part of a LogEvent target the mapping reads. */
export interface EventTarget {
  readonly id?: string | null;
  readonly type?: string | null;
}

/** The part of a LogEvent the mapping reads. */
export interface KeyedEvent {
  readonly eventType: string;
  readonly target?: readonly EventTarget[] | null;
}

/**
 * Why an event yields no key: its type is not one the sync acts on, or it lacks the target that
 * names the key (a malformed or early-preview payload).
 */
export const DropReasons = ['irrelevant-type', 'missing-target'] as const;
export type DropReason = (typeof DropReasons)[number];

export type EventKeys =
  | {
      readonly keys: readonly string[];
      /**
       * The part of `keys` that may wait for the membership settle window: a membership event's
       * group key. The user's access is decided by the user key, which runs at once; the group
       * key re-reads the whole group, so a burst of membership changes to one group is swept by
       * one run of it instead of one per change.
       */
      readonly settling: readonly string[];
    }
  | { readonly keys: readonly []; readonly dropped: DropReason };

// okta.md §2.1: index targets by type, never by position, and tolerate extras.
function targetIds(event: KeyedEvent, type: 'User' | 'UserGroup'): string[] {
  const ids: string[] = [];
  for (const target of event.target ?? []) {
    if (target.type === type && typeof target.id === 'string' && target.id !== '') {
      if (!ids.includes(target.id)) ids.push(target.id);
    }
  }
  return ids;
}

/**
 * The keys an event marks dirty:
 * - `group.user_membership.add/remove` → `user:<id>` and `group:<id>` (the group key settling);
 * - `group.lifecycle.create/delete`, `group.profile.update` → `group:<id>`;
 * - `user.lifecycle.deactivate/suspend/delete.initiated/activate/reactivate/unsuspend` →
 *   `user:<id>`.
 * Any other type is dropped with `irrelevant-type`; a relevant type whose targets do not name a
 * user or group is dropped with `missing-target`.
 */
export function keysForEvent(event: KeyedEvent): EventKeys {
  if (!isSyncEventType(event.eventType)) return { keys: [], dropped: 'irrelevant-type' };
  const users = targetIds(event, 'User').map(userKey);
  const groups = targetIds(event, 'UserGroup').map(groupKey);
  let keys: string[];
  let settling: string[] = [];
  if ((MEMBERSHIP_EVENTS as readonly string[]).includes(event.eventType)) {
    // Either half is still worth reconciling when the other target is missing.
    keys = [...users, ...groups];
    settling = groups;
  } else if ((GROUP_EVENTS as readonly string[]).includes(event.eventType)) {
    keys = groups;
  } else {
    keys = users;
  }
  return keys.length > 0 ? { keys, settling } : { keys: [], dropped: 'missing-target' };
}
