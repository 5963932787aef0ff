/**
 * Reconcile keys: the unit of work of the continuous service (PRODUCT.md §2). Events only mark
 * keys dirty; a worker re-reads the truth for the key. Keys are plain strings in the store so
 * that the queue can deduplicate them; these helpers are the one place that builds and parses
 * them.
 */

export const ReconcileKeyKinds = ['user', 'group', 'permission-set', 'full'] as const;
export type ReconcileKeyKind = (typeof ReconcileKeyKinds)[number];

/** A parsed reconcile key. */
export type ParsedReconcileKey =
  | { readonly kind: 'user'; readonly id: string }
  | { readonly kind: 'group'; readonly id: string }
  | { readonly kind: 'permission-set'; readonly name: string }
  | { readonly kind: 'full' };

/** The key of the whole directory: discovery, plan and apply. */
export const FULL_RECONCILE_KEY = 'full';

/** `user:<oktaUserId>`. */
export function userKey(oktaUserId: string): string {
  return `user:${oktaUserId}`;
}

/** `group:<oktaGroupId>`. */
export function groupKey(oktaGroupId: string): string {
  return `group:${oktaGroupId}`;
}

/** `permission-set:<name>`. */
export function permissionSetKey(name: string): string {
  return `permission-set:${name}`;
}

// Okta ids are 20 alphanumerics in practice; accept a little more so simulators and older orgs
// fit, but never separators or whitespace, which would let one key alias another.
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const PERMISSION_SET_NAME = /^[\w+=,.@-]{1,32}$/;

/**
 * Parses a key string; returns null for anything that is not a well-formed key, so that callers
 * at the edge (the HTTP API) can answer 400 instead of queueing garbage.
 */
export function parseReconcileKey(key: string): ParsedReconcileKey | null {
  if (key === FULL_RECONCILE_KEY) return { kind: 'full' };
  const colon = key.indexOf(':');
  if (colon < 0) return null;
  const kind = key.slice(0, colon);
  const rest = key.slice(colon + 1);
  switch (kind) {
    case 'user':
      return ID.test(rest) ? { kind: 'user', id: rest } : null;
    case 'group':
      return ID.test(rest) ? { kind: 'group', id: rest } : null;
    case 'permission-set':
      return PERMISSION_SET_NAME.test(rest) ? { kind: 'permission-set', name: rest } : null;
    default:
      return null;
  }
}
