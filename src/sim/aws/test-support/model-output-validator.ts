import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceDir } from '../smithy-model.js';

interface Shape {
  type: string;
  members?: Record<string, { target: string; traits?: Record<string, unknown> }>;
  member?: { target: string };
  value?: { target: string };
  traits?: Record<string, unknown>;
  output?: { target: string };
  input?: { target: string };
}

const models = new Map<string, Record<string, Shape>>();

function shapesOf(service: string): Record<string, Shape> {
  let shapes = models.get(service);
  if (!shapes) {
    shapes = (
      JSON.parse(readFileSync(join(referenceDir(), 'aws-models', `${service}.json`), 'utf8')) as {
        shapes: Record<string, Shape>;
      }
    ).shapes;
    models.set(service, shapes);
  }
  return shapes;
}

function operationShape(service: string, operation: string): Shape {
  const shapes = shapesOf(service);
  const id = Object.keys(shapes).find(
    (k) => k.endsWith(`#${operation}`) && shapes[k]!.type === 'operation',
  );
  if (!id) throw new Error(`${service} has no operation ${operation}`);
  return shapes[id]!;
}

function jsRegex(pattern: string): RegExp | undefined {
  const source = pattern.replaceAll('(?i)', '');
  for (const flags of ['u', '']) {
    try {
      return new RegExp(source, pattern.includes('(?i)') ? `i${flags}` : flags);
    } catch {
      // try the next flag set
    }
  }
  return undefined;
}

/**
 * Checks a value the AWS SDK v3 returned (deserialised output, `$metadata` ignored) against the
 * operation's output shape in the official model: required members, types (Date for
 * timestamps), lengths, ranges, patterns and enums. Returns the problems; empty means valid.
 * Written separately from the simulator's input validator so that one cannot hide the other's
 * mistakes.
 */
export function validateModelOutput(service: string, operation: string, output: unknown): string[] {
  const shapes = shapesOf(service);
  const op = operationShape(service, operation);
  const problems: string[] = [];
  if (!op.output) return problems;

  const visit = (
    shapeId: string,
    value: unknown,
    path: string,
    extra?: Record<string, unknown>,
  ): void => {
    const shape: Shape = shapes[shapeId] ?? { type: preludeType(shapeId) };
    const traits = { ...shape.traits, ...extra };
    const fail = (what: string): void => {
      problems.push(`${path}: ${what}`);
    };
    switch (shape.type) {
      case 'structure':
      case 'union': {
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          return fail('expected an object');
        const record = value as Record<string, unknown>;
        for (const [name, m] of Object.entries(shape.members ?? {})) {
          const v = record[name];
          if (v === undefined || v === null) {
            if (m.traits?.['smithy.api#required'] !== undefined && shape.type === 'structure')
              problems.push(`${path}.${name}: required member missing`);
            continue;
          }
          visit(m.target, v, `${path}.${name}`, m.traits);
        }
        return;
      }
      case 'list':
      case 'set': {
        if (!Array.isArray(value)) return fail('expected an array');
        checkLength(value.length, traits, fail);
        value.forEach((v, i) => visit(shape.member!.target, v, `${path}[${i}]`));
        return;
      }
      case 'map': {
        if (typeof value !== 'object' || value === null) return fail('expected a map');
        for (const [k, v] of Object.entries(value as Record<string, unknown>))
          visit(shape.value!.target, v, `${path}.${k}`);
        return;
      }
      case 'timestamp':
        if (!(value instanceof Date) || Number.isNaN(value.getTime())) fail('expected a Date');
        return;
      case 'boolean':
        if (typeof value !== 'boolean') fail('expected a boolean');
        return;
      case 'integer':
      case 'long': {
        if (typeof value !== 'number' || !Number.isInteger(value))
          return fail('expected an integer');
        const range = traits['smithy.api#range'] as { min?: number; max?: number } | undefined;
        if (range?.min !== undefined && value < range.min) fail(`below ${range.min}`);
        if (range?.max !== undefined && value > range.max) fail(`above ${range.max}`);
        return;
      }
      case 'enum': {
        const allowed = Object.entries(shape.members ?? {}).map(
          ([n, m]) => (m.traits?.['smithy.api#enumValue'] as string | undefined) ?? n,
        );
        if (typeof value !== 'string' || !allowed.includes(value))
          fail(`not in enum ${allowed.join('|')}`);
        return;
      }
      case 'string': {
        if (typeof value !== 'string') return fail('expected a string');
        const enumTrait = traits['smithy.api#enum'] as { value: string }[] | undefined;
        if (enumTrait && !enumTrait.some((e) => e.value === value)) fail('not in enum');
        checkLength(value.length, traits, fail);
        const pattern = traits['smithy.api#pattern'] as string | undefined;
        const re = pattern ? jsRegex(pattern) : undefined;
        if (re && !re.test(value)) fail(`does not match ${pattern}: ${value.slice(0, 80)}`);
        return;
      }
      default:
        return;
    }
  };
  visit(op.output.target, output, operation);
  return problems;
}

/** The input shape's members and their constraints, for generating invalid inputs in tests. */
export function inputMembers(
  service: string,
  operation: string,
): {
  name: string;
  required: boolean;
  type: string;
  length?: { min?: number; max?: number };
  range?: { min?: number; max?: number };
  pattern?: RegExp;
  enumValues?: string[];
}[] {
  const shapes = shapesOf(service);
  const op = operationShape(service, operation);
  if (!op.input) return [];
  const input = shapes[op.input.target];
  if (!input) return [];
  return Object.entries(input.members ?? {}).map(([name, m]) => {
    const target: Shape = shapes[m.target] ?? { type: preludeType(m.target) };
    const traits = { ...target.traits, ...m.traits };
    const pattern = traits['smithy.api#pattern'] as string | undefined;
    const enumValues =
      target.type === 'enum'
        ? Object.entries(target.members ?? {}).map(
            ([n, em]) => (em.traits?.['smithy.api#enumValue'] as string | undefined) ?? n,
          )
        : (traits['smithy.api#enum'] as { value: string }[] | undefined)?.map((e) => e.value);
    const re = pattern ? jsRegex(pattern) : undefined;
    return {
      name,
      required: m.traits?.['smithy.api#required'] !== undefined,
      type: target.type,
      ...(traits['smithy.api#length'] ? { length: traits['smithy.api#length'] } : {}),
      ...(traits['smithy.api#range'] ? { range: traits['smithy.api#range'] } : {}),
      ...(re ? { pattern: re } : {}),
      ...(enumValues ? { enumValues } : {}),
    };
  });
}

/** The operation's pagination trait, if any. */
export function paginationOf(
  service: string,
  operation: string,
): { inputToken: string; outputToken: string; items?: string; pageSize?: string } | undefined {
  return operationShape(service, operation).traits?.['smithy.api#paginated'] as
    { inputToken: string; outputToken: string; items?: string; pageSize?: string } | undefined;
}

function checkLength(
  n: number,
  traits: Record<string, unknown>,
  fail: (what: string) => void,
): void {
  const length = traits['smithy.api#length'] as { min?: number; max?: number } | undefined;
  if (length?.min !== undefined && n < length.min) fail(`length ${n} below ${length.min}`);
  if (length?.max !== undefined && n > length.max) fail(`length ${n} above ${length.max}`);
}

function preludeType(id: string): string {
  const name = id.slice(id.indexOf('#') + 1).toLowerCase();
  if (name.includes('boolean')) return 'boolean';
  if (name.includes('integer') || name.includes('long')) return 'integer';
  if (name === 'timestamp') return 'timestamp';
  if (name === 'string') return 'string';
  return 'document';
}
