import type { CaptureTemplate } from '../core/rules/compiled-rule.js';

/** A `{name}` placeholder: a JS identifier, as named capture groups are. */
const PLACEHOLDER = /\{([A-Za-z_$][\w$]*)\}/g;

/** One piece of a template: literal text, or a placeholder naming a capture. */
export type TemplatePart =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'placeholder'; readonly name: string };

/**
 * Splits `aws-{team}-ro` into literal and placeholder parts. Braces that do not form a
 * placeholder stay literal text, so the caller's character check rejects them.
 */
export function templateParts(source: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push({ kind: 'literal', text: source.slice(last, match.index) });
    parts.push({ kind: 'placeholder', name: match[1] ?? '' });
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push({ kind: 'literal', text: source.slice(last) });
  return parts;
}

/** The template as the core consumes it. */
export function captureTemplate(source: string): CaptureTemplate {
  const placeholders = templateParts(source)
    .filter((part) => part.kind === 'placeholder')
    .map((part) => part.name);
  return { source, placeholders };
}

/**
 * The named capture groups of a regex, in source order. Alternating with an empty pattern makes
 * every regex match "", and `groups` then lists every named group, participating or not.
 */
export function namedCaptures(pattern: RegExp): string[] {
  const probe = new RegExp(`(?:${pattern.source})|`, pattern.flags.replace(/[gy]/g, ''));
  const groups = probe.exec('')?.groups;
  return groups ? Object.keys(groups) : [];
}
