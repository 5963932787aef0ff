import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { oktaReferencePath } from '../okta-reference.js';

type Schema = Record<string, unknown>;

interface Spec {
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  components: { schemas: Record<string, Schema>; responses?: Record<string, Schema> };
}

/** Validates JSON values against the schemas of Okta's official management OpenAPI spec. */
export interface OpenApiValidator {
  /**
   * Problems (empty when valid) of a response body against the spec's response schema for
   * `method` + path template (e.g. `/api/v1/groups/{groupId}`) + status. A missing operation or
   * a status the spec does not declare is itself a problem.
   */
  validateResponse(method: string, pathTemplate: string, status: number, body: unknown): string[];
  /** Problems of a value against `#/components/schemas/<name>`. */
  validateSchema(name: string, value: unknown): string[];
}

let cached: Spec | undefined;

/** Parsing the 3.4 MB YAML takes seconds, so the parsed form is cached as JSON in the tmp dir. */
function loadSpec(): Spec {
  if (cached) return cached;
  const file = oktaReferencePath('management-openapi.yaml');
  const stamp = createHash('sha1')
    .update(`${file}:${statSync(file).mtimeMs}:${statSync(file).size}`)
    .digest('hex');
  const cacheFile = join(tmpdir(), `okta-openapi-${stamp}.json`);
  if (existsSync(cacheFile)) {
    try {
      cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as Spec;
      return cached;
    } catch {
      // fall through and re-parse a torn cache file
    }
  }
  cached = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: -1 }) as Spec;
  try {
    writeFileSync(cacheFile, JSON.stringify(cached));
  } catch {
    // a read-only tmp dir only costs speed
  }
  return cached;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Loads the spec (once per process) and returns a validator over it. */
export function loadOktaOpenApiValidator(): OpenApiValidator {
  const spec = loadSpec();

  const resolve = (schema: Schema): Schema => {
    let s = schema;
    for (let i = 0; i < 20 && typeof s.$ref === 'string'; i++) {
      const ref = s.$ref;
      const parts = ref.replace(/^#\//, '').split('/');
      let cur: unknown = spec;
      for (const p of parts) cur = (cur as Record<string, unknown> | undefined)?.[p];
      if (!cur) throw new Error(`unresolvable $ref ${ref}`);
      s = cur as Schema;
    }
    return s;
  };

  const validate = (schemaIn: Schema, value: unknown, path: string, out: string[]): void => {
    const schema = resolve(schemaIn);
    if (value === null) {
      if (
        schema.nullable === true ||
        (schema.type === undefined &&
          !schema.properties &&
          !schema.allOf &&
          !schema.anyOf &&
          !schema.oneOf)
      )
        return;
      if (Array.isArray(schema.type) && (schema.type as unknown[]).includes('null')) return;
      // Okta returns null for many optional fields the spec leaves non-nullable; accept null for
      // non-required properties only (checked by the caller through `required`).
      out.push(`${path}: null where ${JSON.stringify(schema.type ?? 'a value')} is expected`);
      return;
    }
    if (Array.isArray(schema.allOf)) {
      for (const sub of schema.allOf as Schema[]) validate(sub, value, path, out);
    }
    for (const key of ['anyOf', 'oneOf'] as const) {
      const alts = schema[key];
      if (Array.isArray(alts)) {
        const ok = (alts as Schema[]).some((sub) => {
          const errs: string[] = [];
          validate(sub, value, path, errs);
          return errs.length === 0;
        });
        if (!ok) out.push(`${path}: matches none of the ${key} alternatives`);
      }
    }
    if (Array.isArray(schema.enum) && !(schema.enum as unknown[]).includes(value)) {
      out.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
    }
    const type = schema.type as string | undefined;
    const actual = typeOf(value);
    if (type) {
      const ok = type === actual || (type === 'number' && actual === 'integer');
      if (!ok) {
        out.push(`${path}: expected ${type}, got ${actual}`);
        return;
      }
    }
    if (
      actual === 'string' &&
      schema.format === 'date-time' &&
      Number.isNaN(Date.parse(value as string))
    ) {
      out.push(`${path}: ${JSON.stringify(value)} is not a date-time`);
    }
    if (actual === 'array' && schema.items) {
      (value as unknown[]).forEach((item, i) =>
        validate(schema.items as Schema, item, `${path}[${i}]`, out),
      );
    }
    if (actual === 'object') {
      const obj = value as Record<string, unknown>;
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      for (const req of (schema.required ?? []) as string[]) {
        if (!(req in obj)) out.push(`${path}: missing required property ${req}`);
      }
      for (const [k, v] of Object.entries(obj)) {
        const prop = props[k];
        if (prop) {
          const required = ((schema.required ?? []) as string[]).includes(k);
          if (v === null && !required) continue;
          validate(prop, v, `${path}.${k}`, out);
        } else if (schema.additionalProperties === false) {
          out.push(`${path}: unexpected property ${k}`);
        } else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
          validate(schema.additionalProperties as Schema, v, `${path}.${k}`, out);
        }
      }
    }
  };

  return {
    validateResponse(method, pathTemplate, status, body) {
      const op = spec.paths[pathTemplate]?.[method.toLowerCase()];
      if (!op) return [`the spec has no operation ${method} ${pathTemplate}`];
      const responses = op.responses ?? {};
      const response = (responses[String(status)] ?? responses.default) as Schema | undefined;
      if (!response)
        return [`the spec declares no ${status} response for ${method} ${pathTemplate}`];
      const resolved = resolve(response);
      const content = resolved.content as Record<string, { schema?: Schema }> | undefined;
      const schema = content?.['application/json']?.schema;
      if (!schema) {
        return body === undefined || body === ''
          ? []
          : [`the spec declares no JSON body for ${status} ${method} ${pathTemplate}`];
      }
      const out: string[] = [];
      validate(schema, body, '$', out);
      return out;
    },
    validateSchema(name, value) {
      const schema = spec.components.schemas[name];
      if (!schema) return [`the spec has no schema ${name}`];
      const out: string[] = [];
      validate(schema, value, '$', out);
      return out;
    },
  };
}
