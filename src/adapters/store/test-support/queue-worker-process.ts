/**
 * A worker process for the multi-process SQLite test: opens the store named by argv[2], journals
 * the events argv[3..] (overlapping with other workers) in one transaction, then claims and
 * completes keys until none is left, and prints what it did as one JSON line.
 */
import { openStore } from '../open-store.js';

const [url, workerId, ...uuids] = process.argv.slice(2);
if (!url || !workerId)
  throw new Error('usage: queue-worker-process <store-url> <worker-id> [uuid…]');
const store = await openStore(url);
const journal = await store.journalEvents(
  uuids.map((uuid) => ({
    uuid,
    eventType: 'group.user_membership.add',
    published: '2026-01-01T00:00:00.000Z',
    channel: 'hook' as const,
    body: { uuid },
  })),
);
const claimed: string[] = [];
for (;;) {
  const batch = await store.claim(workerId, { leaseMs: 600_000, limit: 2 });
  if (batch.length === 0) break;
  for (const item of batch) {
    claimed.push(item.key);
    if (!(await store.complete(item.key, workerId))) throw new Error(`lost ${item.key}`);
  }
}
await store.close();
process.stdout.write(`${JSON.stringify({ claimed, added: journal.added })}\n`);
