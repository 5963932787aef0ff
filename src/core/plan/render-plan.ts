import type {
  LeftAlone,
  PermissionSetChange,
  Plan,
  PlanOperation,
  PlanPermissionSetDefinition,
  Reason,
} from './plan.js';

/** Options for renderPlan. */
export interface RenderPlanOptions {
  /** ANSI colours (the CLI passes true on a TTY). Default false. */
  readonly color?: boolean;
}

const ANSI = {
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  red: '\u001b[31m',
  cyan: '\u001b[36m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  reset: '\u001b[0m',
} as const;
type Paint = (style: keyof typeof ANSI, text: string) => string;

const SECTION_TITLE: Readonly<Record<PlanOperation['kind'], string>> = {
  'create-permission-set': 'Permission sets',
  'update-permission-set': 'Permission sets',
  'provision-permission-set': 'Provision',
  'create-assignment': 'Create assignments',
  'delete-assignment': 'Delete assignments',
  'delete-permission-set': 'Delete permission sets',
};

/**
 * Renders a plan for people, Terraform style: `+` create, `~` change, `-` destroy, each with its
 * reason and risks, followed by pending principals, withheld deletes, what is left alone and the
 * summary line "Plan: N to add, N to change, N to destroy." Pure; colours only when asked. The
 * JSON form of a plan is the plan object itself.
 */
export function renderPlan(plan: Plan, options: RenderPlanOptions = {}): string {
  const paint: Paint = options.color
    ? (style, text) => `${ANSI[style]}${text}${ANSI.reset}`
    : (_style, text) => text;
  const lines: string[] = [];
  lines.push(paint('bold', `okta-aws-sync plan v${plan.version} for ${plan.instanceArn}`));

  let section = '';
  for (const operation of plan.operations) {
    const title = SECTION_TITLE[operation.kind];
    if (title !== section) {
      section = title;
      lines.push('', paint('bold', `${title}:`));
    }
    renderOperation(operation, lines, paint);
  }
  if (plan.operations.length === 0) {
    lines.push('', 'No changes. Identity Center matches the rules.');
  }

  if (plan.pending.length > 0) {
    lines.push(
      '',
      paint('bold', 'Pending (not in Identity Center yet; picked up on a later run):'),
    );
    for (const p of plan.pending) {
      lines.push(
        `  ${paint('cyan', '…')} ${p.kind} ${p.name} (${p.oktaId}): ${p.assignments} assignment(s) wait, rules ${p.rules.join(', ')}`,
      );
    }
  }
  if (plan.blockedDeletes.length > 0) {
    lines.push(
      '',
      paint('bold', 'Withheld by the empty-source guard (confirm the group to apply):'),
    );
    for (const blocked of plan.blockedDeletes) {
      const op = blocked.operation;
      lines.push(
        `  ${paint('yellow', '!')} ${op.permissionSetName} in ${op.accountId} for ${principal(op.principalType, op.principalName)} (group ${blocked.oktaGroupName})`,
      );
    }
  }
  if (plan.protected.length > 0) {
    lines.push('', paint('bold', 'Protected, never touched:'));
    for (const entry of plan.protected) lines.push(`  ${paint('dim', '=')} ${leftAlone(entry)}`);
  }
  if (plan.unmanaged.length > 0) {
    lines.push('', paint('bold', 'Unmanaged, left alone:'));
    renderUnmanaged(plan.unmanaged, lines, paint);
  }
  const excluded = plan.excludedAccounts.filter((e) => e.reason !== 'protected');
  if (excluded.length > 0) {
    lines.push('', paint('bold', 'Accounts excluded from rule scope:'));
    for (const e of excluded) {
      lines.push(
        `  ${paint('dim', '=')} ${e.accountId} (${e.reason}), selected by ${e.rules.join(', ')}`,
      );
    }
  }
  if (plan.problems.length > 0) {
    lines.push('', paint('bold', 'Problems:'));
    for (const problem of plan.problems) {
      lines.push(
        `  ${paint('yellow', '!')} ${problem.rule ? `rule ${problem.rule}: ` : ''}${problem.message}`,
      );
    }
  }

  const { guards, summary } = plan;
  lines.push('');
  const guardLine = `Deletes: ${guards.deletes} (safety.maxDeletes ${guards.maxDeletes})`;
  lines.push(
    guards.exceedsMaxDeletes
      ? paint('red', `${guardLine}: over the limit, apply needs --allow-deletes ${guards.deletes}`)
      : guardLine,
  );
  for (const group of guards.emptySourceGroups) {
    lines.push(
      paint(
        'yellow',
        `Okta group ${group.name} had ${group.previousMemberCount} member(s) and now reads empty${group.confirmed ? ' (confirmed)' : ': its deletes are withheld'}`,
      ),
    );
  }
  if (summary.destroy > 0) {
    lines.push(
      'Removing access does not end AWS sessions already issued; they last until they expire.',
    );
  }
  const provision = summary.provision > 0 ? `, ${summary.provision} to provision` : '';
  lines.push(
    paint(
      'bold',
      `Plan: ${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy${provision}.`,
    ),
  );
  return `${lines.join('\n')}\n`;
}

function principal(type: 'USER' | 'GROUP', name: string): string {
  return `${type === 'USER' ? 'user' : 'group'} ${name}`;
}

function renderOperation(operation: PlanOperation, lines: string[], paint: Paint): void {
  switch (operation.kind) {
    case 'create-permission-set':
      lines.push(
        `  ${paint('green', '+')} permission set ${paint('bold', operation.name)} (rules ${operation.rules.join(', ')})`,
      );
      for (const line of definitionLines(operation.definition)) lines.push(`      ${line}`);
      return;
    case 'update-permission-set':
      lines.push(`  ${paint('yellow', '~')} permission set ${paint('bold', operation.name)}`);
      for (const change of operation.changes) lines.push(`      ${changeLine(change, paint)}`);
      return;
    case 'provision-permission-set':
      lines.push(
        `  ${paint('yellow', '~')} provision ${operation.name} to ${operation.accountId} (${operation.because === 'updated' ? 'definition changed' : 'account has an older version'})`,
      );
      return;
    case 'create-assignment':
      lines.push(
        `  ${paint('green', '+')} ${operation.permissionSetName} in ${operation.accountId} for ${principal(operation.principalType, operation.principalName)}`,
      );
      lines.push(`      ${paint('dim', `because ${reasonText(operation.reason)}`)}`);
      return;
    case 'delete-assignment':
      lines.push(
        `  ${paint('red', '-')} ${operation.permissionSetName} in ${operation.accountId} for ${principal(operation.principalType, operation.principalName)}`,
      );
      lines.push(`      ${paint('dim', `because ${reasonText(operation.reason)}`)}`);
      for (const risk of operation.risks) {
        lines.push(
          `      ${paint(risk.kind === 'delete' ? 'yellow' : 'red', `! ${risk.message}`)}`,
        );
      }
      return;
    case 'delete-permission-set':
      lines.push(`  ${paint('red', '-')} permission set ${paint('bold', operation.name)}`);
      lines.push(`      ${paint('dim', `because ${reasonText(operation.reason)}`)}`);
      for (const risk of operation.risks) lines.push(`      ${paint('red', `! ${risk.message}`)}`);
      return;
  }
}

function reasonText(reason: Reason): string {
  const parts: string[] = [];
  if (reason.rule) parts.push(`rule ${reason.rule}`);
  if (reason.oktaGroupName) parts.push(`Okta group ${reason.oktaGroupName}`);
  if (reason.oktaLogin) parts.push(`user ${reason.oktaLogin}`);
  const who = parts.join(', ');
  if (reason.detail) return who ? `${reason.detail} (${who})` : reason.detail;
  return who || 'the rules want it';
}

function definitionLines(definition: PlanPermissionSetDefinition): string[] {
  const lines: string[] = [];
  if (definition.description !== undefined)
    lines.push(`description: ${JSON.stringify(definition.description)}`);
  lines.push(`sessionDuration: ${definition.sessionDuration ?? 'PT1H (AWS default)'}`);
  if (definition.relayState !== undefined) lines.push(`relayState: ${definition.relayState}`);
  for (const arn of definition.managedPolicies) lines.push(`managed policy ${arn}`);
  for (const ref of definition.customerManagedPolicies)
    lines.push(`customer-managed policy ${ref.path}${ref.name}`);
  if (definition.inlinePolicy !== undefined)
    lines.push(`inline policy (${definition.inlinePolicy.length} chars)`);
  if (definition.permissionsBoundary)
    lines.push(`permissions boundary ${boundaryText(definition.permissionsBoundary)}`);
  for (const [key, value] of Object.entries(definition.tags)) lines.push(`tag ${key}=${value}`);
  return lines;
}

function boundaryText(
  boundary: NonNullable<PlanPermissionSetDefinition['permissionsBoundary']>,
): string {
  return boundary.kind === 'managed'
    ? boundary.managedPolicyArn
    : `${boundary.reference.path}${boundary.reference.name}`;
}

function changeLine(change: PermissionSetChange, paint: Paint): string {
  const show = (v: string | undefined): string => (v === undefined ? '(none)' : JSON.stringify(v));
  switch (change.field) {
    case 'description':
    case 'sessionDuration':
    case 'relayState':
      return `${paint('yellow', '~')} ${change.field}: ${show(change.from)} -> ${show(change.to)}`;
    case 'managedPolicy':
      return change.action === 'attach'
        ? `${paint('green', '+')} managed policy ${change.arn}`
        : `${paint('red', '-')} managed policy ${change.arn}`;
    case 'customerManagedPolicy': {
      const ref = `${change.reference.path}${change.reference.name}`;
      return change.action === 'attach'
        ? `${paint('green', '+')} customer-managed policy ${ref}`
        : `${paint('red', '-')} customer-managed policy ${ref}`;
    }
    case 'inlinePolicy':
      return change.action === 'put'
        ? `${paint('yellow', '~')} inline policy (put, ${change.document?.length ?? 0} chars)`
        : `${paint('red', '-')} inline policy`;
    case 'permissionsBoundary':
      return change.action === 'put' && change.boundary
        ? `${paint('yellow', '~')} permissions boundary ${boundaryText(change.boundary)}`
        : `${paint('red', '-')} permissions boundary`;
    case 'tag':
      return change.action === 'set'
        ? `${paint(change.from === undefined ? 'green' : 'yellow', change.from === undefined ? '+' : '~')} tag ${change.key}: ${show(change.from)} -> ${show(change.to)}`
        : `${paint('red', '-')} tag ${change.key} (was ${show(change.from)})`;
  }
}

function leftAlone(entry: LeftAlone): string {
  switch (entry.kind) {
    case 'permission-set':
      return `permission set ${entry.name}: ${entry.because}`;
    case 'assignment':
      return `${entry.permissionSetName} in ${entry.accountId} for ${principal(entry.principalType, entry.principalName ?? entry.principalId)}: ${entry.because}`;
    case 'account':
      return `account ${entry.accountId}: ${entry.because}`;
    case 'principal':
      return `${principal(entry.principalType, entry.principalName ?? entry.principalId)}: ${entry.because}`;
  }
}

/** Unmanaged assignments can number in the thousands; they are counted per permission set and reason. */
function renderUnmanaged(entries: readonly LeftAlone[], lines: string[], paint: Paint): void {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    if (entry.kind !== 'assignment') {
      lines.push(`  ${paint('dim', '=')} ${leftAlone(entry)}`);
      continue;
    }
    const key = `${entry.permissionSetName}\u0000${entry.because}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, count] of counts) {
    const [name, because] = key.split('\u0000');
    lines.push(`  ${paint('dim', '=')} ${count} assignment(s) of ${name}: ${because}`);
  }
}
