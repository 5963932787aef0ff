import { describe, expect, it } from 'vitest';
import { hookDeliverySchema } from './okta-event-schema.js';
import { keysForEvent, SyncEventTypes } from './okta-event-keys.js';
import { parseReconcileKey } from './reconcile-key.js';

const user = { id: '00u1jdoe2AbCdEfG0h7x', type: 'User' };
const group = { id: '00g1awsAdm2XyZwV0h7x', type: 'UserGroup' };

describe('keysForEvent', () => {
  it('maps membership changes to the user and the group, the group key settling', () => {
    for (const eventType of ['group.user_membership.add', 'group.user_membership.remove']) {
      expect(keysForEvent({ eventType, target: [user, group] })).toEqual({
        keys: ['user:00u1jdoe2AbCdEfG0h7x', 'group:00g1awsAdm2XyZwV0h7x'],
        settling: ['group:00g1awsAdm2XyZwV0h7x'],
      });
    }
  });

  it('indexes targets by type, not position, and tolerates extra targets', () => {
    const extra = { id: '0oaApp', type: 'AppInstance' };
    expect(
      keysForEvent({ eventType: 'group.user_membership.add', target: [extra, group, user] }),
    ).toEqual({
      keys: ['user:00u1jdoe2AbCdEfG0h7x', 'group:00g1awsAdm2XyZwV0h7x'],
      settling: ['group:00g1awsAdm2XyZwV0h7x'],
    });
  });

  it('maps group lifecycle and profile events to the group only', () => {
    for (const eventType of [
      'group.lifecycle.create',
      'group.lifecycle.delete',
      'group.profile.update',
    ]) {
      expect(keysForEvent({ eventType, target: [group, user] })).toEqual({
        keys: ['group:00g1awsAdm2XyZwV0h7x'],
        settling: [],
      });
    }
  });

  it('maps user lifecycle events to the user', () => {
    for (const eventType of [
      'user.lifecycle.deactivate',
      'user.lifecycle.suspend',
      'user.lifecycle.delete.initiated',
      'user.lifecycle.activate',
      'user.lifecycle.reactivate',
      'user.lifecycle.unsuspend',
    ]) {
      expect(keysForEvent({ eventType, target: [user] })).toEqual({
        keys: ['user:00u1jdoe2AbCdEfG0h7x'],
        settling: [],
      });
    }
  });

  it('drops other types and relevant types without the needed target', () => {
    expect(keysForEvent({ eventType: 'user.session.start', target: [user] })).toEqual({
      keys: [],
      dropped: 'irrelevant-type',
    });
    expect(keysForEvent({ eventType: 'user.lifecycle.delete.completed', target: [user] })).toEqual({
      keys: [],
      dropped: 'irrelevant-type',
    });
    expect(keysForEvent({ eventType: 'group.lifecycle.create', target: null })).toEqual({
      keys: [],
      dropped: 'missing-target',
    });
    expect(keysForEvent({ eventType: 'user.lifecycle.suspend', target: [group] })).toEqual({
      keys: [],
      dropped: 'missing-target',
    });
  });

  it('yields only keys that parse back', () => {
    for (const eventType of SyncEventTypes) {
      for (const key of keysForEvent({ eventType, target: [user, group] }).keys) {
        expect(parseReconcileKey(key)).not.toBeNull();
      }
    }
  });
});

describe('parseReconcileKey', () => {
  it('parses every kind and rejects malformed keys', () => {
    expect(parseReconcileKey('full')).toEqual({ kind: 'full' });
    expect(parseReconcileKey('user:00u1')).toEqual({ kind: 'user', id: '00u1' });
    expect(parseReconcileKey('group:00g1')).toEqual({ kind: 'group', id: '00g1' });
    expect(parseReconcileKey('permission-set:ReadOnly')).toEqual({
      kind: 'permission-set',
      name: 'ReadOnly',
    });
    for (const bad of ['', 'user:', 'user:a b', 'group:x:y', 'team:1', 'FULL', 'user']) {
      expect(parseReconcileKey(bad)).toBeNull();
    }
  });
});

describe('hookDeliverySchema', () => {
  const event = {
    uuid: '4f7c2a10-6d2e-11ef-9a1b-2b8c1d4e5f60',
    published: '2026-03-02T14:05:11.812Z',
    eventType: 'group.user_membership.add',
    version: 0,
    insertionTimestamp: null,
    target: [user, group],
  };
  const delivery = {
    eventType: 'com.okta.event_hook',
    eventTypeVersion: '1.0',
    cloudEventsVersion: '0.1',
    eventId: '85b60edb-4263-4e13-993b-818e26201052',
    eventTime: '2026-03-02T14:05:13.094Z',
    contentType: 'application/json',
    data: { events: [event] },
  };

  it('accepts a delivery and keeps unknown fields', () => {
    const parsed = hookDeliverySchema.parse(delivery);
    expect(parsed.data.events[0]?.uuid).toBe(event.uuid);
    expect(parsed.data.events[0]?.['insertionTimestamp']).toBeNull();
  });

  it('rejects deliveries missing what the sync relies on', () => {
    const { uuid: _uuid, ...noUuid } = event;
    for (const bad of [
      { ...delivery, eventType: 'something.else' },
      { ...delivery, eventId: undefined },
      { ...delivery, data: {} },
      { ...delivery, data: { events: [] } },
      { ...delivery, data: { events: [noUuid] } },
      { ...delivery, data: { events: [{ ...event, target: 'x' }] } },
    ]) {
      expect(hookDeliverySchema.safeParse(bad).success).toBe(false);
    }
  });
});
