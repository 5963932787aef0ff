import { ConfigError } from '../core/errors.js';
import type { PermissionsBoundary } from '../core/domain/identity-center.js';
import type {
  CompiledRule,
  PermissionSetTemplate,
  SyncPolicy,
} from '../core/rules/compiled-rule.js';
import type { Config, PermissionSetTemplateConfig } from './config-schema.js';
import { formatDocumentPath } from './config-problems.js';
import { compileRule } from './rule-compiler.js';

/**
 * Everything the pure core needs from a validated config: compiled rules, permission-set
 * templates and safety settings. Templates carry only the user's tags; the planner adds the
 * ownership tag (`policy.ownershipTag`). Pure. Throws ConfigError only if given a config that did
 * not pass `configSchema` (loadConfig never does that).
 */
export function compileSyncPolicy(config: Config): SyncPolicy {
  const rules: CompiledRule[] = [];
  const problems: string[] = [];
  config.rules.forEach((rule, index) => {
    const compiled = compileRule(rule);
    if (compiled.ok) rules.push(compiled.value);
    else {
      for (const problem of compiled.problems) {
        problems.push(
          `${formatDocumentPath(['rules', index, ...problem.path])}: ${problem.message}`,
        );
      }
    }
  });
  if (problems.length > 0) throw new ConfigError('the rules do not compile', problems);

  const templates: Record<string, PermissionSetTemplate> = {};
  for (const [name, template] of Object.entries(config.permissionSets)) {
    templates[name] = toTemplate(template);
  }
  const { safety } = config;
  return {
    rules,
    templates,
    safety: {
      maxDeletes: safety.maxDeletes,
      protected: {
        accounts: safety.protected.accounts,
        permissionSets: safety.protected.permissionSets,
        principals: safety.protected.principals,
      },
      allowManagementAccount: safety.allowManagementAccount,
    },
    ownershipTag: { key: safety.ownershipTag.key, value: safety.ownershipTag.value },
  };
}

function toTemplate(template: PermissionSetTemplateConfig): PermissionSetTemplate {
  return {
    ...(template.description === undefined ? {} : { description: template.description }),
    ...(template.sessionDuration === undefined
      ? {}
      : { sessionDuration: template.sessionDuration }),
    ...(template.relayState === undefined ? {} : { relayState: template.relayState }),
    managedPolicies: template.managedPolicies,
    customerManagedPolicies: template.customerManagedPolicies,
    ...(template.inlinePolicy === undefined ? {} : { inlinePolicy: template.inlinePolicy }),
    ...(template.permissionsBoundary === undefined
      ? {}
      : { permissionsBoundary: toBoundary(template.permissionsBoundary) }),
    tags: template.tags,
  };
}

function toBoundary(
  boundary: NonNullable<PermissionSetTemplateConfig['permissionsBoundary']>,
): PermissionsBoundary {
  if (boundary.managedPolicyArn !== undefined) {
    return { kind: 'managed', managedPolicyArn: boundary.managedPolicyArn };
  }
  if (boundary.customerManagedPolicy !== undefined) {
    return { kind: 'customer-managed', reference: boundary.customerManagedPolicy };
  }
  throw new ConfigError('permissionsBoundary needs managedPolicyArn or customerManagedPolicy');
}
