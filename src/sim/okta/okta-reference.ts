import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Absolute path of a file under `../shared/reference/okta/` relative to the repo root. The root is
 * the nearest ancestor of this module holding a package.json, so it works from `src/` under tsx and
 * from a compiled `dist/` alike.
 */
export function oktaReferencePath(file: string): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${import.meta.dirname}`);
    dir = parent;
  }
  return resolve(dir, '../shared/reference/okta', file);
}

/** One entry of Okta's published error catalog. */
export interface OktaErrorCatalogEntry {
  readonly errorCode: string;
  readonly statusCode: number;
  readonly errorSummary: string;
  readonly includesExceptionMessage: boolean;
}

let errorCatalog: ReadonlyMap<string, OktaErrorCatalogEntry> | undefined;

/** Okta's error catalog (error-codes.json), keyed by errorCode; read once. */
export function oktaErrorCatalog(): ReadonlyMap<string, OktaErrorCatalogEntry> {
  if (!errorCatalog) {
    const raw = JSON.parse(readFileSync(oktaReferencePath('error-codes.json'), 'utf8')) as {
      errors: OktaErrorCatalogEntry[];
    };
    errorCatalog = new Map(raw.errors.map((e) => [e.errorCode, e]));
  }
  return errorCatalog;
}

let hookEligible: ReadonlySet<string> | undefined;

/** Event types tagged `event-hook-eligible` in the catalog (event-types.json); read once. */
export function hookEligibleEventTypes(): ReadonlySet<string> {
  if (!hookEligible) {
    const raw = JSON.parse(readFileSync(oktaReferencePath('event-types.json'), 'utf8')) as {
      eventTypes: { id: string; tags: string[] }[];
    };
    hookEligible = new Set(
      raw.eventTypes.filter((t) => t.tags.includes('event-hook-eligible')).map((t) => t.id),
    );
  }
  return hookEligible;
}
