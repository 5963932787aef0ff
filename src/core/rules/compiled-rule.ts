import type { PermissionSetDefinition } from '../domain/identity-center.js';
import type { AccountId, OrganizationalUnitId } from '../domain/ids.js';
import type { Tags } from '../domain/organizations.js';

/**
 * Rules as the core consumes them: already validated and compiled by src/config at load time.
 * Placeholders (`{capture}`) in permission set names and account ids are checked there to refer
 * to named captures that exist, so the core can substitute without re-validating.
 */

/** Which Okta groups a rule matches. Exactly one of the three kinds. */
export type GroupMatcher =
  | { readonly kind: 'names'; readonly names: readonly string[] }
  | { readonly kind: 'ids'; readonly ids: readonly string[] }
  /** A regex with named captures, anchored as written by the user. */
  | {
      readonly kind: 'pattern';
      readonly pattern: RegExp;
      readonly captureNames: readonly string[];
    };

/** A template string in which `{capture}` refers to a named capture of the group matcher. */
export interface CaptureTemplate {
  readonly source: string;
  /** Capture names the template uses, in order of appearance. */
  readonly placeholders: readonly string[];
}

export type AccountSelector =
  /** Literal ids or `{capture}` templates resolving to ids. */
  | { readonly kind: 'ids'; readonly ids: readonly CaptureTemplate[] }
  /** Accounts under an OU; recursive (all nested OUs) unless `recursive: false`. */
  | { readonly kind: 'ou'; readonly ou: OrganizationalUnitId; readonly recursive: boolean }
  /** Accounts whose tags contain every key with exactly the given value. */
  | { readonly kind: 'tags'; readonly tags: Tags }
  /** Every active account. */
  | { readonly kind: 'all' };

export const AssignModes = ['USER', 'GROUP'] as const;
export type AssignMode = (typeof AssignModes)[number];

export interface CompiledRule {
  readonly name: string;
  readonly groups: GroupMatcher;
  /** The permission set name, possibly with `{capture}` placeholders. */
  readonly permissionSet: CaptureTemplate;
  /**
   * The template the permission set is built from. When absent, the permission set named by the
   * rule must be a template key itself (rules may name a template directly).
   */
  readonly template?: string;
  readonly accounts: readonly AccountSelector[];
  readonly assign: AssignMode;
}

/** A permission-set template from config: a definition without its name (the rule gives that). */
export type PermissionSetTemplate = Omit<PermissionSetDefinition, 'name'>;

export interface SafetySettings {
  /** Per plan; more deletes need an explicit allowance (CLI --allow-deletes N). Default 25. */
  readonly maxDeletes: number;
  readonly protected: {
    readonly accounts: readonly AccountId[];
    /** Permission set names. */
    readonly permissionSets: readonly string[];
    /** Identity Center principal ids, Okta ids, logins or group names. */
    readonly principals: readonly string[];
  };
  /** The management account is excluded from rule scope unless this is true. Default false. */
  readonly allowManagementAccount: boolean;
}

/** Everything the pure core needs from config to compute desired state. */
export interface SyncPolicy {
  readonly rules: readonly CompiledRule[];
  readonly templates: Readonly<Record<string, PermissionSetTemplate>>;
  readonly safety: SafetySettings;
  /** The tag key/value that marks permission sets this tool owns. */
  readonly ownershipTag: { readonly key: string; readonly value: string };
}

/** Default ownership tag: permission sets carrying it are managed by this tool. */
export const DEFAULT_OWNERSHIP_TAG = { key: 'managed-by', value: 'okta-aws-sync' } as const;
