import { OktaGroupId, OrganizationalUnitId, PermissionSetName } from '../core/domain/ids.js';
import type {
  AccountSelector,
  CaptureTemplate,
  CompiledRule,
  GroupMatcher,
} from '../core/rules/compiled-rule.js';
import { AssignModes } from '../core/rules/compiled-rule.js';
import { captureTemplate, namedCaptures, templateParts } from './capture-template.js';

/** A problem found while compiling, with its path relative to the thing compiled. */
export interface CompileProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export type CompileResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly CompileProblem[] };

const PERMISSION_SET_CHARS = /^[\w+=,.@-]*$/;

/**
 * Named captures available to placeholders: a list when the rule has a valid name pattern,
 * `none` when it matches by names or ids, `unknown` when the pattern itself is broken (its own
 * problem is reported; placeholder checks would only add noise).
 */
type Captures = readonly string[] | 'none' | 'unknown';

/**
 * Compiles one rule as written in config into the core's CompiledRule: builds the group matcher
 * (compiling the name pattern), checks that every `{capture}` placeholder in `permissionSet` and
 * `accounts` names a capture of the pattern, and normalises account selectors to a list.
 *
 * It takes the rule as parsed (possibly with type errors elsewhere, which the schema reports) and
 * checks every part whose type is right, so all problems of a rule come out together. It returns
 * a CompiledRule only when the whole rule is well formed. Cross-references (does `template` name
 * a template?) need the whole config and are the schema's. Never throws.
 */
export function compileRule(rule: unknown): CompileResult<CompiledRule> {
  const problems: CompileProblem[] = [];
  const input = asRecord(rule) ?? {};
  const { matcher, captures } = compileGroups(input.groups, problems);
  const permissionSet =
    typeof input.permissionSet === 'string'
      ? compilePermissionSet(input.permissionSet, captures, problems)
      : undefined;
  const accounts = compileAccounts(input.accounts, captures, problems);
  const { name, template, assign } = input;
  const assignMode = AssignModes.find((mode) => mode === assign);
  if (
    problems.length > 0 ||
    !matcher ||
    !permissionSet ||
    !accounts ||
    !assignMode ||
    typeof name !== 'string' ||
    (template !== undefined && typeof template !== 'string')
  ) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    value: {
      name,
      groups: matcher,
      permissionSet,
      ...(template === undefined ? {} : { template }),
      accounts,
      assign: assignMode,
    },
  };
}

function compileGroups(
  value: unknown,
  problems: CompileProblem[],
): { matcher?: GroupMatcher; captures: Captures } {
  const groups = asRecord(value);
  if (!groups) return { captures: 'unknown' };
  const given = (['names', 'ids', 'namePattern'] as const).filter(
    (key) => groups[key] !== undefined,
  );
  if (given.length !== 1) {
    problems.push({
      path: ['groups'],
      message: `expected exactly one of names, ids or namePattern, found ${given.length === 0 ? 'none' : given.join(' and ')}`,
    });
  }
  const { names, ids, namePattern } = groups;
  if (typeof namePattern === 'string') {
    let pattern: RegExp;
    try {
      pattern = new RegExp(namePattern);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      problems.push({
        path: ['groups', 'namePattern'],
        message: `expected a JavaScript regular expression, found an invalid one: ${reason}`,
      });
      return { captures: 'unknown' };
    }
    const captureNames = namedCaptures(pattern);
    return {
      ...(given.length === 1 ? { matcher: { kind: 'pattern', pattern, captureNames } } : {}),
      captures: captureNames,
    };
  }
  if (namePattern !== undefined || given.length !== 1) return { captures: 'unknown' };
  if (isStringList(names)) return { matcher: { kind: 'names', names }, captures: 'none' };
  if (isStringList(ids) && ids.every((id) => OktaGroupId.is(id))) {
    return { matcher: { kind: 'ids', ids }, captures: 'none' };
  }
  return { captures: 'none' };
}

