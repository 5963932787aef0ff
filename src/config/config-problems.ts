import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Document,
  type LineCounter,
  type Node,
} from 'yaml';
import type { z } from 'zod';
import { Secret } from '../core/secret.js';

/** A path in the config document, e.g. ['rules', 1, 'groups', 'namePattern']. */
export type DocumentPath = readonly (string | number)[];

/** One problem, located. `toString()` gives `file:line:col: path: message`. */
export interface ConfigProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: DocumentPath;
  readonly message: string;
}

/** `rules[1].groups.namePattern`; the top level is `(top level)`. */
export function formatDocumentPath(at: DocumentPath): string {
  if (at.length === 0) return '(top level)';
  return at
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (/^[A-Za-z_$][\w$]*$/.test(segment)) return index === 0 ? segment : `.${segment}`;
      return `[${JSON.stringify(segment)}]`;
    })
    .join('');
}

export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${formatDocumentPath(problem.path)}: ${problem.message}`;
}

/** Where in the YAML source a document path is, for error messages. */
export class SourceLocator {
  constructor(
    private readonly file: string,
    private readonly document: Document,
    private readonly lines: LineCounter,
  ) {}

  /**
   * The problem at `at`: the value's position when it exists, the key's when `atKey`, else the
   * deepest existing ancestor (a missing key is reported where its mapping is).
   */
  problem(at: DocumentPath, message: string, atKey = false): ConfigProblem {
    const offset = this.offsetOf(at, atKey);
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col, path: at, message };
  }

  private offsetOf(at: DocumentPath, atKey: boolean): number {
    let node: unknown = this.document.contents;
    let offset = rangeStart(node) ?? 0;
    for (const [index, segment] of at.entries()) {
      node = this.deref(node);
      let next: unknown;
      let keyOffset: number | undefined;
      if (isMap(node)) {
        const pair = node.items.find(
          (item) =>
            isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
        );
        if (pair) {
          keyOffset = rangeStart(pair.key);
          next = pair.value ?? undefined;
        }
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment];
      }
      if (next === undefined && keyOffset === undefined) return offset;
      if (atKey && index === at.length - 1 && keyOffset !== undefined) return keyOffset;
      offset = rangeStart(next) ?? keyOffset ?? offset;
      node = next;
    }
    return offset;
  }

  private deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.document) : node;
  }
}

function rangeStart(node: unknown): number | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as Node).range;
    return range ? range[0] : undefined;
  }
  return undefined;
}

/**
 * Turns zod issues into located problems that say what was expected and what was found.
 * `sensitive(path)` marks paths whose found value must never be printed (secrets, the store URL).
 */
export function problemsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  locator: SourceLocator,
  sensitive: (at: DocumentPath) => boolean,
  knownKeys: (at: DocumentPath) => readonly string[] = () => [],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues.flatMap((issue) => flattenUnions(issue, []))) {
    const at = issue.path.filter(
      (segment): segment is string | number => typeof segment !== 'symbol',
    );
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(at);
      for (const key of issue.keys) {
        problems.push(locator.problem([...at, key], unknownKeyMessage(key, known), true));
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      const inner = issue.issues[0];
      const message = inner ? describeIssue(inner, true) : 'invalid key';
      problems.push(locator.problem(at, message, true));
      continue;
    }
    const atKey = issue.code === 'custom' && issue.params?.atKey === true;
    problems.push(locator.problem(at, describeIssue(issue, !sensitive(at)), atKey));
  }
  return problems;
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const close = known.filter((candidate) => isClose(key, candidate));
  if (close.length > 0)
    return `unknown key "${key}" (did you mean ${close.map((k) => `"${k}"`).join(' or ')}?)`;
  if (known.length > 0) return `unknown key "${key}" (expected one of ${known.join(', ')})`;
  return `unknown key "${key}"`;
}

/** One a prefix of the other ignoring case, or at most two edits apart (a typo). */
function isClose(a: string, b: string): boolean {
  const [lowerA, lowerB] = [a.toLowerCase(), b.toLowerCase()];
  if (lowerA.startsWith(lowerB) || lowerB.startsWith(lowerA)) return true;
  if (Math.abs(a.length - b.length) > 2) return false;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(
        Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = row;
  }
  return (previous[b.length] ?? Infinity) <= 2;
}

/** A union issue whose branches failed at the root (wrong type); the rest matched its type. */
function isPlausible(branch: readonly z.core.$ZodIssue[]): boolean {
  return branch.every(
    (issue) =>
      issue.path.length > 0 ||
      !['invalid_type', 'invalid_value', 'unrecognized_keys', 'invalid_union'].includes(issue.code),
  );
}

/**
 * Replaces a union failure by the issues of the branch the value evidently meant (the only
 * branch whose type it has, or the one with the fewest issues), so the message points at the
 * real mistake (`accounts[2].ou`) instead of "no alternative matched".
 */
function flattenUnions(issue: z.core.$ZodIssue, prefix: PropertyKey[]): z.core.$ZodIssue[] {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union') return [{ ...issue, path }];
  const branches = issue.errors.map((branch) =>
    branch.flatMap((inner) => flattenUnions(inner, [])),
  );
  const plausible = branches.filter(isPlausible);
  if (plausible.length === 0) return [{ ...issue, path }];
  const best = plausible.reduce((a, b) => (b.length < a.length ? b : a));
  return best.map((inner) => ({ ...inner, path: [...path, ...inner.path] }));
}

function describeIssue(issue: z.core.$ZodIssue, showFound: boolean): string {
  const message = describeIssueBody(issue, showFound);
  // `accounts: [012345678901]` is a number to YAML, which also drops the leading zero.
  const numberForString =
    typeof issue.input === 'number' &&
    Number.isInteger(issue.input) &&
    issue.input >= 1e9 &&
    ((issue.code === 'invalid_type' && issue.expected === 'string') ||
      issue.code === 'invalid_union');
  return numberForString
    ? `${message} (quote it: YAML reads unquoted digits as a number and drops leading zeros)`
    : message;
}

function describeIssueBody(issue: z.core.$ZodIssue, showFound: boolean): string {
  const input: unknown = issue.input;
  const found = showFound ? describeValue(input) : input === undefined ? 'nothing' : 'a literal';
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `missing: expected ${typeName(issue.expected)}`;
      return `expected ${typeName(issue.expected)}, found ${found}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, found ${found}`;
    case 'too_big':
      return `expected ${bound('at most', issue.maximum, issue.origin)}, found ${measure(input, issue.origin, found)}`;
    case 'too_small':
      return `expected ${bound('at least', issue.minimum, issue.origin)}, found ${measure(input, issue.origin, found)}`;
    case 'invalid_union': {
      // A union given its own message (schema `error`) says best what it accepts.
      if (issue.message.startsWith('expected ')) return `${issue.message}, found ${found}`;
      const expected = new Set<string>();
      for (const branch of issue.errors) {
        for (const inner of branch) {
          if (inner.path.length > 0) continue;
          if (inner.code === 'invalid_type') expected.add(typeName(inner.expected));
          if (inner.code === 'invalid_value') {
            for (const v of inner.values) expected.add(JSON.stringify(v));
          }
        }
      }
      const list = expected.size > 0 ? [...expected].join(' or ') : 'another form';
      return `expected ${list}, found ${found}`;
    }
    default: {
      const message = issue.message;
      if (message.startsWith('expected ') && !message.includes(' found ')) {
        return `${message}, found ${found}`;
      }
      return message;
    }
  }
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'an integer',
    boolean: 'true or false',
    object: 'a mapping',
    record: 'a mapping',
    array: 'a list',
  };
  return names[expected] ?? expected;
}

function bound(word: string, limit: number | bigint, origin: string): string {
  const n = Number(limit);
  if (origin === 'string') return `${word} ${n} character${n === 1 ? '' : 's'}`;
  if (origin === 'array' || origin === 'set') return `${word} ${n} item${n === 1 ? '' : 's'}`;
  return `a number ${word} ${n}`;
}

function measure(input: unknown, origin: string, found: string): string {
  if (origin === 'string' && typeof input === 'string') return `${input.length}`;
  if (origin === 'array' && Array.isArray(input)) return `${input.length}`;
  return found;
}

/** A short description of a value as found in the document. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (value instanceof Secret) return 'a reference';
  if (typeof value === 'string') {
    // A URL's password never shows, wherever the URL is.
    const redacted = value.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1***@');
    const shown = redacted.length > 60 ? `${redacted.slice(0, 57)}...` : redacted;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'symbol') return 'an unresolved reference';
  const keys = typeof value === 'object' ? Object.keys(value) : [];
  if (keys.length === 0) return 'an empty mapping';
  return `a mapping (keys: ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''})`;
}
