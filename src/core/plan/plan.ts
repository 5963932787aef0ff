import { z } from 'zod';
import {
  AccountId,
  IdcGroupId,
  IdcUserId,
  InstanceArn,
  PermissionSetArn,
  PermissionSetName,
} from '../domain/ids.js';
import { UsageError } from '../errors.js';

/**
 * The plan: plain JSON-serialisable data with a version, operations tagged by `kind` in wave
 * order. One zod schema per shape gives both the type and the validation `parsePlan` runs on a
 * saved plan. The plan holds no timestamps, so equal inputs give byte-equal plans.
 */

/** Bumped on any incompatible change to the plan shape. */
export const PLAN_VERSION = 1;

/** The waves, in the order they run. An operation's wave follows from its kind. */
export const PLAN_WAVES = [
  'permission-sets',
  'provision',
  'create-assignments',
  'delete-assignments',
  'delete-permission-sets',
] as const;
export type PlanWave = (typeof PLAN_WAVES)[number];

const accountId = z.string().refine((v): boolean => AccountId.is(v), AccountId.expected);
const permissionSetArn = z
  .string()
  .refine((v): boolean => PermissionSetArn.is(v), PermissionSetArn.expected);
const permissionSetName = z
  .string()
  .refine((v): boolean => PermissionSetName.is(v), PermissionSetName.expected);
const principalId = z
  .string()
  .refine((v): boolean => IdcUserId.is(v) || IdcGroupId.is(v), IdcUserId.expected);
const principalType = z.enum(['USER', 'GROUP']);

const customerManagedPolicy = z.object({ name: z.string(), path: z.string() });
const permissionsBoundary = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('managed'), managedPolicyArn: z.string() }),
  z.object({ kind: z.literal('customer-managed'), reference: customerManagedPolicy }),
]);

export const PermissionSetDefinitionSchema = z.object({
  name: permissionSetName,
  description: z.string().optional(),
  sessionDuration: z.string().optional(),
  relayState: z.string().optional(),
  managedPolicies: z.array(z.string()),
  customerManagedPolicies: z.array(customerManagedPolicy),
  inlinePolicy: z.string().optional(),
  permissionsBoundary: permissionsBoundary.optional(),
  tags: z.record(z.string(), z.string()),
});

export type PlanPermissionSetDefinition = z.infer<typeof PermissionSetDefinitionSchema>;

/** One field-level change of an existing permission set. */
export const PermissionSetChangeSchema = z.discriminatedUnion('field', [
  z.object({
    field: z.literal('description'),
    from: z.string().optional(),
    to: z.string().optional(),
  }),
  z.object({
    field: z.literal('sessionDuration'),
    from: z.string().optional(),
    to: z.string().optional(),
  }),
  z.object({
    field: z.literal('relayState'),
    from: z.string().optional(),
    to: z.string().optional(),
  }),
  z.object({
    field: z.literal('managedPolicy'),
    action: z.enum(['attach', 'detach']),
    arn: z.string(),
  }),
  z.object({
    field: z.literal('customerManagedPolicy'),
    action: z.enum(['attach', 'detach']),
    reference: customerManagedPolicy,
  }),
  z.object({
    field: z.literal('inlinePolicy'),
    action: z.enum(['put', 'delete']),
    document: z.string().optional(),
  }),
  z.object({
    field: z.literal('permissionsBoundary'),
    action: z.enum(['put', 'delete']),
    boundary: permissionsBoundary.optional(),
  }),
  z.object({
    field: z.literal('tag'),
    action: z.enum(['set', 'remove']),
    key: z.string(),
    from: z.string().optional(),
    to: z.string().optional(),
  }),
]);
export type PermissionSetChange = z.infer<typeof PermissionSetChangeSchema>;

