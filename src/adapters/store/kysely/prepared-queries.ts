/**
 * Hot store statements compiled once per store and re-run with new values. Building and compiling
 * a Kysely query cost about as much CPU again as running it on SQLite, and serve runs a dozen such
 * statements per key.
 *
 * A definition is a module-level function of the connection and a `slot` maker only, so that no
 * run's values can be baked into the cached SQL: every value that changes between runs must come
 * from a slot, and each run names every slot's value (a missing one throws). Constants written in
 * the definition (a state name, say) stay as they were compiled.
 */
import { CompiledQuery } from 'kysely';
import type { Compilable, Kysely, QueryResult } from 'kysely';

import type { StoreDatabase } from './schema.js';

const SLOT_PREFIX = '\u0000slot:';

/** Names a value filled in at each run; typed as the column it stands for. */
export type Slot = <T = string>(name: string) => T;

export type PreparedDefinition<R> = (db: Kysely<StoreDatabase>, slot: Slot) => Compilable<R>;

type Parameter = { readonly slot: string } | { readonly value: unknown };

interface Compiled {
  readonly sql: string;
  readonly parameters: readonly Parameter[];
}

const slot: Slot = <T>(name: string) => `${SLOT_PREFIX}${name}` as T;

/** The compiled statements of one store (one dialect), by definition. */
export class PreparedQueries {
  readonly #compiled = new Map<PreparedDefinition<unknown>, Compiled>();

  /** Runs `definition` on `db` (the store's connection or its open transaction) with `values`. */
  async run<R>(
    db: Kysely<StoreDatabase>,
    definition: PreparedDefinition<R>,
    values: Readonly<Record<string, unknown>>,
  ): Promise<QueryResult<R>> {
    let compiled = this.#compiled.get(definition);
    if (!compiled) {
      const query = definition(db, slot).compile();
      compiled = {
        sql: query.sql,
        parameters: query.parameters.map((value): Parameter =>
          typeof value === 'string' && value.startsWith(SLOT_PREFIX)
            ? { slot: value.slice(SLOT_PREFIX.length) }
            : { value },
        ),
      };
      this.#compiled.set(definition, compiled);
    }
    const parameters = compiled.parameters.map((parameter) => {
      if ('value' in parameter) return parameter.value;
      if (!Object.hasOwn(values, parameter.slot)) {
        throw new Error(`prepared statement run without a value for slot "${parameter.slot}"`);
      }
      return values[parameter.slot];
    });
    return db.executeQuery<R>(CompiledQuery.raw(compiled.sql, parameters));
  }
}

/** Rows an UPDATE or DELETE run through `PreparedQueries` changed. */
export function affectedRows(result: QueryResult<unknown>): number {
  return Number(result.numAffectedRows ?? 0n);
}
