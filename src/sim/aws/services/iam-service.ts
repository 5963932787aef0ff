import { AwsSimError } from '../aws-sim-error.js';
import { accountIam, type AccountIam, type AttachedPolicy, type IamRole } from '../aws-state.js';
import type { CredentialStore } from '../credential-store.js';
import {
  optStr,
  paginate,
  str,
  type OperationHandler,
  type RequestContext,
  type SimRuntime,
} from '../sim-runtime.js';

const iamPage = { defaultSize: 100, maxSize: 1000 } as const;

/**
 * RFC 3986 encoding, as IAM returns policy documents (ref §2.4); `encodeURIComponent` leaves
 * `!'()*` alone, which RFC 3986 reserves.
 */
export function rfc3986Encode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Builds the IAM read handlers. Each call acts on the IAM of the caller's account. */
export function createIamService(runtime: SimRuntime): Record<string, OperationHandler> {
  const iamOf = (ctx: RequestContext): AccountIam =>
    accountIam(runtime.state, ctx.principal.accountId);

  const invalidMarker = (): AwsSimError => new AwsSimError('InvalidInput', 'Invalid Marker.');

  const list = <T>(
    items: readonly T[],
    scope: string,
    input: Record<string, unknown>,
    ctx: RequestContext,
  ) => {
    const { page, next } = paginate(
      runtime,
      items,
      `${ctx.principal.accountId}|${scope}`,
      input.Marker,
      input.MaxItems,
      iamPage,
      invalidMarker,
    );
    return {
      page,
      truncated: { IsTruncated: next !== undefined, ...(next ? { Marker: next } : {}) },
    };
  };

  const role = (ctx: RequestContext, name: string): IamRole => {
    const r = iamOf(ctx).roles.get(name);
    if (!r) throw new AwsSimError('NoSuchEntity', `The role with name ${name} cannot be found.`);
    return r;
  };

  const roleSummary = (r: IamRole): Record<string, unknown> => ({
    Path: r.path,
    RoleName: r.roleName,
    RoleId: r.roleId,
    Arn: r.arn,
    CreateDate: r.createDate,
    AssumeRolePolicyDocument: rfc3986Encode(r.assumeRolePolicyDocument),
    ...(r.description !== undefined ? { Description: r.description } : {}),
    MaxSessionDuration: r.maxSessionDuration,
  });

  const byPath = (prefix: string | undefined) => (x: { path: string }) =>
    !prefix || x.path.startsWith(prefix);
  const attached = (
    policies: readonly AttachedPolicy[],
    prefix: string | undefined,
  ): AttachedPolicy[] =>
    policies.filter((p) => !prefix || p.PolicyArn.includes(`:policy${prefix}`));

  return {
    ListRoles: (input, ctx) => {
      const prefix = optStr(input, 'PathPrefix');
      const items = [...iamOf(ctx).roles.values()]
        .filter(byPath(prefix))
        .sort((a, b) => cmp(a.roleName, b.roleName));
      const { page, truncated } = list(items, `ListRoles|${prefix ?? ''}`, input, ctx);
      return { Roles: page.map(roleSummary), ...truncated };
    },

    GetRole: (input, ctx) => {
      const r = role(ctx, str(input, 'RoleName'));
      return {
        Role: {
          ...roleSummary(r),
          ...(r.tags.size ? { Tags: [...r.tags].map(([Key, Value]) => ({ Key, Value })) } : {}),
          RoleLastUsed: {},
        },
      };
    },

    ListRolePolicies: (input, ctx) => {
      const r = role(ctx, str(input, 'RoleName'));
      const { page, truncated } = list(
        [...r.inlinePolicies.keys()].sort(cmp),
        `ListRolePolicies|${r.roleName}`,
        input,
        ctx,
      );
      return { PolicyNames: page, ...truncated };
    },

    GetRolePolicy: (input, ctx) => {
      const r = role(ctx, str(input, 'RoleName'));
      const name = str(input, 'PolicyName');
      const doc = r.inlinePolicies.get(name);
      if (doc === undefined)
        throw new AwsSimError('NoSuchEntity', `The role policy with name ${name} cannot be found.`);
      return { RoleName: r.roleName, PolicyName: name, PolicyDocument: rfc3986Encode(doc) };
    },

    ListAttachedRolePolicies: (input, ctx) => {
      const r = role(ctx, str(input, 'RoleName'));
      const prefix = optStr(input, 'PathPrefix');
      const { page, truncated } = list(
        attached(r.attachedPolicies, prefix),
        `ListAttachedRolePolicies|${r.roleName}|${prefix ?? ''}`,
        input,
        ctx,
      );
      return { AttachedPolicies: page, ...truncated };
    },

    ListSAMLProviders: (_input, ctx) => ({
      SAMLProviderList: [...iamOf(ctx).samlProviders.values()].map((p) => ({
        Arn: p.arn,
        ValidUntil: p.validUntil,
        CreateDate: p.createDate,
      })),
    }),

    GetSAMLProvider: (input, ctx) => {
      const arn = str(input, 'SAMLProviderArn');
      const p = iamOf(ctx).samlProviders.get(arn);
      if (!p) throw new AwsSimError('NoSuchEntity', `Manifest not found for arn ${arn}`);
      return {
        SAMLMetadataDocument: p.metadataDocument,
        CreateDate: p.createDate,
        ValidUntil: p.validUntil,
        ...(p.tags.size ? { Tags: [...p.tags].map(([Key, Value]) => ({ Key, Value })) } : {}),
      };
    },

    ListUsers: (input, ctx) => {
      const prefix = optStr(input, 'PathPrefix');
      const items = [...iamOf(ctx).users.values()]
        .filter(byPath(prefix))
        .sort((a, b) => cmp(a.userName, b.userName));
      const { page, truncated } = list(items, `ListUsers|${prefix ?? ''}`, input, ctx);
      return {
        Users: page.map((u) => ({
          Path: u.path,
          UserName: u.userName,
          UserId: u.userId,
          Arn: u.arn,
          CreateDate: u.createDate,
        })),
        ...truncated,
      };
    },

    ListGroups: (input, ctx) => {
      const prefix = optStr(input, 'PathPrefix');
      const items = [...iamOf(ctx).groups.values()]
        .filter(byPath(prefix))
        .sort((a, b) => cmp(a.groupName, b.groupName));
      const { page, truncated } = list(items, `ListGroups|${prefix ?? ''}`, input, ctx);
      return {
        Groups: page.map((g) => ({
          Path: g.path,
          GroupName: g.groupName,
          GroupId: g.groupId,
          Arn: g.arn,
          CreateDate: g.createDate,
        })),
        ...truncated,
      };
    },

    ListGroupsForUser: (input, ctx) => {
      const iam = iamOf(ctx);
      const name = str(input, 'UserName');
      const u = iam.users.get(name);
      if (!u) throw new AwsSimError('NoSuchEntity', `The user with name ${name} cannot be found.`);
      const groups = u.groups.flatMap((g) => {
        const group = iam.groups.get(g);
        return group ? [group] : [];
      });
      const { page, truncated } = list(groups, `ListGroupsForUser|${name}`, input, ctx);
      return {
        Groups: page.map((g) => ({
          Path: g.path,
          GroupName: g.groupName,
          GroupId: g.groupId,
          Arn: g.arn,
          CreateDate: g.createDate,
        })),
        ...truncated,
      };
    },

    ListAttachedUserPolicies: (input, ctx) => {
      const name = str(input, 'UserName');
      const u = iamOf(ctx).users.get(name);
      if (!u) throw new AwsSimError('NoSuchEntity', `The user with name ${name} cannot be found.`);
      const prefix = optStr(input, 'PathPrefix');
      const { page, truncated } = list(
        attached(u.attachedPolicies, prefix),
        `ListAttachedUserPolicies|${name}|${prefix ?? ''}`,
        input,
        ctx,
      );
      return { AttachedPolicies: page, ...truncated };
    },

    ListAttachedGroupPolicies: (input, ctx) => {
      const name = str(input, 'GroupName');
      const g = iamOf(ctx).groups.get(name);
      if (!g) throw new AwsSimError('NoSuchEntity', `The group with name ${name} cannot be found.`);
      const prefix = optStr(input, 'PathPrefix');
      const { page, truncated } = list(
        attached(g.attachedPolicies, prefix),
        `ListAttachedGroupPolicies|${name}|${prefix ?? ''}`,
        input,
        ctx,
      );
      return { AttachedPolicies: page, ...truncated };
    },

    ListAccountAliases: (input, ctx) => {
      const { page, truncated } = list(iamOf(ctx).aliases, 'ListAccountAliases', input, ctx);
      return { AccountAliases: page, ...truncated };
    },
  };
}