/** Why an operation is in the plan: the rule, Okta group and user, and a sentence for humans. */
export const ReasonSchema = z.object({
  rule: z.string().optional(),
  oktaGroupId: z.string().optional(),
  oktaGroupName: z.string().optional(),
  oktaUserId: z.string().optional(),
  oktaLogin: z.string().optional(),
  detail: z.string().optional(),
});
export type Reason = z.infer<typeof ReasonSchema>;

export const RiskKinds = ['delete', 'last-assignment'] as const;
export const RiskSchema = z.object({ kind: z.enum(RiskKinds), message: z.string() });
export type Risk = z.infer<typeof RiskSchema>;

const CreatePermissionSetSchema = z.object({
  kind: z.literal('create-permission-set'),
  key: z.string(),
  name: permissionSetName,
  definition: PermissionSetDefinitionSchema,
  rules: z.array(z.string()),
});
const UpdatePermissionSetSchema = z.object({
  kind: z.literal('update-permission-set'),
  key: z.string(),
  name: permissionSetName,
  permissionSetArn,
  changes: z.array(PermissionSetChangeSchema).min(1),
  /** The full definition to converge to (UpdatePermissionSet needs every field, §6). */
  definition: PermissionSetDefinitionSchema,
});
const ProvisionPermissionSetSchema = z.object({
  kind: z.literal('provision-permission-set'),
  key: z.string(),
  name: permissionSetName,
  permissionSetArn,
  accountId,
  /** updated: the definition changes in this plan; not-latest: AWS reports an old version there. */
  because: z.enum(['updated', 'not-latest']),
});
const CreateAssignmentSchema = z.object({
  kind: z.literal('create-assignment'),
  key: z.string(),
  accountId,
  permissionSetName,
  /** Absent when the permission set is created by this plan. */
  permissionSetArn: permissionSetArn.optional(),
  principalType,
  principalId,
  principalName: z.string(),
  reason: ReasonSchema,
});
const DeleteAssignmentSchema = z.object({
  kind: z.literal('delete-assignment'),
  key: z.string(),
  accountId,
  permissionSetArn,
  principalType,
  principalId,
  principalName: z.string(),
  permissionSetName,
  reason: ReasonSchema,
  risks: z.array(RiskSchema),
});
const DeletePermissionSetSchema = z.object({
  kind: z.literal('delete-permission-set'),
  key: z.string(),
  name: permissionSetName,
  permissionSetArn,
  /** Accounts it is still provisioned to; AWS de-provisions them as their last assignment goes. */
  provisionedTo: z.array(accountId),
  reason: ReasonSchema,
  risks: z.array(RiskSchema),
});

export const PlanOperationSchema = z.discriminatedUnion('kind', [
  CreatePermissionSetSchema,
  UpdatePermissionSetSchema,
  ProvisionPermissionSetSchema,
  CreateAssignmentSchema,
  DeleteAssignmentSchema,
  DeletePermissionSetSchema,
]);
export type PlanOperation = z.infer<typeof PlanOperationSchema>;
export type PlanOperationKind = PlanOperation['kind'];
export type CreatePermissionSetOperation = z.infer<typeof CreatePermissionSetSchema>;
export type UpdatePermissionSetOperation = z.infer<typeof UpdatePermissionSetSchema>;
export type ProvisionPermissionSetOperation = z.infer<typeof ProvisionPermissionSetSchema>;
export type CreateAssignmentOperation = z.infer<typeof CreateAssignmentSchema>;
export type DeleteAssignmentOperation = z.infer<typeof DeleteAssignmentSchema>;
export type DeletePermissionSetOperation = z.infer<typeof DeletePermissionSetSchema>;

/** The wave each operation kind runs in. */
export const WAVE_OF_KIND: Readonly<Record<PlanOperationKind, PlanWave>> = {
  'create-permission-set': 'permission-sets',
  'update-permission-set': 'permission-sets',
  'provision-permission-set': 'provision',
  'create-assignment': 'create-assignments',
  'delete-assignment': 'delete-assignments',
  'delete-permission-set': 'delete-permission-sets',
};

