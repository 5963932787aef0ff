import type {
  CustomerManagedPolicyReference,
  PermissionSetDefinition,
  PermissionsBoundary,
} from '../domain/identity-center.js';
import type { PermissionSetChange } from './plan.js';

/** AWS applies PT1H when a permission set has no session duration. */
const DEFAULT_SESSION_DURATION = 'PT1H';

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const cmpKey = (ref: CustomerManagedPolicyReference): string => `${ref.path || '/'}${ref.name}`;

/** JSON with object keys sorted, so that reformatting by AWS is not drift. */
function canonicalJson(text: string): string {
  try {
    return JSON.stringify(sortKeys(JSON.parse(text)));
  } catch {
    return text;
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return sorted;
  }
  return value;
}

function boundaryKey(boundary: PermissionsBoundary | undefined): string {
  if (!boundary) return '';
  return boundary.kind === 'managed'
    ? `managed:${boundary.managedPolicyArn}`
    : `customer-managed:${cmpKey(boundary.reference)}`;
}

const blankToUndefined = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

/**
 * The exact field changes that turn `actual` into `desired`, in a fixed order: description,
 * session duration, relay state, managed policies (attach then detach, by ARN), customer-managed
 * policies, inline policy, permissions boundary, tags (by key). Empty means no drift. An absent
 * session duration equals PT1H and an empty string equals absent, as AWS treats them; inline
 * policies compare as JSON, not as text.
 */
export function diffPermissionSet(
  desired: PermissionSetDefinition,
  actual: PermissionSetDefinition,
): PermissionSetChange[] {
  const changes: PermissionSetChange[] = [];
  const scalar = (field: 'description' | 'relayState', to?: string, from?: string): void => {
    const t = blankToUndefined(to);
    const f = blankToUndefined(from);
    if (t !== f) changes.push({ field, from: f, to: t });
  };
  scalar('description', desired.description, actual.description);
  const toDuration = desired.sessionDuration ?? DEFAULT_SESSION_DURATION;
  const fromDuration = actual.sessionDuration ?? DEFAULT_SESSION_DURATION;
  if (toDuration !== fromDuration) {
    changes.push({ field: 'sessionDuration', from: fromDuration, to: toDuration });
  }
  scalar('relayState', desired.relayState, actual.relayState);

  const wantedManaged = new Set<string>(desired.managedPolicies);
  const haveManaged = new Set<string>(actual.managedPolicies);
  for (const arn of [...wantedManaged].sort(byString)) {
    if (!haveManaged.has(arn)) changes.push({ field: 'managedPolicy', action: 'attach', arn });
  }
  for (const arn of [...haveManaged].sort(byString)) {
    if (!wantedManaged.has(arn)) changes.push({ field: 'managedPolicy', action: 'detach', arn });
  }

  const wantedCmp = new Map(desired.customerManagedPolicies.map((r) => [cmpKey(r), r]));
  const haveCmp = new Map(actual.customerManagedPolicies.map((r) => [cmpKey(r), r]));
  for (const key of [...wantedCmp.keys()].sort(byString)) {
    const reference = wantedCmp.get(key);
    if (reference && !haveCmp.has(key)) {
      changes.push({
        field: 'customerManagedPolicy',
        action: 'attach',
        reference: { name: reference.name, path: reference.path || '/' },
      });
    }
  }
  for (const key of [...haveCmp.keys()].sort(byString)) {
    const reference = haveCmp.get(key);
    if (reference && !wantedCmp.has(key)) {
      changes.push({
        field: 'customerManagedPolicy',
        action: 'detach',
        reference: { name: reference.name, path: reference.path || '/' },
      });
    }
  }

  const wantedInline = blankToUndefined(desired.inlinePolicy);
  const haveInline = blankToUndefined(actual.inlinePolicy);
  if (wantedInline !== undefined) {
    if (haveInline === undefined || canonicalJson(wantedInline) !== canonicalJson(haveInline)) {
      changes.push({ field: 'inlinePolicy', action: 'put', document: wantedInline });
    }
  } else if (haveInline !== undefined) {
    changes.push({ field: 'inlinePolicy', action: 'delete' });
  }

  if (boundaryKey(desired.permissionsBoundary) !== boundaryKey(actual.permissionsBoundary)) {
    changes.push(
      desired.permissionsBoundary
        ? {
            field: 'permissionsBoundary',
            action: 'put',
            boundary: planBoundary(desired.permissionsBoundary),
          }
        : { field: 'permissionsBoundary', action: 'delete' },
    );
  }

  const keys = new Set([...Object.keys(desired.tags), ...Object.keys(actual.tags)]);
  for (const key of [...keys].sort(byString)) {
    const to = desired.tags[key];
    const from = actual.tags[key];
    if (to === from) continue;
    changes.push(
      to === undefined
        ? { field: 'tag', action: 'remove', key, from }
        : { field: 'tag', action: 'set', key, from, to },
    );
  }
  return changes;
}

/** Whether a change alters what is deployed in accounts (tags do not, so they need no provision). */
export function needsProvision(change: PermissionSetChange): boolean {
  return change.field !== 'tag';
}

/** A boundary as plain plan data, keys in schema order. */
export function planBoundary(
  boundary: PermissionsBoundary | undefined,
): PermissionSetChangeBoundary | undefined {
  if (!boundary) return undefined;
  return boundary.kind === 'managed'
    ? { kind: 'managed', managedPolicyArn: boundary.managedPolicyArn }
    : {
        kind: 'customer-managed',
        reference: { name: boundary.reference.name, path: boundary.reference.path || '/' },
      };
}

type PermissionSetChangeBoundary = NonNullable<
  Extract<PermissionSetChange, { field: 'permissionsBoundary' }>['boundary']
>;