function checkPlaceholders(
  template: CaptureTemplate,
  captures: Captures,
  path: readonly (string | number)[],
  problems: CompileProblem[],
): void {
  if (captures === 'unknown') return;
  for (const name of template.placeholders) {
    if (captures === 'none') {
      problems.push({
        path,
        message: `placeholder {${name}} needs groups.namePattern with a named capture (?<${name}>…), but the rule has no name pattern`,
      });
    } else if (!captures.includes(name)) {
      const known = captures.length > 0 ? captures.map((c) => `{${c}}`).join(', ') : 'none';
      problems.push({
        path,
        message: `placeholder {${name}} refers to no named capture of groups.namePattern (captures: ${known})`,
      });
    }
  }
}

function compilePermissionSet(
  source: string,
  captures: Captures,
  problems: CompileProblem[],
): CaptureTemplate | undefined {
  const template = captureTemplate(source);
  const path = ['permissionSet'];
  if (template.placeholders.length === 0) {
    if (PermissionSetName.is(source)) return template;
    problems.push({
      path,
      message: `expected a permission set name of ${PermissionSetName.expected} or a {capture} template, found "${source}"`,
    });
    return undefined;
  }
  const before = problems.length;
  checkPlaceholders(template, captures, path, problems);
  const literal = literalText(source);
  if (!PERMISSION_SET_CHARS.test(literal) || literal.length >= 32) {
    problems.push({
      path,
      message: `expected {capture} placeholders and fewer than 32 characters from [A-Za-z0-9_+=,.@-], found "${source}"`,
    });
  }
  return problems.length === before ? template : undefined;
}

function compileAccounts(
  value: unknown,
  captures: Captures,
  problems: CompileProblem[],
): AccountSelector[] | undefined {
  if (value === undefined) return undefined;
  const entries: unknown[] = Array.isArray(value) ? value : [value];
  if (entries.length === 0) {
    problems.push({
      path: ['accounts'],
      message: 'expected at least one account selector, found none',
    });
    return undefined;
  }
  const selectors: AccountSelector[] = [];
  let ids: CaptureTemplate[] = [];
  let complete = true;
  const flushIds = (): void => {
    if (ids.length > 0) selectors.push({ kind: 'ids', ids });
    ids = [];
  };
  entries.forEach((entry, index) => {
    const path = Array.isArray(value) ? ['accounts', index] : ['accounts'];
    if (entry === 'all') {
      flushIds();
      selectors.push({ kind: 'all' });
    } else if (typeof entry === 'string') {
      const template = compileAccountId(entry, captures, path, problems);
      if (template) ids.push(template);
      else complete = false;
    } else {
      const selector = selectorObject(entry);
      if (selector) {
        flushIds();
        selectors.push(selector);
      } else complete = false;
    }
  });
  flushIds();
  return complete ? selectors : undefined;
}

function compileAccountId(
  entry: string,
  captures: Captures,
  path: readonly (string | number)[],
  problems: CompileProblem[],
): CaptureTemplate | undefined {
  const template = captureTemplate(entry);
  const wellFormed =
    template.placeholders.length === 0
      ? /^\d{12}$/.test(entry)
      : /^\d{0,11}$/.test(literalText(entry));
  if (!wellFormed) {
    problems.push({
      path,
      message: `expected a 12-digit account id, a {capture} template, "all", { ou, recursive } or { tags }, found "${entry}"`,
    });
    return undefined;
  }
  const before = problems.length;
  checkPlaceholders(template, captures, path, problems);
  return problems.length === before ? template : undefined;
}

/** A selector object the schema accepts, or undefined (the schema reports why). */
function selectorObject(entry: unknown): AccountSelector | undefined {
  const object = asRecord(entry);
  if (!object) return undefined;
  const { ou, recursive, tags } = object;
  if (typeof ou === 'string' && OrganizationalUnitId.is(ou) && tags === undefined) {
    return { kind: 'ou', ou, recursive: recursive !== false };
  }
  const tagMap = asRecord(tags);
  if (ou === undefined && tagMap && Object.values(tagMap).every((v) => typeof v === 'string')) {
    return { kind: 'tags', tags: tagMap as Record<string, string> };
  }
  return undefined;
}

function literalText(source: string): string {
  return templateParts(source)
    .filter((part) => part.kind === 'literal')
    .map((part) => part.text)
    .join('');
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