/** Something the plan leaves alone, and why. */
export const LeftAloneSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('permission-set'),
    name: z.string(),
    permissionSetArn: z.string().optional(),
    because: z.string(),
  }),
  z.object({
    kind: z.literal('assignment'),
    accountId: z.string(),
    permissionSetArn: z.string().optional(),
    principalType,
    principalId: z.string(),
    principalName: z.string().optional(),
    permissionSetName: z.string(),
    because: z.string(),
  }),
  z.object({ kind: z.literal('account'), accountId: z.string(), because: z.string() }),
  z.object({
    kind: z.literal('principal'),
    principalType,
    principalId: z.string(),
    principalName: z.string().optional(),
    because: z.string(),
  }),
]);
export type LeftAlone = z.infer<typeof LeftAloneSchema>;

export const PendingPrincipalSchema = z.object({
  kind: z.enum(['user', 'group']),
  oktaId: z.string(),
  name: z.string(),
  rules: z.array(z.string()),
  assignments: z.number().int().nonnegative(),
});

export const PlanProblemSchema = z.object({
  kind: z.string(),
  message: z.string(),
  rule: z.string().optional(),
  oktaGroupId: z.string().optional(),
  oktaGroupName: z.string().optional(),
});
export type PlanProblem = z.infer<typeof PlanProblemSchema>;

export const BlockedDeleteSchema = z.object({
  operation: DeleteAssignmentSchema,
  oktaGroupId: z.string(),
  oktaGroupName: z.string(),
});
export type BlockedDelete = z.infer<typeof BlockedDeleteSchema>;

export const EmptySourceGroupSchema = z.object({
  oktaGroupId: z.string(),
  name: z.string(),
  previousMemberCount: z.number().int().nonnegative(),
  confirmed: z.boolean(),
});

export const PlanSchema = z.object({
  version: z.literal(PLAN_VERSION),
  instanceArn: z.string().refine((v): boolean => InstanceArn.is(v), InstanceArn.expected),
  ownershipTag: z.object({ key: z.string(), value: z.string() }),
  operations: z.array(PlanOperationSchema),
  /** Okta principals the rules want that Identity Center does not have yet (SCIM lag). */
  pending: z.array(PendingPrincipalSchema),
  unmanaged: z.array(LeftAloneSchema),
  protected: z.array(LeftAloneSchema),
  excludedAccounts: z.array(
    z.object({ accountId: z.string(), reason: z.string(), rules: z.array(z.string()) }),
  ),
  problems: z.array(PlanProblemSchema),
  /** Deletes withheld by the empty-source guard until the group is confirmed empty. */
  blockedDeletes: z.array(BlockedDeleteSchema),
  guards: z.object({
    maxDeletes: z.number().int().nonnegative(),
    deletes: z.number().int().nonnegative(),
    exceedsMaxDeletes: z.boolean(),
    emptySourceGroups: z.array(EmptySourceGroupSchema),
  }),
  summary: z.object({
    add: z.number().int().nonnegative(),
    change: z.number().int().nonnegative(),
    destroy: z.number().int().nonnegative(),
    provision: z.number().int().nonnegative(),
  }),
});
export type Plan = z.infer<typeof PlanSchema>;

/**
 * Validates a saved plan (parsed JSON or its text). A plan of another version is refused with a
 * message saying which versions differ; any other shape error lists every problem. Throws
 * UsageError: a bad plan file is the user's input.
 */
export function parsePlan(input: unknown): Plan {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input) as unknown;
    } catch (error) {
      throw new UsageError(`plan is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError('plan must be a JSON object');
  }
  const version = (value as { version?: unknown }).version;
  if (version !== PLAN_VERSION) {
    throw new UsageError(
      `plan version ${JSON.stringify(version) ?? 'missing'} is not supported: this okta-aws-sync reads plan version ${PLAN_VERSION}; run "plan" again to make a new one`,
    );
  }
  const result = PlanSchema.safeParse(value);
  if (!result.success) {
    throw new UsageError(`plan is malformed:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
