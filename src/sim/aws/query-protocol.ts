import { resolveShape, type SmithyShape } from './smithy-model.js';

type Shapes = Readonly<Record<string, SmithyShape>>;

/**
 * Decodes awsQuery form parameters into an input object, driven by the model shape: lists are
 * `Name.member.N`, maps `Name.entry.N.key|value`, nested structures `Name.Member`. Scalars are
 * converted to the shape's type; a value that does not convert is kept as a string so the
 * validator reports it.
 */
export function decodeQueryInput(
  shapes: Shapes,
  shapeId: string | undefined,
  params: URLSearchParams,
): Record<string, unknown> {
  if (!shapeId) return {};
  const value = decodeShape(shapes, shapeId, params, '');
  return (value as Record<string, unknown> | undefined) ?? {};
}

function decodeShape(shapes: Shapes, id: string, params: URLSearchParams, key: string): unknown {
  const shape = resolveShape(shapes, id);
  switch (shape.type) {
    case 'structure':
    case 'union': {
      const out: Record<string, unknown> = {};
      let any = false;
      for (const [name, m] of Object.entries(shape.members ?? {})) {
        const v = decodeShape(shapes, m.target, params, key ? `${key}.${name}` : name);
        if (v !== undefined) {
          out[name] = v;
          any = true;
        }
      }
      return any || key === '' ? out : undefined;
    }
    case 'list':
    case 'set': {
      if (!shape.member) return undefined;
      const items: unknown[] = [];
      for (let i = 1; ; i++) {
        const v = decodeShape(shapes, shape.member.target, params, `${key}.member.${i}`);
        if (v === undefined) break;
        items.push(v);
      }
      if (items.length === 0) return params.has(key) ? [] : undefined;
      return items;
    }
    case 'map': {
      if (!shape.key || !shape.value) return undefined;
      const out: Record<string, unknown> = {};
      let any = false;
      for (let i = 1; ; i++) {
        const k = params.get(`${key}.entry.${i}.key`);
        if (k === null) break;
        out[k] = decodeShape(shapes, shape.value.target, params, `${key}.entry.${i}.value`);
        any = true;
      }
      return any ? out : undefined;
    }
    default: {
      const raw = params.get(key);
      if (raw === null) return undefined;
      return convertScalar(shape.type, raw);
    }
  }
}

/** Converts one form value to a model scalar type. */
export function convertScalar(type: string, raw: string): unknown {
  switch (type) {
    case 'integer':
    case 'long':
    case 'short':
    case 'byte': {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isInteger(n) ? n : raw;
    }
    case 'float':
    case 'double': {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
    }
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    default:
      return raw;
  }
}

/** Escapes text for an XML element body. */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/**
 * Serialises an output value as awsQuery XML: objects become elements per member, arrays become
 * `<member>` lists (IAM and STS use no flattened lists), dates ISO 8601.
 */
export function toXml(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value))
    return `<${name}>${value.map((v) => toXml('member', v)).join('')}</${name}>`;
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === 'object') {
    let inner = '';
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) inner += toXml(k, v);
    return `<${name}>${inner}</${name}>`;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `<${name}>${xmlEscape(text)}</${name}>`;
}

/** A complete awsQuery success document. */
export function queryResponse(
  operation: string,
  namespace: string,
  output: unknown,
  requestId: string,
): string {
  const result = output && typeof output === 'object' ? toXml(`${operation}Result`, output) : '';
  return `<${operation}Response xmlns="${namespace}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
}

/** A complete awsQuery error document. */
export function queryError(
  namespace: string,
  type: 'Sender' | 'Receiver',
  code: string,
  message: string,
  requestId: string,
): string {
  return `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
