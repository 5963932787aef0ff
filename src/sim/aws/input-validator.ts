import { resolveShape, type SmithyMember, type SmithyShape } from './smithy-model.js';

/** One broken constraint; `kind: 'type'` is a wire-type mismatch (AWS: SerializationException). */
export interface Violation {
  readonly kind: 'constraint' | 'type';
  readonly message: string;
}

/** A compiled validator: appends violations for `value` found at `path`. */
export type ShapeValidator = (value: unknown, path: string, out: Violation[]) => void;

type Shapes = Readonly<Record<string, SmithyShape>>;

/**
 * Compiles model constraints (required, length, range, pattern, enum, union arity and wire
 * types) into closures once, at start-up, so a request costs only the checks themselves.
 * Messages follow the AWS (Coral) wording and name the member by its lower-camel path, e.g.
 * `Value 'x' at 'permissionSetArn' failed to satisfy constraint: Member must satisfy regular
 * expression pattern: …`.
 */
export class InputValidatorCompiler {
  private readonly compiled = new Map<string, ShapeValidator>();

  constructor(private readonly shapes: Shapes) {}

  /** Validator for a whole input structure; `undefined` shape id means "no input". */
  forInput(shapeId: string | undefined): (input: unknown) => Violation[] {
    if (!shapeId) return () => [];
    const validate = this.shape(shapeId);
    return (input) => {
      const out: Violation[] = [];
      validate(input, '', out);
      return out;
    };
  }

  private shape(id: string): ShapeValidator {
    const existing = this.compiled.get(id);
    if (existing) return existing;
    // Placeholder first so recursive shapes terminate; replaced below.
    let real: ShapeValidator = () => undefined;
    this.compiled.set(id, (v, p, o) => real(v, p, o));
    real = this.build(resolveShape(this.shapes, id), {});
    this.compiled.set(id, real);
    return real;
  }

  private member(m: SmithyMember): ShapeValidator {
    const memberTraits = m.traits ?? {};
    const hasOwnConstraints =
      'smithy.api#range' in memberTraits ||
      'smithy.api#length' in memberTraits ||
      'smithy.api#pattern' in memberTraits;
    if (!hasOwnConstraints) return this.shape(m.target);
    return this.build(resolveShape(this.shapes, m.target), memberTraits);
  }

  private build(
    shape: SmithyShape,
    extraTraits: Readonly<Record<string, unknown>>,
  ): ShapeValidator {
    const traits = { ...shape.traits, ...extraTraits };
    switch (shape.type) {
      case 'structure':
        return this.structure(shape);
      case 'union':
        return this.union(shape);
      case 'list':
      case 'set':
        return this.list(shape, traits);
      case 'map':
        return this.map(shape, traits);
      case 'string':
        return stringValidator(traits, stringEnumValues(traits));
      case 'enum':
        return stringValidator(traits, enumShapeValues(shape));
      case 'integer':
      case 'long':
      case 'short':
      case 'byte':
      case 'intEnum':
        return numberValidator(traits, true);
      case 'float':
      case 'double':
      case 'bigDecimal':
      case 'bigInteger':
        return numberValidator(traits, false);
      case 'boolean':
        return (v, p, o) => {
          if (v !== null && v !== undefined && typeof v !== 'boolean')
            o.push(typeError(p, 'boolean'));
        };
      case 'timestamp':
        return (v, p, o) => {
          if (v !== null && v !== undefined && typeof v !== 'number' && typeof v !== 'string')
            o.push(typeError(p, 'timestamp'));
        };
      case 'blob':
        return (v, p, o) => {
          if (v !== null && v !== undefined && typeof v !== 'string') o.push(typeError(p, 'blob'));
        };
      default:
        return () => undefined;
    }
  }

  private structure(shape: SmithyShape): ShapeValidator {
    const members = Object.entries(shape.members ?? {}).map(([name, m]) => ({
      name,
      pathName: lowerFirst(name),
      required: m.traits?.['smithy.api#required'] !== undefined,
      validate: this.member(m),
    }));
    return (value, path, out) => {
      if (value === null || value === undefined) return;
      if (typeof value !== 'object' || Array.isArray(value)) {
        out.push(typeError(path, 'structure'));
        return;
      }
      const record = value as Record<string, unknown>;
      for (const m of members) {
        const v = record[m.name];
        const p = path ? `${path}.${m.pathName}` : m.pathName;
        if (v === undefined || v === null) {
          if (m.required)
            out.push({
              kind: 'constraint',
              message: `Value null at '${p}' failed to satisfy constraint: Member must not be null`,
            });
          continue;
        }
        m.validate(v, p, out);
      }
    };
  }

  private union(shape: SmithyShape): ShapeValidator {
    const members = Object.entries(shape.members ?? {}).map(([name, m]) => ({
      name,
      pathName: lowerFirst(name),
      validate: this.member(m),
    }));
    return (value, path, out) => {
      if (value === null || value === undefined) return;
      if (typeof value !== 'object' || Array.isArray(value)) {
        out.push(typeError(path, 'union'));
        return;
      }
      const record = value as Record<string, unknown>;
      const set = members.filter((m) => record[m.name] !== undefined && record[m.name] !== null);
      if (set.length !== 1) {
        out.push({
          kind: 'constraint',
          message: `Value at '${path}' failed to satisfy constraint: Member must have exactly one of [${members.map((m) => m.name).join(', ')}] set`,
        });
        return;
      }
      const only = set[0]!;
      only.validate(record[only.name], `${path}.${only.pathName}`, out);
    };
  }

