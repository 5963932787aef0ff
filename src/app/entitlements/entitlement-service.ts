/**
 * The five actions of the Okta Workflows "AWS Multi-Account Access" connector (okta.md §8.3),
 * built on the same adapters as plan/apply: ListInstances, ListEntitlements, AddEntitlements,
 * RemoveEntitlements and RemoveAllEntitlements. Unlike the connector, every write waits for the
 * asynchronous result (bounded) and reports a status per item, repeats are no-ops, protected
 * accounts, permission sets and principals are refused, the management account is refused, and
 * each action leaves an audit entry.
 */
import type { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import {
  DescribeOrganizationCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  DescribePermissionSetCommand,
  paginateListAccountAssignmentsForPrincipal,
  paginateListInstances,
  paginateListPermissionSets,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { systemClock, type Clock } from '../../adapters/aws/rate-limiter.js';
import type {
  AccountAssignment,
  IdcInstance,
  PrincipalType,
} from '../../core/domain/identity-center.js';
import {
  AccountId,
  IdentityStoreId,
  InstanceArn,
  PermissionSetArn,
} from '../../core/domain/ids.js';
import { OperationalError, SafetyRefusal, UsageError } from '../../core/errors.js';
import type {
  AsyncRequestStatus,
  IdentityCenterWriter,
} from '../../ports/identity-center-writer.js';
import { IdentityCenterWriteError } from '../../ports/identity-center-writer.js';
import type { NewAuditEntry } from '../../ports/store.js';
import {
  PollTimeoutError,
  pollToTerminal,
  resolvePoll,
  resolveRetry,
  withRetry,
  type PollOptions,
  type WriteRetryOptions,
} from '../apply/write-retry.js';
import { awsOperationalError } from './aws-operational-error.js';
import { resolvePrincipal, type ResolvedPrincipal } from './principal-resolver.js';

/** What the actions need: the instrumented SDK clients, the writer, the safety config, audit. */
export interface EntitlementDeps {
  readonly ssoAdmin: SSOAdminClient;
  readonly identityStore: IdentitystoreClient;
  readonly organizations: OrganizationsClient;
  readonly writer: IdentityCenterWriter;
  /** The configured instance, else the only one in the region. */
  readonly instanceArn?: InstanceArn;
  readonly protected: {
    readonly accounts: readonly string[];
    /** Permission set names. */
    readonly permissionSets: readonly string[];
    /** Principal references as written in config: IdC ids, Okta ids, logins, group names. */
    readonly principals: readonly string[];
  };
  /** Allow the management account (config `safety.allowManagementAccount`). Default false. */
  readonly allowManagementAccount?: boolean;
  /** Records one audit entry per action; a failure to record fails the action. */
  readonly audit: (entry: NewAuditEntry) => Promise<void>;
  /** Audit actor, e.g. `cli`, `lambda`, `api`. */
  readonly actor: string;
  readonly retry?: WriteRetryOptions;
  /** Async wait; `timeoutMs` defaults to 60,000 here (the connector gives up after 30 s). */
  readonly poll?: PollOptions;
  readonly clock?: Clock;
}

export interface InstanceSummary {
  readonly instanceArn: InstanceArn;
  readonly identityStoreId: IdentityStoreId;
}

export interface Entitlement {
  readonly accountId: AccountId;
  readonly permissionSetArn: PermissionSetArn;
  readonly permissionSetName: string;
}

export interface PrincipalInput {
  readonly principalType: PrincipalType;
  /** IdC id, Okta user id or login, Okta group id or name. */
  readonly principalId: string;
}

export interface ChangeInput extends PrincipalInput {
  readonly accountId: string;
  /** Permission set ARNs (as the connector takes them) or names. At least one. */
  readonly permissionSets: readonly string[];
}

export interface RemoveAllInput extends PrincipalInput {
  /** Only this account; default every account the principal is assigned in. */
  readonly accountId?: string;
}

/**
 * Outcome of one (account, permission set) item:
 * - created / deleted: the async request reached SUCCEEDED;
 * - unchanged: already in the wanted state (idempotent repeat);
 * - refused: protected permission set;
 * - failed: the async request FAILED or the call failed (see `reason`, `code`);
 * - timed-out: still IN_PROGRESS when the wait ended (it may yet finish).
 */
export const ItemStatuses = [
  'created',
  'deleted',
  'unchanged',
  'refused',
  'failed',
  'timed-out',
] as const;
export type ItemStatus = (typeof ItemStatuses)[number];

export interface ItemResult {
  readonly accountId: AccountId;
  readonly permissionSetArn: PermissionSetArn;
  readonly permissionSetName: string;
  readonly status: ItemStatus;
  readonly reason?: string;
  readonly code?: string;
  readonly retryable?: boolean;
  /** The async request id, when one was started. */
  readonly requestId?: string;
}

export interface ChangeResult {
  readonly instanceArn: InstanceArn;
  readonly principal: ResolvedPrincipal;
  readonly items: readonly ItemResult[];
  /** True when no item failed, was refused or timed out. */
  readonly succeeded: boolean;
}

/** The five connector actions over one set of dependencies. */
export class EntitlementService {
  private readonly retry: Required<WriteRetryOptions>;
  private readonly poll: Required<PollOptions>;
  private readonly clock: Clock;
  private instance?: Promise<IdcInstance>;
  private managementAccount?: Promise<string | undefined>;
  private psNames = new Map<string, Promise<string>>();

  constructor(private readonly deps: EntitlementDeps) {
    this.retry = resolveRetry(deps.retry);
    this.poll = resolvePoll({ timeoutMs: 60_000, ...deps.poll });
    this.clock = deps.clock ?? systemClock;
  }

  /** ListInstances: every Identity Center instance visible to the credentials. */
  async listInstances(): Promise<InstanceSummary[]> {
    const instances = await this.listInstancesRaw();
    await this.record('ListInstances', 'instances', { count: instances.length });
    return instances;
  }

  /** ListEntitlements: the principal's assignments (optionally in one account) with names. */
  async listEntitlements(
    input: PrincipalInput & { readonly accountId?: string },
  ): Promise<{ principal: ResolvedPrincipal; entitlements: Entitlement[] }> {
    const instance = await this.resolveInstance();
    const principal = await this.resolve(instance, input);
    const accountId = input.accountId === undefined ? undefined : parseAccount(input.accountId);
    const assignments = await this.assignmentsOf(instance, principal, accountId);
    const entitlements: Entitlement[] = [];
    for (const a of assignments) {
      entitlements.push({
        accountId: a.accountId,
        permissionSetArn: a.permissionSetArn,
        permissionSetName: await this.permissionSetName(instance, a.permissionSetArn),
      });
    }
    entitlements.sort(
      (x, y) =>
        x.accountId.localeCompare(y.accountId) ||
        x.permissionSetName.localeCompare(y.permissionSetName),
    );
    await this.record('ListEntitlements', target(principal), {
      principal: input.principalId,
      count: entitlements.length,
    });
    return { principal, entitlements };
  }

  /** AddEntitlements: assigns the principal in one account with each permission set. */
  addEntitlements(input: ChangeInput): Promise<ChangeResult> {
    return this.change('AddEntitlements', input, 'create');
  }

  /** RemoveEntitlements: removes the principal's assignments with the given permission sets. */
  removeEntitlements(input: ChangeInput): Promise<ChangeResult> {
    return this.change('RemoveEntitlements', input, 'delete');
  }

  /** RemoveAllEntitlements: removes every assignment of the principal (in one account, if given). */
  async removeAllEntitlements(input: RemoveAllInput): Promise<ChangeResult> {
    const instance = await this.resolveInstance();
    const principal = await this.resolve(instance, input);
    const accountId = input.accountId === undefined ? undefined : parseAccount(input.accountId);
    if (accountId) await this.guardAccount(accountId);
    const assignments = (await this.assignmentsOf(instance, principal, accountId)).filter(
      (a) => !this.deps.protected.accounts.includes(a.accountId),
    );
    const management = await this.managementAccountId();
    const items = await Promise.all(
      assignments
        .filter((a) => this.deps.allowManagementAccount === true || a.accountId !== management)
        .map((a) => this.apply(instance, a, 'delete', true)),
    );
    return this.finish('RemoveAllEntitlements', instance, principal, items, input);
  }

  private async change(
    action: string,
    input: ChangeInput,
    kind: 'create' | 'delete',
  ): Promise<ChangeResult> {
    if (input.permissionSets.length === 0)
      throw new UsageError('permissionSets must name at least one permission set');
    const instance = await this.resolveInstance();
    const accountId = parseAccount(input.accountId);
    await this.guardAccount(accountId);
    const principal = await this.resolve(instance, input);
    const arns = await this.permissionSetArns(instance, input.permissionSets);
    const existing = new Set(
      (await this.assignmentsOf(instance, principal, accountId)).map((a) => a.permissionSetArn),
    );
    const items = await Promise.all(
      arns.map((permissionSetArn) =>
        this.apply(
          instance,
          {
            instanceArn: instance.instanceArn,
            accountId,
            permissionSetArn,
            principalType: principal.principalType,
            principalId: principal.principalId,
          },
          kind,
          existing.has(permissionSetArn),
        ),
      ),
    );
    return this.finish(action, instance, principal, items, input);
  }

  private async finish(
    action: string,
    instance: IdcInstance,
    principal: ResolvedPrincipal,
    items: ItemResult[],
    input: PrincipalInput,
  ): Promise<ChangeResult> {
    const succeeded = items.every(
      (i) => i.status === 'created' || i.status === 'deleted' || i.status === 'unchanged',
    );
    await this.record(action, target(principal), {
      principal: input.principalId,
      items: items.map((i) => ({
        accountId: i.accountId,
        permissionSet: i.permissionSetName,
        status: i.status,
        ...(i.reason ? { reason: i.reason } : {}),
      })),
    });
    return { instanceArn: instance.instanceArn, principal, items, succeeded };
  }

  /** One item: skip when already in the wanted state, refuse protected, else write and wait. */
  private async apply(
    instance: IdcInstance,
    assignment: AccountAssignment,
    kind: 'create' | 'delete',
    exists: boolean,
  ): Promise<ItemResult> {
    const permissionSetName = await this.permissionSetName(instance, assignment.permissionSetArn);
    const base = {
      accountId: assignment.accountId,
      permissionSetArn: assignment.permissionSetArn,
      permissionSetName,
    };
    if (this.deps.protected.permissionSets.includes(permissionSetName))
      return {
        ...base,
        status: 'refused',
        reason: `permission set ${permissionSetName} is protected`,
      };
    if ((kind === 'create') === exists) return { ...base, status: 'unchanged' };
    const { writer } = this.deps;
    let started: AsyncRequestStatus | undefined;
    try {
      const counter = { attempts: 0, awsRequestId: null as string | null };
      started = await withRetry(
        () =>
          kind === 'create'
            ? writer.createAccountAssignment(assignment)
            : writer.deleteAccountAssignment(assignment),
        counter,
        this.retry,
        this.clock,
      );
      const final = await pollToTerminal(
        writer,
        instance.instanceArn,
        started,
        this.retry,
        this.poll,
        this.clock,
      );
      if (final.status === 'FAILED')
        return {
          ...base,
          status: 'failed',
          code: 'ASYNC_FAILED',
          retryable: false,
          reason: final.failureReason ?? 'the request FAILED without a reason',
          requestId: final.requestId,
        };
      return {
        ...base,
        status: kind === 'create' ? 'created' : 'deleted',
        requestId: final.requestId,
      };
    } catch (error) {
      if (error instanceof PollTimeoutError)
        return {
          ...base,
          status: 'timed-out',
          code: 'ASYNC_TIMEOUT',
          retryable: true,
          reason: error.message,
          requestId: error.status.requestId,
        };
      // A delete of an assignment that vanished meanwhile is the wanted state.
      if (
        kind === 'delete' &&
        error instanceof IdentityCenterWriteError &&
        error.kind === 'not-found'
      )
        return { ...base, status: 'unchanged' };
      const op = awsOperationalError(error);
      return {
        ...base,
        status: 'failed',
        code: op.code,
        retryable: op.retryable,
        reason: op.message,
        ...(started ? { requestId: started.requestId } : {}),
      };
    }
  }

  private async resolve(instance: IdcInstance, input: PrincipalInput): Promise<ResolvedPrincipal> {
    if (this.deps.protected.principals.includes(input.principalId))
      throw new SafetyRefusal(`principal ${input.principalId} is protected`);
    const principal = await resolvePrincipal(
      this.deps.identityStore,
      instance.identityStoreId,
      input.principalType,
      input.principalId,
    );
    if (this.deps.protected.principals.includes(principal.principalId))
      throw new SafetyRefusal(
        `principal ${input.principalId} (${principal.principalId}) is protected`,
      );
    return principal;
  }

  private async guardAccount(accountId: AccountId): Promise<void> {
    if (this.deps.protected.accounts.includes(accountId))
      throw new SafetyRefusal(`account ${accountId} is protected`);
    if (
      this.deps.allowManagementAccount !== true &&
      accountId === (await this.managementAccountId())
    )
      throw new SafetyRefusal(
        `account ${accountId} is the organization's management account, which these actions never change`,
      );
  }

  private resolveInstance(): Promise<IdcInstance> {
    this.instance ??= this.listInstancesRaw().then((instances) => {
      const wanted = this.deps.instanceArn;
      const found = wanted ? instances.find((i) => i.instanceArn === wanted) : instances[0];
      if (!found || (!wanted && instances.length > 1))
        throw new UsageError(
          wanted
            ? `Identity Center instance ${wanted} not found`
            : instances.length === 0
              ? 'no Identity Center instance found'
              : 'several Identity Center instances: set aws.instanceArn',
        );
      return found;
    });
    this.instance.catch(() => (this.instance = undefined));
    return this.instance;
  }

  private async listInstancesRaw(): Promise<InstanceSummary[]> {
    const out: InstanceSummary[] = [];
    try {
      for await (const page of paginateListInstances({ client: this.deps.ssoAdmin }, {})) {
        for (const i of page.Instances ?? [])
          if (i.InstanceArn && i.IdentityStoreId)
            out.push({
              instanceArn: InstanceArn.parse(i.InstanceArn),
              identityStoreId: IdentityStoreId.parse(i.IdentityStoreId),
            });
      }
    } catch (error) {
      throw awsOperationalError(error);
    }
    return out;
  }

  /** The management account id; undefined outside an organization. */
  private managementAccountId(): Promise<string | undefined> {
    this.managementAccount ??= this.deps.organizations
      .send(new DescribeOrganizationCommand({}))
      .then((o) => o.Organization?.MasterAccountId)
      .catch((error: unknown) => {
        this.managementAccount = undefined;
        if (error instanceof Error && error.name === 'AWSOrganizationsNotInUseException')
          return undefined;
        throw awsOperationalError(error);
      });
    return this.managementAccount;
  }

  private async assignmentsOf(
    instance: IdcInstance,
    principal: ResolvedPrincipal,
    accountId: AccountId | undefined,
  ): Promise<AccountAssignment[]> {
    const out: AccountAssignment[] = [];
    try {
      for await (const page of paginateListAccountAssignmentsForPrincipal(
        { client: this.deps.ssoAdmin },
        {
          InstanceArn: instance.instanceArn,
          PrincipalId: principal.principalId,
          PrincipalType: principal.principalType,
          ...(accountId ? { Filter: { AccountId: accountId } } : {}),
        },
      )) {
        for (const a of page.AccountAssignments ?? []) {
          if (!a.AccountId || !a.PermissionSetArn) continue;
          out.push({
            instanceArn: instance.instanceArn,
            accountId: AccountId.parse(a.AccountId),
            permissionSetArn: PermissionSetArn.parse(a.PermissionSetArn),
            principalType: principal.principalType,
            principalId: principal.principalId,
          });
        }
      }
    } catch (error) {
      throw awsOperationalError(error);
    }
    return out;
  }

  private permissionSetName(instance: IdcInstance, arn: PermissionSetArn): Promise<string> {
    let name = this.psNames.get(arn);
    if (!name) {
      name = this.deps.ssoAdmin
        .send(
          new DescribePermissionSetCommand({
            InstanceArn: instance.instanceArn,
            PermissionSetArn: arn,
          }),
        )
        .then((o) => o.PermissionSet?.Name ?? arn)
        .catch((error: unknown) => {
          this.psNames.delete(arn);
          throw awsOperationalError(error);
        });
      this.psNames.set(arn, name);
    }
    return name;
  }

  /** ARNs pass through (checked to exist); names are looked up among the instance's sets. */
  private async permissionSetArns(
    instance: IdcInstance,
    refs: readonly string[],
  ): Promise<PermissionSetArn[]> {
    const names = refs.filter((r) => !PermissionSetArn.is(r));
    const byName = new Map<string, PermissionSetArn>();
    if (names.length > 0) {
      try {
        for await (const page of paginateListPermissionSets(
          { client: this.deps.ssoAdmin },
          { InstanceArn: instance.instanceArn },
        )) {
          for (const arn of page.PermissionSets ?? []) {
            const parsed = PermissionSetArn.parse(arn);
            byName.set(await this.permissionSetName(instance, parsed), parsed);
          }
        }
      } catch (error) {
        throw awsOperationalError(error);
      }
    }
    const arns: PermissionSetArn[] = [];
    for (const ref of refs) {
      if (PermissionSetArn.is(ref)) {
        await this.permissionSetName(instance, ref).catch((error: unknown) => {
          if (error instanceof OperationalError && error.code === 'ResourceNotFoundException')
            throw new OperationalError(
              `permission set ${ref} not found`,
              'PERMISSION_SET_NOT_FOUND',
              false,
            );
          throw error;
        });
        arns.push(ref);
        continue;
      }
      const arn = byName.get(ref);
      if (!arn)
        throw new OperationalError(
          `no permission set named "${ref}"`,
          'PERMISSION_SET_NOT_FOUND',
          false,
        );
      arns.push(arn);
    }
    return [...new Set(arns)];
  }

  private async record(action: string, targetName: string, details: unknown): Promise<void> {
    await this.deps.audit({
      actor: this.deps.actor,
      action: `entitlements.${action}`,
      target: targetName,
      details,
    });
  }
}

function target(principal: ResolvedPrincipal): string {
  return `${principal.principalType === 'USER' ? 'user' : 'group'}:${principal.principalId}`;
}

function parseAccount(value: string): AccountId {
  if (!AccountId.is(value))
    throw new UsageError(`invalid account id "${value}": expected twelve digits`);
  return value;
}
