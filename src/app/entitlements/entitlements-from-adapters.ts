import type { NewAuditEntry } from '../../ports/store.js';
import type { Adapters } from '../wiring.js';
import { EntitlementService, type EntitlementDeps } from './entitlement-service.js';

/**
 * Builds the entitlement actions over wired adapters. Audit entries go to the configured store,
 * unless `audit` is given (Lambda without a durable store logs them instead).
 */
export function entitlementServiceFrom(
  adapters: Adapters,
  options: {
    readonly actor: string;
    readonly audit?: (entry: NewAuditEntry) => Promise<void>;
    readonly poll?: EntitlementDeps['poll'];
    readonly retry?: EntitlementDeps['retry'];
  },
): EntitlementService {
  const safety = adapters.loaded.config.safety;
  return new EntitlementService({
    ssoAdmin: adapters.aws.ssoAdmin,
    identityStore: adapters.aws.identityStore,
    organizations: adapters.aws.organizations,
    writer: adapters.identityCenterWriter,
    ...(adapters.instanceArn ? { instanceArn: adapters.instanceArn } : {}),
    protected: safety.protected,
    allowManagementAccount: safety.allowManagementAccount,
    actor: options.actor,
    audit:
      options.audit ??
      (async (entry) => {
        await (await adapters.store()).appendAudit(entry);
      }),
    ...(options.poll ? { poll: options.poll } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  });
}