  private list(shape: SmithyShape, traits: Readonly<Record<string, unknown>>): ShapeValidator {
    const item = shape.member ? this.member(shape.member) : (): void => undefined;
    const length = traits['smithy.api#length'] as { min?: number; max?: number } | undefined;
    return (value, path, out) => {
      if (value === null || value === undefined) return;
      if (!Array.isArray(value)) {
        out.push(typeError(path, 'list'));
        return;
      }
      checkLength(value.length, length, path, out);
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (v === null || v === undefined) continue;
        item(v, `${path}.${i + 1}.member`, out);
      }
    };
  }

  private map(shape: SmithyShape, traits: Readonly<Record<string, unknown>>): ShapeValidator {
    const key = shape.key ? this.member(shape.key) : (): void => undefined;
    const val = shape.value ? this.member(shape.value) : (): void => undefined;
    const length = traits['smithy.api#length'] as { min?: number; max?: number } | undefined;
    return (value, path, out) => {
      if (value === null || value === undefined) return;
      if (typeof value !== 'object' || Array.isArray(value)) {
        out.push(typeError(path, 'map'));
        return;
      }
      const entries = Object.entries(value as Record<string, unknown>);
      checkLength(entries.length, length, path, out);
      for (const [k, v] of entries) {
        key(k, `${path}.key`, out);
        if (v !== null && v !== undefined) val(v, `${path}.${k}`, out);
      }
    };
  }
}

/**
 * Turns a model (Java-flavoured) regex into a JS RegExp. `(?i)` inline flags become a whole-
 * pattern `i` flag (the models use it only in a lookahead over ASCII words, so widening it is
 * harmless); patterns that are not valid under the `u` flag (escaped quotes/spaces) fall back to
 * non-Unicode mode, which is what they mean.
 */
export function compileModelPattern(pattern: string): RegExp | undefined {
  let source = pattern;
  let flags = 'u';
  if (source.includes('(?i)')) {
    source = source.replaceAll('(?i)', '');
    flags = 'iu';
  }
  try {
    return new RegExp(source, flags);
  } catch {
    try {
      return new RegExp(source, flags.replace('u', ''));
    } catch {
      return undefined;
    }
  }
}

function stringValidator(
  traits: Readonly<Record<string, unknown>>,
  enumValues: readonly string[] | undefined,
): ShapeValidator {
  const length = traits['smithy.api#length'] as { min?: number; max?: number } | undefined;
  const patternSource = traits['smithy.api#pattern'] as string | undefined;
  const pattern = patternSource ? compileModelPattern(patternSource) : undefined;
  const enumSet = enumValues ? new Set(enumValues) : undefined;
  return (value, path, out) => {
    if (value === null || value === undefined) return;
    if (typeof value !== 'string') {
      out.push(typeError(path, 'string'));
      return;
    }
    if (enumSet && !enumSet.has(value)) {
      out.push({
        kind: 'constraint',
        message: `Value '${value}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${[...enumSet].join(', ')}]`,
      });
      return;
    }
    checkLength(value.length, length, path, out, value);
    if (pattern && !pattern.test(value)) {
      out.push({
        kind: 'constraint',
        message: `Value '${value}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${patternSource}`,
      });
    }
  };
}

function numberValidator(
  traits: Readonly<Record<string, unknown>>,
  integer: boolean,
): ShapeValidator {
  const range = traits['smithy.api#range'] as { min?: number; max?: number } | undefined;
  return (value, path, out) => {
    if (value === null || value === undefined) return;
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      (integer && !Number.isInteger(value))
    ) {
      out.push(typeError(path, integer ? 'integer' : 'number'));
      return;
    }
    if (range?.min !== undefined && value < range.min)
      out.push({
        kind: 'constraint',
        message: `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${range.min}`,
      });
    if (range?.max !== undefined && value > range.max)
      out.push({
        kind: 'constraint',
        message: `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${range.max}`,
      });
  };
}

function checkLength(
  n: number,
  length: { min?: number; max?: number } | undefined,
  path: string,
  out: Violation[],
  shown?: string,
): void {
  if (!length) return;
  const what =
    shown === undefined
      ? 'Value'
      : `Value '${shown.length > 64 ? shown.slice(0, 64) + '…' : shown}'`;
  if (length.min !== undefined && n < length.min)
    out.push({
      kind: 'constraint',
      message: `${what} at '${path}' failed to satisfy constraint: Member must have length greater than or equal to ${length.min}`,
    });
  if (length.max !== undefined && n > length.max)
    out.push({
      kind: 'constraint',
      message: `${what} at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${length.max}`,
    });
}

function stringEnumValues(traits: Readonly<Record<string, unknown>>): string[] | undefined {
  const list = traits['smithy.api#enum'] as readonly { value: string }[] | undefined;
  return list?.map((e) => e.value);
}

function enumShapeValues(shape: SmithyShape): string[] {
  return Object.entries(shape.members ?? {}).map(
    ([name, m]) => (m.traits?.['smithy.api#enumValue'] as string | undefined) ?? name,
  );
}

function typeError(path: string, expected: string): Violation {
  return {
    kind: 'type',
    message: `Unexpected value type at '${path || 'input'}': expected ${expected}`,
  };
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Formats violations the way AWS does: `N validation error(s) detected: a; b`. */
export function formatViolations(violations: readonly Violation[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.map((v) => v.message).join('; ')}`;
}
