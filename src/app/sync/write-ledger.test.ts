import { describe, expect, it } from 'vitest';

import { WriteLedger } from './write-ledger.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WriteLedger', () => {
  it('tells a holder which targets were written after its mark, and by what', () => {
    const ledger = new WriteLedger();
    const before = ledger.mark();
    ledger.record('assignment:a', 'create-assignment');
    const after = ledger.mark();
    expect(ledger.writtenAfter('assignment:a', before)).toBe('create-assignment');
    expect(ledger.writtenAfter('assignment:a', after)).toBeUndefined();
    expect(ledger.writtenAfter('assignment:b', before)).toBeUndefined();
  });

  it('runs holders of a common target one after the other, in arrival order', async () => {
    const ledger = new WriteLedger();
    const events: string[] = [];
    let releaseFirst!: () => void;
    const first = ledger.exclusive(['t1', 't2'], async () => {
      events.push('first start');
      await new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      events.push('first end');
    });
    const second = ledger.exclusive(['t2', 't3'], () => {
      events.push('second');
      return Promise.resolve();
    });
    await tick();
    expect(events).toEqual(['first start']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(events).toEqual(['first start', 'first end', 'second']);
  });

  it('lets holders of disjoint targets run at once, and never deadlocks on crossed orders', async () => {
    const ledger = new WriteLedger();
    let running = 0;
    let most = 0;
    const hold = (targets: string[]) =>
      ledger.exclusive(targets, async () => {
        running += 1;
        most = Math.max(most, running);
        await tick();
        running -= 1;
      });
    await Promise.all([hold(['a']), hold(['b'])]);
    expect(most).toBe(2);
    // Crossed orders (a then b, b then a) are taken in one sorted order.
    await Promise.all([hold(['a', 'b']), hold(['b', 'a']), hold(['b']), hold(['a'])]);
  });

  it('releases its targets when the holder throws', async () => {
    const ledger = new WriteLedger();
    await expect(ledger.exclusive(['t'], () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(ledger.exclusive(['t'], () => Promise.resolve('next'))).resolves.toBe('next');
  });
});