/**
 * STS (no model file here, so inputs are checked by hand): AssumeRole into a role whose trust
 * policy names the caller's account (or the caller), issuing session credentials tied to that
 * account and role; GetCallerIdentity.
 */
export function createStsService(
  runtime: SimRuntime,
  credentials: CredentialStore,
): Record<string, OperationHandler> {
  const validation = (message: string): AwsSimError => new AwsSimError('ValidationError', message);

  return {
    GetCallerIdentity: (_input, ctx) => ({
      UserId: ctx.principal.userId,
      Account: ctx.principal.accountId,
      Arn: ctx.principal.arn,
    }),

    AssumeRole: (input, ctx) => {
      const roleArn = optStr(input, 'RoleArn');
      const sessionName = optStr(input, 'RoleSessionName');
      if (roleArn === undefined)
        throw validation(
          `1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null`,
        );
      if (sessionName === undefined)
        throw validation(
          `1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null`,
        );
      if (roleArn.length < 20 || roleArn.length > 2048)
        throw validation(
          `1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20`,
        );
      if (!/^[\w+=,.@-]{2,64}$/.test(sessionName))
        throw validation(
          `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
        );
      const duration = input.DurationSeconds === undefined ? 3600 : Number(input.DurationSeconds);
      if (!Number.isInteger(duration) || duration < 900 || duration > 43200)
        throw validation(
          `1 validation error detected: Value '${String(input.DurationSeconds)}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
        );

      const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
      const denied = (): AwsSimError =>
        new AwsSimError(
          'AccessDenied',
          `User: ${ctx.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          { status: 403 },
        );
      if (!m) throw validation(`${roleArn} is not a valid role ARN.`);
      const [, accountId = '', roleName = ''] = m;
      const account = runtime.state.organization.accounts.get(accountId);
      const role = runtime.state.iam.get(accountId)?.roles.get(roleName);
      if (!role || role.arn !== roleArn || (account && account.status !== 'ACTIVE')) throw denied();
      if (!trusts(role.assumeRolePolicyDocument, ctx)) throw denied();
      if (duration > role.maxSessionDuration)
        throw validation(
          'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
        );

      const expiresAt = runtime.now() + duration * 1000;
      const issued = credentials.issueSession(
        runtime.random,
        {
          accountId,
          arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
          userId: `${role.roleId}:${sessionName}`,
          kind: 'assumed-role',
          roleName,
          sessionName,
        },
        expiresAt,
      );
      return {
        Credentials: {
          AccessKeyId: issued.accessKeyId,
          SecretAccessKey: issued.secretAccessKey,
          SessionToken: issued.sessionToken,
          Expiration: new Date(expiresAt),
        },
        AssumedRoleUser: {
          AssumedRoleId: `${role.roleId}:${sessionName}`,
          Arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
        },
      };
    },
  };
}

/**
 * Whether a trust policy lets the caller assume the role: an Allow statement for
 * `sts:AssumeRole` whose `Principal.AWS` names the caller's account (id or `:root`) or the
 * caller's ARN. Conditions are not evaluated (issue 8 adds policy evaluation).
 */
function trusts(policyText: string, ctx: RequestContext): boolean {
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(policyText) as { Statement?: unknown };
  } catch {
    return false;
  }
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const account = ctx.principal.accountId;
  const callerArns = new Set([ctx.principal.arn, account, `arn:aws:iam::${account}:root`]);
  if (ctx.principal.kind === 'assumed-role' && ctx.principal.roleName)
    callerArns.add(`arn:aws:iam::${account}:role/${ctx.principal.roleName}`);
  for (const s of statements as {
    Effect?: string;
    Action?: unknown;
    Principal?: { AWS?: unknown };
  }[]) {
    if (s?.Effect !== 'Allow') continue;
    const actions = ([] as unknown[]).concat(s.Action ?? []);
    if (!actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')) continue;
    const principals = ([] as unknown[]).concat(s.Principal?.AWS ?? []);
    if (principals.some((p) => typeof p === 'string' && (p === '*' || callerArns.has(p))))
      return true;
  }
  return false;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
