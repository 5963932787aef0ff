/**
 * The SCIM-style expression language Okta uses for `search` and `filter` on users, groups and the
 * System Log: `attr op value` joined by `and`/`or`, with parentheses and `pr`. Parsing is strict so
 * that malformed input becomes Okta's 400 instead of a silently empty result.
 */

export const scimOperators = ['eq', 'ne', 'sw', 'co', 'ew', 'pr', 'gt', 'ge', 'lt', 'le'] as const;
export type ScimOperator = (typeof scimOperators)[number];
export type ScimValue = string | number | boolean | null;

export type ScimFilter =
  | {
      readonly kind: 'compare';
      readonly attr: string;
      readonly op: ScimOperator;
      readonly value: ScimValue;
    }
  | { readonly kind: 'and' | 'or'; readonly left: ScimFilter; readonly right: ScimFilter };

/** Thrown for any syntax error; callers map it to the endpoint's 400 code. */
export class ScimFilterSyntaxError extends Error {}

type Token =
  | { t: 'word'; v: string; pos: number }
  | { t: 'string'; v: string; pos: number }
  | { t: 'paren'; v: '(' | ')'; pos: number };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ t: 'paren', v: c, pos: i });
      i++;
    } else if (c === '"') {
      let v = '';
      let j = i + 1;
      for (;;) {
        if (j >= input.length)
          throw new ScimFilterSyntaxError(`Unterminated string at position ${i}`);
        const d = input.charAt(j);
        if (d === '\\' && j + 1 < input.length) {
          v += input.charAt(j + 1);
          j += 2;
        } else if (d === '"') {
          break;
        } else {
          v += d;
          j++;
        }
      }
      tokens.push({ t: 'string', v, pos: i });
      i = j + 1;
    } else {
      let j = i;
      while (j < input.length && !/[\s()"]/.test(input.charAt(j))) j++;
      tokens.push({ t: 'word', v: input.slice(i, j), pos: i });
      i = j;
    }
  }
  return tokens;
}

/** Parses a filter expression; throws ScimFilterSyntaxError on any malformed input. */
export function parseScimFilter(input: string): ScimFilter {
  const tokens = tokenize(input);
  let p = 0;
  const peekWord = (): string | undefined => {
    const tok = tokens[p];
    return tok?.t === 'word' ? tok.v.toLowerCase() : undefined;
  };
  const parseOr = (): ScimFilter => {
    let left = parseAnd();
    while (peekWord() === 'or') {
      p++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): ScimFilter => {
    let left = parsePrimary();
    while (peekWord() === 'and') {
      p++;
      left = { kind: 'and', left, right: parsePrimary() };
    }
    return left;
  };
  const parsePrimary = (): ScimFilter => {
    const tok = tokens[p];
    if (!tok) throw new ScimFilterSyntaxError('Unexpected end of expression');
    if (tok.t === 'paren' && tok.v === '(') {
      p++;
      const inner = parseOr();
      const close = tokens[p];
      if (close?.t !== 'paren' || close.v !== ')') {
        throw new ScimFilterSyntaxError(`Expected ')' at position ${close?.pos ?? input.length}`);
      }
      p++;
      return inner;
    }
    if (tok.t !== 'word' || !/^[A-Za-z_][\w.$-]*$/.test(tok.v)) {
      throw new ScimFilterSyntaxError(`Expected attribute at position ${tok.pos}`);
    }
    p++;
    const opTok = tokens[p];
    const op = opTok?.t === 'word' ? opTok.v.toLowerCase() : undefined;
    if (!op || !(scimOperators as readonly string[]).includes(op)) {
      throw new ScimFilterSyntaxError(
        `Unrecognized attribute operator '${opTok?.v ?? ''}' at position ${opTok?.pos ?? input.length}. Expected: ${scimOperators.join(',')}`,
      );
    }
    p++;
    if (op === 'pr') return { kind: 'compare', attr: tok.v, op: 'pr', value: null };
    const valTok = tokens[p];
    if (!valTok || valTok.t === 'paren') {
      throw new ScimFilterSyntaxError(`Expected value at position ${valTok?.pos ?? input.length}`);
    }
    p++;
    let value: ScimValue;
    if (valTok.t === 'string') value = valTok.v;
    else if (valTok.v === 'true' || valTok.v === 'false') value = valTok.v === 'true';
    else if (valTok.v === 'null') value = null;
    else if (/^-?\d+(\.\d+)?$/.test(valTok.v)) value = Number(valTok.v);
    else throw new ScimFilterSyntaxError(`Invalid value '${valTok.v}' at position ${valTok.pos}`);
    return { kind: 'compare', attr: tok.v, op: op as ScimOperator, value };
  };
  const ast = parseOr();
  if (p !== tokens.length) {
    throw new ScimFilterSyntaxError(`Unexpected token at position ${tokens[p]?.pos ?? 0}`);
  }
  return ast;
}

/** Every comparison of a filter, for per-endpoint attribute/operator allow-lists. */
export function scimComparisons(
  filter: ScimFilter,
): { attr: string; op: ScimOperator; value: ScimValue }[] {
  if (filter.kind === 'compare') return [filter];
  return [...scimComparisons(filter.left), ...scimComparisons(filter.right)];
}

function compareOne(actual: unknown, op: ScimOperator, expected: ScimValue): boolean {
  if (op === 'pr') return actual !== undefined && actual !== null && actual !== '';
  if (Array.isArray(actual)) return actual.some((a) => compareOne(a, op, expected));
  if (typeof actual === 'string' && typeof expected === 'string') {
    // Okta compares strings case-insensitively in search and filter.
    const a = actual.toLowerCase();
    const e = expected.toLowerCase();
    switch (op) {
      case 'eq':
        return a === e;
      case 'ne':
        return a !== e;
      case 'sw':
        return a.startsWith(e);
      case 'co':
        return a.includes(e);
      case 'ew':
        return a.endsWith(e);
      case 'gt':
        return a > e;
      case 'ge':
        return a >= e;
      case 'lt':
        return a < e;
      case 'le':
        return a <= e;
    }
  }
  if (op === 'eq') return actual === expected;
  if (op === 'ne') return actual !== expected;
  if (typeof actual === 'number' && typeof expected === 'number') {
    if (op === 'gt') return actual > expected;
    if (op === 'ge') return actual >= expected;
    if (op === 'lt') return actual < expected;
    if (op === 'le') return actual <= expected;
  }
  return false;
}

/** Evaluates a parsed filter; `get` resolves a dotted attribute path on the candidate. */
export function matchesScimFilter(filter: ScimFilter, get: (attr: string) => unknown): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesScimFilter(filter.left, get) && matchesScimFilter(filter.right, get);
    case 'or':
      return matchesScimFilter(filter.left, get) || matchesScimFilter(filter.right, get);
    case 'compare':
      return compareOne(get(filter.attr), filter.op, filter.value);
  }
}

/** Resolves `a.b.c` on a plain object; arrays map over their elements (e.g. `target.id`). */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (Array.isArray(cur)) {
      cur = cur.map((x) =>
        x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[part] : undefined,
      );
      continue;
    }
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
