import { readFile as fsReadFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, UsageError } from '../core/errors.js';
import type { SyncPolicy } from '../core/rules/compiled-rule.js';
import { compileSyncPolicy } from './compile-sync-policy.js';
import {
  SourceLocator,
  formatProblem,
  problemsFromIssues,
  type ConfigProblem,
  type DocumentPath,
} from './config-problems.js';
import { configSchema, knownKeysAt, type Config } from './config-schema.js';
import { resolveReferences } from './reference-resolver.js';

export interface LoadConfigOptions {
  /** Where `${env:NAME}` references are looked up (usually process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a file as UTF-8 (the config, `${file:…}`, policies, keys). Default: node:fs. */
  readonly readFile?: (absolutePath: string) => Promise<string>;
}

/** A config that passed validation, with its rules compiled. */
export interface LoadedConfig {
  /** The config file as given (used in messages). */
  readonly path: string;
  /** Directory the config's relative paths were resolved against. */
  readonly baseDir: string;
  /** The validated config: defaults applied, secrets as `Secret`, intervals in milliseconds. */
  readonly config: Config;
  /** The compiled rules, templates and safety settings the planner consumes. */
  readonly policy: SyncPolicy;
  /**
   * Legal but probably unintended settings, as `file:line:col: path: message` (an unanchored
   * name pattern, a template no rule uses). `config validate` prints them; they never fail a load.
   */
  readonly warnings: readonly string[];
}

const defaultReadFile = (file: string): Promise<string> => fsReadFile(file, 'utf8');

/**
 * Reads, resolves, validates and compiles a config file.
 *
 * - A missing or unreadable file: UsageError with a one-line cause.
 * - YAML that does not parse: ConfigError with one line `file:line:col: invalid YAML: …`.
 * - Anything else wrong: one ConfigError whose `problems` lists every problem found, each as
 *   `file:line:col: path: expected …, found …`, in source order. No message contains a resolved
 *   secret.
 */
export async function loadConfig(file: string, options: LoadConfigOptions): Promise<LoadedConfig> {
  const readFile = options.readFile ?? defaultReadFile;
  let text: string;
  try {
    text = await readFile(path.resolve(file));
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : error instanceof Error
              ? error.message
              : String(error);
    throw new UsageError(`cannot read config file ${file}: ${reason}`);
  }
  return parseConfigText(text, { ...options, file });
}

/**
 * Loads a config given as a path or as inline JSON (text starting with `{`), as Lambda's
 * `OKTA_AWS_SYNC_CONFIG` allows. Inline config is named `<inline config>` in messages and its
 * relative paths resolve against `baseDir` (default the working directory).
 */
export async function loadConfigFrom(
  pathOrJson: string,
  options: LoadConfigOptions & { readonly baseDir?: string },
): Promise<LoadedConfig> {
  if (!pathOrJson.trimStart().startsWith('{')) return loadConfig(pathOrJson, options);
  return parseConfigText(pathOrJson, {
    ...options,
    file: '<inline config>',
    baseDir: options.baseDir ?? process.cwd(),
  });
}

/**
 * Like loadConfig, from text already in hand (Lambda's inline config; JSON is YAML). `file`
 * names the source in messages; relative paths resolve against `baseDir`, default its directory.
 */
