/**
 * Identity-policy enforcement for sessions issued by STS AssumeRole (issue 8). A session whose
 * role carries inline policies is held to them: an explicit Deny wins, then an Allow must match
 * the action (`*` / `?` wildcards, case-insensitive) and every resource the request touches
 * (wildcards, case-sensitive). Roles without inline policies, IAM users and the management
 * key pair are not evaluated (the simulator does not model managed-policy documents), so
 * existing scenarios keep working. Conditions, NotAction and NotResource are not evaluated: a
 * statement using them never matches.
 */
import { AwsSimError } from './aws-sim-error.js';
import type { AwsState } from './aws-state.js';
import type { Principal } from './sim-runtime.js';

export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

interface Statement {
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly Resource?: unknown;
  readonly Condition?: unknown;
  readonly NotAction?: unknown;
  readonly NotResource?: unknown;
}

function strings(value: unknown): string[] {
  return ([] as unknown[]).concat(value ?? []).filter((v): v is string => typeof v === 'string');
}

function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function statementsOf(documents: readonly string[]): Statement[] {
  const out: Statement[] = [];
  for (const text of documents) {
    let doc: { Statement?: unknown };
    try {
      doc = JSON.parse(text) as { Statement?: unknown };
    } catch {
      continue;
    }
    for (const s of ([] as unknown[]).concat(doc.Statement ?? []))
      if (typeof s === 'object' && s !== null) out.push(s);
  }
  return out;
}

function matches(s: Statement, action: string, resource: string): boolean {
  if (s.Condition !== undefined || s.NotAction !== undefined || s.NotResource !== undefined)
    return false;
  return (
    strings(s.Action).some((a) => glob(a, action, true)) &&
    strings(s.Resource).some((r) => glob(r, resource, false))
  );
}

/**
 * Evaluates identity policies for one action over the resources a request touches. Allowed only
 * when no Deny matches any resource and an Allow matches every resource.
 */
export function evaluateIdentityPolicies(
  documents: readonly string[],
  action: string,
  resources: readonly string[],
): PolicyDecision {
  const statements = statementsOf(documents);
  const deny = statements.filter((s) => s.Effect === 'Deny');
  const allow = statements.filter((s) => s.Effect === 'Allow');
  if (resources.some((r) => deny.some((s) => matches(s, action, r)))) return 'explicit-deny';
  return resources.every((r) => allow.some((s) => matches(s, action, r)))
    ? 'allow'
    : 'implicit-deny';
}

/**
 * The resources a request acts on, as IAM authorizes them: Identity Center instance, permission
 * set and account ARNs; identity store, user and group ARNs; the role ARN of AssumeRole; for IAM,
 * the named role, user or group in the caller's account (`callerAccountId`), with its path. An
 * operation without resource-level permissions is authorized against `*`.
 */
export function requestResources(
  state: AwsState,
  signingName: string,
  input: Readonly<Record<string, unknown>>,
  callerAccountId: string,
): string[] {
  const str = (key: string): string | undefined =>
    typeof input[key] === 'string' ? input[key] : undefined;
  const out: string[] = [];
  if (signingName === 'sso') {
    const instance = str('InstanceArn');
    if (instance) out.push(instance);
    const ps =
      str('PermissionSetArn') ??
      (str('ResourceArn')?.includes(':permissionSet/') ? str('ResourceArn') : undefined);
    if (ps) out.push(ps);
    const account = str('TargetId') ?? str('AccountId');
    if (account) out.push(`arn:aws:sso:::account/${account}`);
  } else if (signingName === 'identitystore') {
    const store = str('IdentityStoreId');
    if (store)
      out.push(
        `arn:aws:identitystore::${state.organization.managementAccountId}:identitystore/${store}`,
      );
    const user = str('UserId');
    if (user) out.push(`arn:aws:identitystore:::user/${user}`);
    const group = str('GroupId');
    if (group) out.push(`arn:aws:identitystore:::group/${group}`);
  } else if (signingName === 'iam') {
    const iam = state.iam.get(callerAccountId);
    const role = str('RoleName');
    if (role) out.push(iam?.roles.get(role)?.arn ?? `arn:aws:iam::${callerAccountId}:role/${role}`);
    const user = str('UserName');
    if (user) out.push(iam?.users.get(user)?.arn ?? `arn:aws:iam::${callerAccountId}:user/${user}`);
    const group = str('GroupName');
    if (group)
      out.push(iam?.groups.get(group)?.arn ?? `arn:aws:iam::${callerAccountId}:group/${group}`);
  } else if (signingName === 'sts') {
    const role = str('RoleArn');
    if (role) out.push(role);
  }
  return out.length > 0 ? out : ['*'];
}

/**
 * The AccessDenied error for a request the principal's policies do not allow, or undefined when
 * the request may proceed. The message has AWS's shape ("… is not authorized to perform: A on
 * resource: R because no identity-based policy allows the A action" / "with an explicit deny in
 * an identity-based policy"); awsQuery services answer `AccessDenied` with 403.
 */
export function enforceIdentityPolicy(
  state: AwsState,
  principal: Principal,
  signingName: string,
  protocol: 'json' | 'query',
  operation: string,
  input: Readonly<Record<string, unknown>>,
): AwsSimError | undefined {
  if (principal.kind !== 'assumed-role' || !principal.roleName) return undefined;
  const role = state.iam.get(principal.accountId)?.roles.get(principal.roleName);
  if (!role || role.inlinePolicies.size === 0) return undefined;
  const action = `${signingName}:${operation}`;
  const resources = requestResources(state, signingName, input, principal.accountId);
  const decision = evaluateIdentityPolicies([...role.inlinePolicies.values()], action, resources);
  if (decision === 'allow') return undefined;
  const why =
    decision === 'explicit-deny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${action} action`;
  return new AwsSimError(
    protocol === 'query' ? 'AccessDenied' : 'AccessDeniedException',
    `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resources.join(', ')} ${why}`,
    protocol === 'query' ? { status: 403 } : {},
  );
}
