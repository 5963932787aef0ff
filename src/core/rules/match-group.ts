import type { OktaGroup } from '../domain/okta.js';
import type { CaptureTemplate, GroupMatcher } from './compiled-rule.js';

/** Named captures of a matched group; empty for `names` and `ids` matchers. */
export type Captures = Readonly<Record<string, string>>;

const NO_CAPTURES: Captures = Object.freeze({});

/**
 * Whether a rule's matcher selects an Okta group, and with which captures. `names` compare the
 * Okta group name exactly; `ids` compare the Okta group id; `pattern` runs the regex as written
 * (the user anchors it) on the group name. Returns undefined when the group does not match.
 */
export function matchGroup(matcher: GroupMatcher, group: OktaGroup): Captures | undefined {
  switch (matcher.kind) {
    case 'names':
      return matcher.names.includes(group.name) ? NO_CAPTURES : undefined;
    case 'ids':
      return matcher.ids.includes(group.id) ? NO_CAPTURES : undefined;
    case 'pattern': {
      // A global or sticky regex keeps lastIndex between calls; reset it so matching is pure.
      matcher.pattern.lastIndex = 0;
      const match = matcher.pattern.exec(group.name);
      if (!match) return undefined;
      const captures: Record<string, string> = {};
      for (const [name, value] of Object.entries(match.groups ?? {})) {
        if (value !== undefined) captures[name] = value;
      }
      return captures;
    }
  }
}

const PLACEHOLDER = /\{([A-Za-z_$][\w$]*)\}/g;

/**
 * Substitutes `{capture}` placeholders. A placeholder whose capture did not participate in the
 * match yields `{ ok: false }` naming it, so the caller reports the rule and group instead of
 * producing a half-substituted name.
 */
export function substitute(
  template: CaptureTemplate,
  captures: Captures,
):
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly missing: string } {
  if (template.placeholders.length === 0) return { ok: true, value: template.source };
  let missing: string | undefined;
  const value = template.source.replace(PLACEHOLDER, (whole, name: string) => {
    const captured = captures[name];
    if (captured === undefined) {
      missing ??= name;
      return whole;
    }
    return captured;
  });
  return missing === undefined ? { ok: true, value } : { ok: false, missing };
}
