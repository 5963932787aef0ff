import path from 'node:path';
import { Secret } from '../core/secret.js';
import { REFERENCE_PATTERN } from './config-schema.js';
import type { DocumentPath } from './config-problems.js';

/** Where a secret is required: the value must be a reference (or, for the key, a file path). */
const SECRET_PATHS: readonly (readonly string[])[] = [
  ['okta', 'token'],
  ['okta', 'eventHook', 'secret'],
  ['server', 'apiToken'],
];
const PRIVATE_KEY_PATH = ['okta', 'oauth', 'privateKeyFile'] as const;

/** `${env:NAME}` / `${file:path}` anywhere in a string; `$${` escapes a literal `${`. */
const EMBEDDED_REFERENCE = /\$\$\{|\$\{(env|file):([^}]+)\}/g;

/** A reference problem, at a path in the document. Never contains a resolved value. */
export interface ReferenceProblem {
  readonly path: DocumentPath;
  readonly message: string;
}

export interface ResolveOptions {
  /** Directory of the config file: `${file:…}`, policy and key paths are relative to it. */
  readonly baseDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (absolutePath: string) => Promise<string>;
}

export interface Resolved {
  readonly value: unknown;
  readonly problems: readonly ReferenceProblem[];
}

/**
 * Resolves references in a parsed config document (a plain JS tree). Secret fields become
 * `Secret`s; a literal in a secret field is left as it is for the schema to reject. Inline-policy
 * paths are replaced by the file's text. Every failure is collected, never thrown, and names the
 * path in the document and the reference, never a resolved value.
 */
export async function resolveReferences(
  document: unknown,
  options: ResolveOptions,
): Promise<Resolved> {
  const problems: ReferenceProblem[] = [];

  const readRelative = async (file: string): Promise<string> =>
    options.readFile(path.resolve(options.baseDir, file));

  const resolveOne = async (
    kind: string,
    argument: string,
    at: DocumentPath,
  ): Promise<string | undefined> => {
    if (kind === 'env') {
      const value = options.env[argument];
      if (value === undefined) {
        problems.push({
          path: at,
          message: `environment variable ${argument} is not set (referenced as \${env:${argument}})`,
        });
      }
      return value;
    }
    try {
      return trimFinalNewline(await readRelative(argument));
    } catch (error) {
      problems.push({
        path: at,
        message: `cannot read file ${argument} (referenced as \${file:${argument}}): ${ioReason(error)}`,
      });
      return undefined;
    }
  };

  const interpolate = async (text: string, at: DocumentPath): Promise<string | undefined> => {
    let failed = false;
    let result = '';
    let last = 0;
    for (const match of text.matchAll(EMBEDDED_REFERENCE)) {
      result += text.slice(last, match.index);
      last = match.index + match[0].length;
      if (match[0] === '$${') {
        result += '${';
        continue;
      }
      const value = await resolveOne(match[1] ?? '', match[2] ?? '', at);
      if (value === undefined) failed = true;
      else result += value;
    }
    return failed ? undefined : result + text.slice(last);
  };

  const resolveSecret = async (value: unknown, at: DocumentPath): Promise<unknown> => {
    if (typeof value !== 'string') return value;
    const match = REFERENCE_PATTERN.exec(value.trim());
    if (match) {
      const [, kind = '', argument = ''] = match;
      const resolved = await resolveOne(kind, argument, at);
      if (resolved === undefined) return FAILED;
      if (resolved.trim() === '') {
        // An empty token fails later at the first API call with a confusing 401; say it now.
        problems.push({
          path: at,
          message: `\${${kind}:${argument}} is empty; a secret is expected`,
        });
        return FAILED;
      }
      return new Secret(resolved, `${kind}:${argument}`);
    }
    if (samePath(at, PRIVATE_KEY_PATH) && looksLikePath(value)) {
      try {
        return new Secret(trimFinalNewline(await readRelative(value)), `file:${value}`);
      } catch (error) {
        problems.push({
          path: at,
          message: `cannot read private key file ${value}: ${ioReason(error)}`,
        });
        return FAILED;
      }
    }
    return value;
  };

  const walk = async (value: unknown, at: DocumentPath): Promise<unknown> => {
    if (
      SECRET_PATHS.some((secretPath) => samePath(at, secretPath)) ||
      samePath(at, PRIVATE_KEY_PATH)
    ) {
      return resolveSecret(value, at);
    }
    if (typeof value === 'string') {
      if (samePath(at, ['store'])) checkStorePassword(value, at, problems);
      const text = await interpolate(value, at);
      if (text === undefined) return FAILED;
      if (isInlinePolicyPath(at) && !text.trimStart().startsWith('{')) {
        try {
          return await readRelative(text);
        } catch (error) {
          problems.push({
            path: at,
            message: `cannot read policy file ${text}: ${ioReason(error)}`,
          });
          return FAILED;
        }
      }
      return text;
    }
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      for (const [index, item] of value.entries()) items.push(await walk(item, [...at, index]));
      return items;
    }
    if (typeof value === 'object' && value !== null) {
      const entries: [string, unknown][] = [];
      for (const [key, item] of Object.entries(value))
        entries.push([key, await walk(item, [...at, key])]);
      return Object.fromEntries(entries);
    }
    return value;
  };

  const value = await walk(document, []);
  return { value, problems };
}

/**
 * Stands in for a value whose reference failed. The schema rejects it, and the loader drops
 * issues under paths that already have a reference problem, so each mistake is reported once.
 */
export const FAILED = Symbol('unresolved reference');

function samePath(a: DocumentPath, b: readonly (string | number)[]): boolean {
  return a.length === b.length && a.every((segment, index) => segment === b[index]);
}

function isInlinePolicyPath(at: DocumentPath): boolean {
  return at.length === 3 && at[0] === 'permissionSets' && at[2] === 'inlinePolicy';
}

/** A key file path, not key material pasted in (PEM, JWK) that would be a literal secret. */
function looksLikePath(value: string): boolean {
  return value.length > 0 && !/[\n{]/.test(value) && !value.trimStart().startsWith('-----');
}

/** A password in a PostgreSQL URL is a secret too: it must come from a reference. */
function checkStorePassword(raw: string, at: DocumentPath, problems: ReferenceProblem[]): void {
  const match = /^postgres(?:ql)?:\/\/([^@/]*)@/.exec(raw);
  const userInfo = match?.[1];
  if (userInfo === undefined || !userInfo.includes(':')) return;
  const password = userInfo.slice(userInfo.indexOf(':') + 1);
  if (!REFERENCE_PATTERN.test(password)) {
    problems.push({
      path: at,
      message:
        'the password in the store URL must be a ${env:…} or ${file:…} reference, found a literal (or leave it out and set PGPASSWORD)',
    });
  }
}

function trimFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

function ioReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}