export async function parseConfigText(
  text: string,
  options: LoadConfigOptions & { readonly file: string; readonly baseDir?: string },
): Promise<LoadedConfig> {
  const { file } = options;
  const baseDir = options.baseDir ?? path.dirname(path.resolve(file));
  const lines = new LineCounter();
  // merge: YAML 1.1 `<<: *anchor` keys, handy for rules that share most fields.
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true });
  const yamlError = document.errors[0];
  if (yamlError) {
    const { line, col } = lines.linePos(yamlError.pos[0]);
    const reason = yamlError.message.split('\n')[0] ?? yamlError.code;
    throw new ConfigError(`${file}:${line}:${col}: invalid YAML: ${reason}`);
  }
  const locator = new SourceLocator(file, document, lines);
  const raw: unknown = document.toJS({ maxAliasCount: 1000 });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(
      `${file}:1:1: expected a mapping with okta, aws, rules, … at the top level, found ${raw === null || raw === undefined ? 'an empty document' : 'something else'}`,
    );
  }

  // Top-level `x-…` keys are free-form (a home for YAML anchors) and not validated.
  const content = Object.fromEntries(Object.entries(raw).filter(([key]) => !key.startsWith('x-')));
  const resolved = await resolveReferences(content, {
    baseDir,
    env: options.env,
    readFile: options.readFile ?? defaultReadFile,
  });
  const problems: ConfigProblem[] = resolved.problems.map((problem) =>
    locator.problem(problem.path, problem.message),
  );
  const failedPaths = resolved.problems.map((problem) => problem.path);

  const parsed = configSchema.safeParse(resolved.value, { reportInput: true });
  if (!parsed.success) {
    const issues = parsed.error.issues.filter((issue) => {
      const at = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
      return !failedPaths.some((failed) => isPrefix(failed, at));
    });
    problems.push(...problemsFromIssues(issues, locator, isSensitive, knownKeysAt));
  }
  // When parsing failed only where a reference did, those problems are already in the list.
  if (problems.length > 0 || !parsed.success) throw configErrorFor(file, problems);

  const config = withResolvedStore(parsed.data, baseDir);
  const policy = compileSyncPolicy(config);
  const warnings = warningsFor(policy)
    .map((w) => locator.problem(w.path, w.message, w.atKey))
    .sort(bySourcePosition)
    .map(formatProblem);
  return { path: file, baseDir, config, policy, warnings };
}

interface Warning {
  readonly path: DocumentPath;
  readonly message: string;
  readonly atKey?: boolean;
}

function warningsFor(policy: SyncPolicy): Warning[] {
  const warnings: Warning[] = [];
  const used = new Set<string>();
  policy.rules.forEach((rule, index) => {
    used.add(rule.template ?? rule.permissionSet.source);
    if (rule.groups.kind !== 'pattern') return;
    const { source } = rule.groups.pattern;
    if (!source.startsWith('^') || !source.endsWith('$')) {
      warnings.push({
        path: ['rules', index, 'groups', 'namePattern'],
        message:
          'the name pattern is not anchored with ^…$, so it also matches group names that merely contain a match',
      });
    }
  });
  for (const name of Object.keys(policy.templates)) {
    if (!used.has(name)) {
      warnings.push({
        path: ['permissionSets', name],
        message: 'no rule uses this template',
        atKey: true,
      });
    }
  }
  return warnings;
}

function bySourcePosition(a: ConfigProblem, b: ConfigProblem): number {
  return a.line - b.line || a.column - b.column;
}

function configErrorFor(file: string, problems: ConfigProblem[]): ConfigError {
  const sorted = [...problems].sort(bySourcePosition);
  const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
  return new ConfigError(`${file}: ${count}`, sorted.map(formatProblem));
}

/** Paths whose values are never shown in messages (URL passwords are redacted everywhere). */
function isSensitive(at: DocumentPath): boolean {
  const key = at.join('.');
  return (
    key === 'okta.token' ||
    key === 'okta.eventHook.secret' ||
    key === 'server.apiToken' ||
    key.startsWith('okta.oauth.privateKeyFile')
  );
}

function isPrefix(prefix: DocumentPath, of: DocumentPath): boolean {
  return prefix.length <= of.length && prefix.every((segment, index) => segment === of[index]);
}

/** `sqlite:` paths are relative to the config file, like every other path in it. */
function withResolvedStore(config: Config, baseDir: string): Config {
  const match = /^sqlite:(.+)$/.exec(config.store);
  const file = match?.[1];
  if (file === undefined || file === ':memory:' || path.isAbsolute(file)) return config;
  return { ...config, store: `sqlite:${path.resolve(baseDir, file)}` };
}
