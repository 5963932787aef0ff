/**
 * The Store contract, written once and run against every backend (sqlite-store.test.ts,
 * postgres-store.test.ts). Each test opens its own empty store through `openStore`, so the
 * suite also exercises URL handling and migrations on open.
 */
import { describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';

import type { OktaGroup, OktaGroupId, OktaUser, OktaUserId } from '../../../core/domain/index.js';
import { OperationalError } from '../../../core/errors.js';
import type { Store } from '../../../ports/store.js';
import { STORE_SCHEMA_VERSION } from '../kysely/store-migrations.js';
import { openStore } from '../open-store.js';

/** What a backend's test file provides to the contract. */
export interface StoreContractBackend {
  readonly name: string;
  /** A URL naming a new, empty store (a temp file, a fresh PostgreSQL schema). */
  newStoreUrl(): string;
  /** Writes `store_meta.schema_version` behind the store's back, as a newer build would. */
  setSchemaVersion(url: string, version: number): Promise<void>;
  /** Removes the store `newStoreUrl` named (called when its test finishes). */
  dropStore(url: string): Promise<void>;
}

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

const user = (n: number, status: OktaUser['status'] = 'ACTIVE'): OktaUser => ({
  id: `00u${String(n).padStart(17, '0')}` as OktaUserId,
  login: `user${n}@example.com`,
  status,
});
const group = (n: number): OktaGroup => ({
  id: `00g${String(n).padStart(17, '0')}` as OktaGroupId,
  name: `aws-team-${n}`,
  type: 'OKTA_GROUP',
});

/** Registers the contract suite for `backend`; `null` registers it as skipped (no server). */
export function describeStoreContract(name: string, backend: StoreContractBackend | null): void {
  describe.skipIf(backend === null)(`Store contract: ${name}`, () => {
    /**
     * Per-test resources: every store opened and every URL made is closed and dropped when the
     * test finishes. `setClock` drives defaulted timestamps. The tests run one after another:
     * Kysely's migrator introspects every schema of the database, which races with schemas being
     * dropped by concurrent tests.
     */
    function fixture(onTestFinished: TestContext['onTestFinished']) {
      const stores: Store[] = [];
      const urls: string[] = [];
      let clockNow = T0;
      onTestFinished(async () => {
        for (const store of stores) await store.close().catch(() => undefined);
        for (const url of urls) await backend!.dropStore(url);
      });
      const newStoreUrl = (): string => {
        const url = backend!.newStoreUrl();
        urls.push(url);
        return url;
      };
      return {
        newStoreUrl,
        setClock: (now: Date): void => {
          clockNow = now;
        },
        track: (store: Store): Store => {
          stores.push(store);
          return store;
        },
        open: async (url?: string): Promise<Store> => {
          const store = await openStore(url ?? newStoreUrl(), { clock: () => clockNow });
          stores.push(store);
          return store;
        },
      };
    }

    describe('migrations', () => {
      it('migrates an empty store to the current version, reporting each migration', async ({
        onTestFinished,
      }) => {
        const { newStoreUrl, track } = fixture(onTestFinished);
        const store = track(await openStore(newStoreUrl(), { migrate: false }));
        const first = await store.migrate();
        expect(first.error).toBeNull();
        expect(first.schemaVersion).toBe(STORE_SCHEMA_VERSION);
        expect(first.results.length).toBe(STORE_SCHEMA_VERSION);
        expect(first.results.every((r) => r.status === 'Success')).toBe(true);
        const again = await store.migrate();
        expect(again).toEqual({ schemaVersion: STORE_SCHEMA_VERSION, results: [], error: null });
      });

      it('re-opens a migrated store without migrating again and keeps its data', async ({
        onTestFinished,
      }) => {
        const { open, newStoreUrl } = fixture(onTestFinished);
        const url = newStoreUrl();
        const store = await open(url);
        await store.setCursor('okta.systemLog', 'https://example.okta.com/api/v1/logs?after=1');
        await store.close();
        const reopened = await open(url);
        expect(await reopened.migrate()).toEqual({
          schemaVersion: STORE_SCHEMA_VERSION,
          results: [],
          error: null,
        });
        expect(await reopened.getCursor('okta.systemLog')).toBe(
          'https://example.okta.com/api/v1/logs?after=1',
        );
      });

      it('refuses a store migrated by a newer build and leaves it untouched', async ({
        onTestFinished,
      }) => {
        const { open, newStoreUrl } = fixture(onTestFinished);
        const url = newStoreUrl();
        const store = await open(url);
        await store.close();
        await backend!.setSchemaVersion(url, STORE_SCHEMA_VERSION + 1);
        const error = await openStore(url).then(
          (s) => s.close().then(() => null),
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(OperationalError);
        expect((error as OperationalError).code).toBe('STORE_SCHEMA_TOO_NEW');
        expect((error as OperationalError).message).toMatch(
          new RegExp(`schema version ${STORE_SCHEMA_VERSION + 1}, newer than this build`),
        );
      });
    });

    describe('transactions', () => {
      it('commits every write of a transaction together', async ({ onTestFinished }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        const result = await store.transaction(async (tx) => {
          await tx.setCursor('a', '1');
          await tx.appendAudit({ actor: 'test', action: 'create', target: 'x' });
          // A nested call joins the same transaction.
          await tx.transaction((inner) => inner.setCursor('b', '2'));
          return 'done';
        });
        expect(result).toBe('done');
        expect(await store.getCursor('a')).toBe('1');
        expect(await store.getCursor('b')).toBe('2');
        expect(await store.listAudit({ limit: 10 })).toHaveLength(1);
      });

      it('rolls back every write when the function throws, and rethrows', async ({
        onTestFinished,
      }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        await store.setCursor('a', 'before');
        const failure = new Error('boom');
        await expect(
          store.transaction(async (tx) => {
            await tx.setCursor('a', 'after');
            await tx.enqueue('group:1');
            await tx.journalEvents([
              {
                uuid: 'u-1',
                eventType: 't',
                published: T0.toISOString(),
                channel: 'hook',
                body: {},
              },
            ]);
            throw failure;
          }),
        ).rejects.toBe(failure);
        expect(await store.getCursor('a')).toBe('before');
        expect(await store.getEvent('u-1')).toBeNull();
        expect((await store.queueStats()).waiting).toBe(0);
      });

      it('refuses close() and migrate() on a transaction-bound store', async ({
        onTestFinished,
      }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        await store.transaction(async (tx) => {
          await expect(tx.close()).rejects.toThrow(/inside a transaction/);
          await expect(tx.migrate()).rejects.toThrow(/inside a transaction/);
        });
        expect(await store.getCursor('x')).toBeNull();
      });
    });

    describe('event journal', () => {
      const event = (uuid: string) => ({
        uuid,
        eventType: 'group.user_membership.add',
        published: T0.toISOString(),
        channel: 'hook' as const,
        body: { uuid, target: [{ id: '00g1' }] },
      });

      it('journals each uuid once and reports duplicates, within and across calls', async ({
        onTestFinished,
      }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        const first = await store.journalEvents([event('a'), event('b'), event('a')]);
        expect(first).toEqual({ added: ['a', 'b'], duplicates: ['a'] });
        const second = await store.journalEvents([event('b'), event('c')]);
        expect(second).toEqual({ added: ['c'], duplicates: ['b'] });
        expect(await store.countEventsByState()).toEqual({
          received: 3,
          processed: 0,
          dropped: 0,
          failed: 0,
        });
        const stored = await store.getEvent('a');
        expect(stored).toMatchObject({
          uuid: 'a',
          state: 'received',
          keys: [],
          error: null,
          receivedAt: T0.toISOString(),
          body: { uuid: 'a', target: [{ id: '00g1' }] },
        });
      });

      it('journals an event in the state the caller gives, with its keys or error', async ({
        onTestFinished,
      }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        const result = await store.journalEvents([
          { ...event('a'), state: 'processed', keys: ['user:00u1', 'group:00g1'] },
          { ...event('b'), state: 'dropped', error: 'irrelevant-event-type' },
        ]);
        expect(result).toEqual({ added: ['a', 'b'], duplicates: [] });
        expect(await store.getEvent('a')).toMatchObject({
          state: 'processed',
          keys: ['user:00u1', 'group:00g1'],
          error: null,
        });
        expect(await store.getEvent('b')).toMatchObject({
          state: 'dropped',
          keys: [],
          error: 'irrelevant-event-type',
        });
        // A duplicate keeps the first journaling's state.
        await store.journalEvents([{ ...event('a'), state: 'failed', error: 'x' }]);
        expect((await store.getEvent('a'))?.state).toBe('processed');
      });

      it('journals each uuid once when two writers deliver overlapping batches at once', async ({
        onTestFinished,
      }) => {
        const { open, newStoreUrl } = fixture(onTestFinished);
        const url = newStoreUrl();
        const a = await open(url);
        // SQLite has one writer at a time; concurrent writers share one store (its connection).
        const b = a.capabilities.supportsConcurrentWriters ? await open(url) : a;
        const uuids = Array.from({ length: 30 }, (_, i) => `evt-${String(i).padStart(2, '0')}`);
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) => {
            const order = i % 2 === 0 ? uuids : [...uuids].reverse();
            return (i % 2 === 0 ? a : b).journalEvents(order.map(event));
          }),
        );
        const added = results.flatMap((r) => r.added);
        expect(added.sort()).toEqual(uuids);
        for (const r of results) expect([...r.added, ...r.duplicates].sort()).toEqual(uuids);
        expect((await a.countEventsByState()).received).toBe(30);
      });

      it('queries events by state', async ({ onTestFinished }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        await store.journalEvents([
          { ...event('a'), state: 'processed', keys: ['group:00g1'] },
          { ...event('b'), state: 'failed', error: 'okta 500' },
          event('c'),
        ]);
        expect(await store.getEvent('zzz')).toBeNull();
        expect((await store.getEvent('a'))?.keys).toEqual(['group:00g1']);
        expect((await store.getEvent('b'))?.error).toBe('okta 500');
        const received = await store.listEvents({ state: 'received', limit: 10 });
        expect(received.map((e) => e.uuid)).toEqual(['c']);
        expect((await store.listEvents({ limit: 2 })).length).toBe(2);
        expect(await store.countEventsByState()).toEqual({
          received: 1,
          processed: 1,
          dropped: 0,
          failed: 1,
        });
      });
    });

    describe('work queue', () => {
      it('does not add a waiting key twice and keeps the earlier run time', async ({
        onTestFinished,
      }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        await store.enqueue('k', { now: T0, notBefore: at(10_000) });
        await store.enqueue('k', { now: T0, notBefore: at(5_000) });
        await store.enqueue('k', { now: T0, notBefore: at(60_000) });
        expect(await store.queueStats()).toEqual({
          waiting: 1,
          processing: 0,
          failed: 0,
          oldest: T0.toISOString(),
        });
        expect(await store.claim('w1', { leaseMs: 1000, now: at(4_999) })).toEqual([]);
        const [claimed] = await store.claim('w1', { leaseMs: 1000, now: at(5_000) });
        expect(claimed).toMatchObject({ key: 'k', attempts: 1, lastError: null });
        expect(await store.claim('w2', { leaseMs: 1000, now: at(5_000) })).toEqual([]);
      });

      it('enqueues many keys at once with the semantics of one enqueue each', async ({
        onTestFinished,
      }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        await store.enqueue('held', { now: T0 });
        await store.claim('w1', { leaseMs: 1000, now: T0 });
        await store.enqueue('waiting', { now: T0, notBefore: at(5_000) });
        await store.enqueueAll(['new', 'held', 'waiting', 'new'], { now: at(1), notBefore: at(2) });
        expect(await store.queueStats()).toMatchObject({ waiting: 2, processing: 1 });
        // `waiting` moved to the earlier run time; `held` is dirty and runs again after release.
        const claimed = await store.claim('w2', { leaseMs: 1000, limit: 5, now: at(2) });
        expect(claimed.map((c) => c.key).sort()).toEqual(['new', 'waiting']);
        expect(await store.complete('held', 'w1', { now: at(3) })).toBe(true);
        expect(await store.claim('w3', { leaseMs: 1000, now: at(3) })).toMatchObject([
          { key: 'held' },
        ]);
        await store.enqueueAll([]);
        expect(await store.queueStats()).toMatchObject({ waiting: 0, processing: 3 });
      });

      it('claims earliest first, up to the limit', async ({ onTestFinished }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        await store.enqueue('late', { notBefore: at(3) });
        await store.enqueue('early', { notBefore: at(1) });
        await store.enqueue('middle', { notBefore: at(2) });
        const claimed = await store.claim('w', { leaseMs: 1000, limit: 2, now: at(10) });
        expect(claimed.map((c) => c.key)).toEqual(['early', 'middle']);
        expect(claimed[0]?.leaseExpiresAt).toBe(at(1010).toISOString());
      });

      it('claims expired leases and due keys together, by run time then key', async ({
        onTestFinished,
      }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        await store.enqueue('b-expired', { now: T0 });
        await store.claim('crashed', { leaseMs: 1000, now: T0 });
        await store.enqueueAll(['c-due', 'a-due'], { notBefore: at(5), now: T0 });
        await store.enqueue('d-later', { notBefore: at(5000), now: T0 });
        const first = await store.claim('w', { leaseMs: 1000, limit: 2, now: at(2000) });
        expect(first.map((c) => c.key)).toEqual(['b-expired', 'a-due']);
        const rest = await store.claim('w', { leaseMs: 1000, limit: 5, now: at(2000) });
        expect(rest.map((c) => c.key)).toEqual(['c-due']);
      });

      it('claims the next key and says whether another was runnable', async ({
        onTestFinished,
      }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        await store.enqueue('b-expired', { now: T0 });
        await store.claim('crashed', { leaseMs: 1000, now: T0 });
        await store.enqueue('a-due', { notBefore: at(5), now: T0 });
        await store.enqueue('c-later', { notBefore: at(5000), now: T0 });
        const next = (id: string, now: Date) => store.claimNext(id, { leaseMs: 10_000, now });
        const first = await next('w1', at(2000));
        expect(first).toMatchObject({ claimed: { key: 'b-expired', attempts: 2 } });
        expect(first.moreRunnable).toBe(true);
        // The last runnable key: nothing else is due yet.
        const second = await next('w2', at(2000));
        expect(second).toMatchObject({ claimed: { key: 'a-due' }, moreRunnable: false });
        expect(await next('w3', at(2000))).toEqual({ claimed: null, moreRunnable: false });
        expect(await next('w3', at(5000))).toMatchObject({
          claimed: { key: 'c-later', leaseExpiresAt: at(15_000).toISOString() },
          moreRunnable: false,
        });
        expect(await store.queueStats()).toMatchObject({ waiting: 0, processing: 3 });
      });

      it('completes a key, which then leaves the queue', async ({ onTestFinished }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        await store.enqueue('k', { now: T0 });
        await store.claim('w', { leaseMs: 1000, now: T0 });
        expect(await store.complete('k', 'w', { now: at(1) })).toBe(true);
        expect(await store.queueStats()).toEqual({
          waiting: 0,
          processing: 0,
          failed: 0,
          oldest: null,
        });
        expect(await store.claim('w', { leaseMs: 1000, now: at(10_000) })).toEqual([]);
      });

      it('runs a key re-added while processing once more after release', async ({
        onTestFinished,
      }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        await store.enqueue('k', { now: T0 });
        await store.claim('w1', { leaseMs: 1000, now: T0 });
        await store.enqueue('k', { now: at(10) });
        await store.enqueue('k', { now: at(20) });
        // Still held: nobody else gets it while it runs.
        expect(await store.claim('w2', { leaseMs: 1000, now: at(30) })).toEqual([]);
        expect(await store.queueStats()).toMatchObject({ waiting: 0, processing: 1 });
        expect(await store.complete('k', 'w1', { now: at(40) })).toBe(true);
        const again = await store.claim('w2', { leaseMs: 1000, now: at(40) });
        expect(again).toMatchObject([{ key: 'k', attempts: 1 }]);
        expect(await store.complete('k', 'w2', { now: at(50) })).toBe(true);
        expect(await store.claim('w1', { leaseMs: 1000, now: at(60) })).toEqual([]);
      });

      it('lets another worker take a key whose lease expired; the old holder is refused', async ({
        onTestFinished,
      }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        await store.enqueue('k', { now: T0 });
        await store.claim('crashed', { leaseMs: 1000, now: T0 });
        expect(await store.claim('w2', { leaseMs: 1000, now: at(999) })).toEqual([]);
        const [taken] = await store.claim('w2', { leaseMs: 1000, now: at(1000) });
        expect(taken).toMatchObject({ key: 'k', attempts: 2 });
        expect(await store.complete('k', 'crashed', { now: at(1001) })).toBe(false);
        expect(await store.retryLater('k', 'crashed', { error: 'x', notBefore: at(2) })).toBe(
          false,
        );
        expect(await store.renewLease('k', 'w2', { leaseMs: 5000, now: at(1500) })).toBe(true);
        expect(await store.claim('w3', { leaseMs: 1000, now: at(2500) })).toEqual([]);
        expect(await store.complete('k', 'w2', { now: at(2600) })).toBe(true);
      });

      it('retries later at the caller’s backoff time, counting attempts and keeping the error', async ({
        onTestFinished,
      }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        await store.enqueue('k', { now: T0 });
        await store.claim('w', { leaseMs: 1000, now: T0 });
        expect(
          await store.retryLater('k', 'w', {
            error: 'Throttling',
            notBefore: at(60_000),
            now: at(5),
          }),
        ).toBe(true);
        expect(await store.queueStats()).toMatchObject({ waiting: 1, processing: 0 });
        expect(await store.claim('w', { leaseMs: 1000, now: at(59_999) })).toEqual([]);
        const [second] = await store.claim('w', { leaseMs: 1000, now: at(60_000) });
        expect(second).toMatchObject({ key: 'k', attempts: 2, lastError: 'Throttling' });
        await store.retryLater('k', 'w', { error: 'Throttling again', notBefore: at(180_000) });
        const [third] = await store.claim('w', { leaseMs: 1000, now: at(180_000) });
        expect(third).toMatchObject({ attempts: 3, lastError: 'Throttling again' });
      });

      it('records a terminal failure and does not retry it until enqueued again', async ({
        onTestFinished,
      }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        await store.enqueue('k', { now: T0 });
        await store.claim('w', { leaseMs: 1000, now: T0 });
        expect(await store.failTerminal('k', 'w', 'AccessDenied', { now: at(7) })).toBe(true);
        expect(await store.claim('w', { leaseMs: 1000, now: at(10_000_000) })).toEqual([]);
        expect(await store.queueStats()).toEqual({
          waiting: 0,
          processing: 0,
          failed: 1,
          oldest: null,
        });
        expect(await store.listFailedKeys(10)).toEqual([
          { key: 'k', attempts: 1, error: 'AccessDenied', failedAt: at(7).toISOString() },
        ]);
        await store.enqueue('k', { now: at(100) });
        const [fresh] = await store.claim('w', { leaseMs: 1000, now: at(100) });
        expect(fresh).toMatchObject({ key: 'k', attempts: 1 });
        expect((await store.queueStats()).failed).toBe(0);
      });

      it('runs new work re-added during a terminally failing run', async ({ onTestFinished }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        await store.enqueue('k', { now: T0 });
        await store.claim('w', { leaseMs: 1000, now: T0 });
        await store.enqueue('k', { now: at(3) });
        await store.failTerminal('k', 'w', 'bad', { now: at(5) });
        const [rerun] = await store.claim('w', { leaseMs: 1000, now: at(5) });
        expect(rerun).toMatchObject({ key: 'k', attempts: 1, lastError: 'bad' });
      });

      it('never gives one key to two concurrent claimers', async ({ onTestFinished }) => {
        const { open, newStoreUrl } = fixture(onTestFinished);
        const url = newStoreUrl();
        const a = await open(url);
        const b = await open(url);
        const keys = Array.from({ length: 40 }, (_, i) => `group:${String(i).padStart(3, '0')}`);
        for (const key of keys) await a.enqueue(key, { now: T0 });
        // Both claim at once, holding what they get: the sets must be disjoint and complete.
        const rounds = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            (i % 2 === 0 ? a : b).claim(`w${i % 2}`, { leaseMs: 60_000, limit: 4, now: at(1) }),
          ),
        );
        const claimed = rounds.flat().map((c) => c.key);
        expect(new Set(claimed).size).toBe(claimed.length);
        const remaining = await b.claim('w1', { leaseMs: 60_000, limit: 100, now: at(1) });
        expect([...claimed, ...remaining.map((c) => c.key)].sort()).toEqual(keys);

        // And workers that claim, complete and loop process every key exactly once.
        const second = keys.map((k) => `${k}:second`);
        for (const key of second) await a.enqueue(key, { now: at(2) });
        const processed: string[] = [];
        async function worker(store: Store, id: string): Promise<void> {
          for (;;) {
            const batch = await store.claim(id, { leaseMs: 60_000, limit: 3, now: at(3) });
            if (batch.length === 0) return;
            for (const item of batch) {
              processed.push(item.key);
              expect(await store.complete(item.key, id, { now: at(3) })).toBe(true);
            }
          }
        }
        await Promise.all([worker(a, 'wa'), worker(b, 'wb'), worker(a, 'wc'), worker(b, 'wd')]);
        expect(processed.sort()).toEqual([...second].sort());
      });
    });

    describe('ownership', () => {
      it('upserts idempotently, keeping who created it and when', async ({ onTestFinished }) => {
        const { open, setClock } = fixture(onTestFinished);
        const store = await open();
        setClock(at(1));
        const first = await store.upsertOwnership({
          key: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1',
          kind: 'permissionSet',
          rule: 'admins',
          createdByRun: 'run-1',
        });
        expect(first.created).toBe(true);
        setClock(at(2));
        const second = await store.upsertOwnership({
          key: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1',
          kind: 'permissionSet',
          rule: 'platform-admins',
          createdByRun: 'run-2',
        });
        expect(second).toEqual({
          created: false,
          record: {
            key: 'arn:aws:sso:::permissionSet/ssoins-1/ps-1',
            kind: 'permissionSet',
            rule: 'platform-admins',
            createdByRun: 'run-1',
            createdAt: at(1).toISOString(),
            updatedAt: at(2).toISOString(),
          },
        });
        await store.upsertOwnership({ key: 'a|1|p|USER|u', kind: 'assignment', rule: 'admins' });
        // Byte order on both backends: '|' sorts after letters.
        expect((await store.listOwnership()).map((o) => o.key)).toEqual([
          'arn:aws:sso:::permissionSet/ssoins-1/ps-1',
          'a|1|p|USER|u',
        ]);
        expect((await store.listOwnership({ kind: 'assignment' })).map((o) => o.key)).toEqual([
          'a|1|p|USER|u',
        ]);
        expect((await store.listOwnership({ rule: 'platform-admins' })).length).toBe(1);
        expect(await store.deleteOwnership('a|1|p|USER|u')).toBe(true);
        expect(await store.deleteOwnership('a|1|p|USER|u')).toBe(false);
        expect(await store.getOwnership('a|1|p|USER|u')).toBeNull();
      });
    });

    describe('cursors', () => {
      it('gets null for an unknown cursor and the last value set', async ({ onTestFinished }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        expect(await store.getCursor('okta.systemLog')).toBeNull();
        await store.setCursor('okta.systemLog', 'https://o/api/v1/logs?after=1');
        await store.setCursor('okta.systemLog', 'https://o/api/v1/logs?after=2');
        expect(await store.getCursor('okta.systemLog')).toBe('https://o/api/v1/logs?after=2');
      });
    });

    describe('audit log', () => {
      it('appends entries in order and offers no way to change them', async ({
        onTestFinished,
      }) => {
        const { open, setClock } = fixture(onTestFinished);
        const store = await open();
        setClock(at(9));
        const first = await store.appendAudit({
          actor: 'cli:alice',
          action: 'assignment.create',
          target: 'a|1|p|USER|u',
          details: { rule: 'admins' },
          requestId: 'req-1',
        });
        const second = await store.appendAudit({ actor: 'service', action: 'x', target: 't2' });
        expect(second.id).toBeGreaterThan(first.id);
        expect(first).toEqual({
          id: first.id,
          actor: 'cli:alice',
          action: 'assignment.create',
          target: 'a|1|p|USER|u',
          details: { rule: 'admins' },
          requestId: 'req-1',
          at: at(9).toISOString(),
        });
        expect(await store.listAudit({ limit: 10 })).toEqual([first, second]);
        expect(await store.listAudit({ limit: 10, afterId: first.id })).toEqual([second]);
        expect(await store.listAudit({ limit: 10, target: 't2' })).toEqual([second]);
        const auditMethods = Object.getOwnPropertyNames(Object.getPrototypeOf(store)).filter((m) =>
          /audit/i.test(m),
        );
        expect(auditMethods.sort()).toEqual(['appendAudit', 'listAudit']);
      });
    });

    describe('snapshots', () => {
      it('finds the latest snapshot overall and by source, and lists newest first', async ({
        onTestFinished,
      }) => {
        const { open } = fixture(onTestFinished);
        const store = await open();
        const base = { summary: { accounts: 3 }, durationMs: 12, calls: 7, notInspected: [] };
        await store.saveSnapshot({
          ...base,
          id: 's1',
          source: 'aws',
          createdAt: at(1).toISOString(),
          body: { n: 1 },
        });
        await store.saveSnapshot({
          ...base,
          id: 's2',
          source: 'okta',
          createdAt: at(2).toISOString(),
          body: { n: 2 },
        });
        await store.saveSnapshot({
          ...base,
          id: 's3',
          source: 'aws',
          createdAt: at(3).toISOString(),
          body: { n: 3 },
          notInspected: [{ accountId: '111111111111', reason: 'AccessDenied' }],
        });
        expect((await store.latestSnapshot())?.id).toBe('s3');
        expect((await store.latestSnapshot('okta'))?.body).toEqual({ n: 2 });
        expect(await store.latestSnapshot('all')).toBeNull();
        expect(await store.getSnapshot('s3')).toEqual({
          ...base,
          id: 's3',
          source: 'aws',
          createdAt: at(3).toISOString(),
          body: { n: 3 },
          notInspected: [{ accountId: '111111111111', reason: 'AccessDenied' }],
        });
        const listed = await store.listSnapshots(2);
        expect(listed.map((s) => s.id)).toEqual(['s3', 's2']);
        expect(listed[0]).not.toHaveProperty('body');
        const generated = await store.saveSnapshot({ ...base, source: 'all', body: null });
        expect(generated.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(generated.createdAt).toBe(T0.toISOString());
      });
    });

    describe('okta cache', () => {
      it('caches users, groups and memberships by Okta id', async ({ onTestFinished }) => {
        const { open, setClock } = fixture(onTestFinished);
        const store = await open();
        setClock(at(1));
        await store.putOktaUsers([user(1), user(2), user(3)]);
        await store.putOktaGroups([group(1), group(2)]);
        setClock(at(2));
        await store.putOktaUsers([user(2, 'SUSPENDED')]);
        expect(await store.getOktaUser(user(2).id)).toEqual({
          value: user(2, 'SUSPENDED'),
          updatedAt: at(2).toISOString(),
        });
        expect((await store.listOktaUsers()).map((c) => c.value.id)).toEqual(
          [user(1), user(2), user(3)].map((u) => u.id),
        );
        await store.replaceGroupMembers(group(1).id, [user(1).id, user(2).id, user(1).id]);
        await store.replaceGroupMembers(group(1).id, [user(2).id, user(3).id]);
        await store.addGroupMember(group(2).id, user(2).id);
        await store.addGroupMember(group(2).id, user(2).id);
        expect(await store.listGroupMembers(group(1).id)).toEqual([user(2).id, user(3).id]);
        expect(await store.listUserGroups(user(2).id)).toEqual([group(1).id, group(2).id]);
        expect(await store.removeGroupMember(group(1).id, user(3).id)).toBe(true);
        expect(await store.removeGroupMember(group(1).id, user(3).id)).toBe(false);
        expect(await store.deleteOktaGroup(group(1).id)).toBe(true);
        expect(await store.getOktaGroup(group(1).id)).toBeNull();
        expect(await store.listUserGroups(user(2).id)).toEqual([group(2).id]);
        expect(await store.deleteOktaUser(user(2).id)).toBe(true);
        expect(await store.listGroupMembers(group(2).id)).toEqual([]);
        expect((await store.listOktaGroups()).map((c) => c.value)).toEqual([group(2)]);
      });
    });

    describe('plans and runs', () => {
      it('stores plans, runs and one result per operation', async ({ onTestFinished }) => {
        const { open, setClock } = fixture(onTestFinished);
        const store = await open();
        setClock(at(1));
        await store.savePlan({ id: 'p1', summary: { creates: 2 }, body: { version: 1, ops: [] } });
        expect(await store.getPlan('p1')).toEqual({
          id: 'p1',
          createdAt: at(1).toISOString(),
          summary: { creates: 2 },
          body: { version: 1, ops: [] },
        });
        const started = await store.createRun({ id: 'r1', trigger: 'cli:apply', planId: 'p1' });
        expect(started).toMatchObject({ status: 'running', finishedAt: null, cause: null });
        const op = {
          runId: 'r1',
          opIndex: 0,
          kind: 'createAssignment',
          key: 'a|1|p|USER|u',
          status: 'Pending' as const,
          cause: null,
          awsRequestId: 'req-1',
          attempts: 1,
          startedAt: at(2).toISOString(),
          finishedAt: null,
        };
        await store.recordOperation(op);
        await store.recordOperation({ ...op, status: 'Success', finishedAt: at(3).toISOString() });
        await store.recordOperation({
          ...op,
          opIndex: 1,
          status: 'NotExecuted',
          cause: 'maxDeletes',
        });
        expect((await store.listOperations('r1')).map((o) => [o.opIndex, o.status])).toEqual([
          [0, 'Success'],
          [1, 'NotExecuted'],
        ]);
        setClock(at(4));
        expect(await store.finishRun('r1', { status: 'partial', summary: { ok: 1 } })).toBe(true);
        expect(await store.finishRun('nope', { status: 'failed' })).toBe(false);
        expect(await store.getRun('r1')).toEqual({
          id: 'r1',
          startedAt: at(1).toISOString(),
          finishedAt: at(4).toISOString(),
          trigger: 'cli:apply',
          cause: null,
          planId: 'p1',
          status: 'partial',
          summary: { ok: 1 },
        });
        await store.createRun({
          id: 'r2',
          trigger: 'event',
          cause: 'uuid-1',
          startedAt: at(5).toISOString(),
        });
        expect((await store.listRuns(10)).map((r) => r.id)).toEqual(['r2', 'r1']);
        expect((await store.listPlans(10)).map((p) => p.id)).toEqual(['p1']);
      });
    });
  });
}
