/**
 * Secret comparison that takes the same time whatever the input. Both sides are hashed first so
 * that `timingSafeEqual` always compares equal-length buffers and the length of the secret does
 * not leak either.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** True when `presented` equals `expected`; false for a missing or different value. */
export function secretsMatch(presented: string | undefined, expected: string): boolean {
  // Compare even when nothing was presented, so that a missing header costs the same time.
  const same = timingSafeEqual(digest(presented ?? ''), digest(expected));
  return same && presented !== undefined;
}
