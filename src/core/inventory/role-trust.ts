import type { RoleTrust } from '../domain/iam.js';
import type { SamlProviderArn } from '../domain/ids.js';
import {
  RESERVED_SSO_ROLE_PATTERN,
  SamlProviderArn as SamlProviderArnFormat,
} from '../domain/ids.js';

/**
 * Decodes a policy document as IAM returns it. IAM URL-encodes policy documents (RFC 3986) and
 * the SDK does not decode them (aws-identity-center.md §2.4). A document that is already plain
 * JSON is returned as is, because decoding plain JSON would corrupt any literal "%" in it.
 * Throws SyntaxError when the result is not a JSON object.
 */
export function decodePolicyDocument(raw: string): string {
  const trimmed = raw.trim();
  let text = trimmed;
  if (!trimmed.startsWith('{')) {
    try {
      text = decodeURIComponent(trimmed);
    } catch {
      throw new SyntaxError('policy document is neither JSON nor URL-encoded JSON');
    }
  }
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SyntaxError('policy document is not a JSON object');
  }
  return text;
}

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Principal?: unknown;
}

const asList = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.filter((item): item is string => typeof item === 'string')
      : [];

/**
 * Classifies who may assume a role, from its name and decoded trust policy:
 * - identity-center: the name is AWSReservedSSO_<permission set>_<16 hex> (Identity Center made it);
 * - saml-federation: an Allow statement lets a SAML provider call sts:AssumeRoleWithSAML;
 * - service: every Allow statement trusts AWS service principals only;
 * - other: anything else (accounts, roles, web identity, "*"), with the principals listed.
 * An unparseable document classifies as other with no principals.
 */
export function classifyRoleTrust(roleName: string, trustPolicy: string): RoleTrust {
  let statements: Statement[];
  try {
    const document = JSON.parse(trustPolicy) as { Statement?: unknown };
    const raw = document.Statement;
    statements = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Statement[];
  } catch {
    statements = [];
  }
  const allows = statements.filter((statement) => statement.Effect === 'Allow');
  const samlProviders: SamlProviderArn[] = [];
  const services: string[] = [];
  const others: string[] = [];
  for (const statement of allows) {
    const actions = asList(statement.Action).map((action) => action.toLowerCase());
    const principal = statement.Principal;
    if (principal === '*') {
      others.push('*');
      continue;
    }
    if (typeof principal !== 'object' || principal === null) continue;
    const byType = principal as Record<string, unknown>;
    for (const federated of asList(byType.Federated)) {
      const samlAction = actions.some((a) => a === 'sts:assumerolewithsaml' || a === 'sts:*');
      if (samlAction && SamlProviderArnFormat.is(federated)) samlProviders.push(federated);
      else others.push(federated);
    }
    services.push(...asList(byType.Service));
    others.push(...asList(byType.AWS), ...asList(byType.CanonicalUser));
  }
  const reserved = RESERVED_SSO_ROLE_PATTERN.exec(roleName);
  if (reserved?.[1]) {
    return {
      kind: 'identity-center',
      permissionSetName: reserved[1],
      samlProviderArns: unique(samlProviders),
    };
  }
  if (samlProviders.length > 0) {
    return { kind: 'saml-federation', samlProviderArns: unique(samlProviders) };
  }
  if (services.length > 0 && others.length === 0) {
    return { kind: 'service', services: unique(services) };
  }
  return { kind: 'other', principals: unique([...others, ...services]) };
}

function unique<T extends string>(values: readonly T[]): T[] {
  return [...new Set(values)].sort();
}
