import { SyncEventTypes } from '../../core/events/okta-event-keys.js';
import { OperationalError } from '../../core/errors.js';
import type { Secret } from '../../core/secret.js';

export interface RegisterEventHookOptions {
  readonly orgUrl: string;
  /** An Okta API token allowed to manage event hooks (okta.eventHooks.manage). */
  readonly apiToken: Secret;
  /** The public URL of `serve`, without the path. */
  readonly serviceUrl: string;
  /** The value Okta sends in the Authorization header; config okta.eventHook.secret. */
  readonly hookSecret: Secret;
  readonly name?: string;
}

/**
 * Registers an Okta event hook for every event type the sync consumes, pointing at
 * `<serviceUrl>/hooks/okta`, then asks Okta to verify it (Okta calls GET /hooks/okta once with a
 * challenge). Resolves with the hook id; throws OperationalError with Okta's answer otherwise.
 */
export async function registerEventHook(options: RegisterEventHookOptions): Promise<string> {
  const headers = {
    authorization: `SSWS ${options.apiToken.reveal()}`,
    'content-type': 'application/json',
    accept: 'application/json',
  };
  const created = await fetch(`${options.orgUrl}/api/v1/eventHooks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      name: options.name ?? 'okta-aws-sync',
      events: { type: 'EVENT_TYPE', items: [...SyncEventTypes] },
      channel: {
        type: 'HTTP',
        version: '1.0.0',
        config: {
          uri: `${options.serviceUrl}/hooks/okta`,
          headers: [],
          authScheme: { type: 'HEADER', key: 'Authorization', value: options.hookSecret.reveal() },
        },
      },
    }),
  });
  if (!created.ok) {
    throw new OperationalError(
      `Okta refused the event hook (${created.status}): ${await created.text()}`,
      'OKTA_HOOK_CREATE_FAILED',
      false,
    );
  }
  const { id } = (await created.json()) as { id: string };
  const verified = await fetch(`${options.orgUrl}/api/v1/eventHooks/${id}/lifecycle/verify`, {
    method: 'POST',
    headers,
  });
  const body = (await verified.json()) as { verificationStatus?: string };
  if (body.verificationStatus !== 'VERIFIED') {
    throw new OperationalError(
      `Okta could not verify the event hook: ${JSON.stringify(body)}`,
      'OKTA_HOOK_VERIFY_FAILED',
      false,
    );
  }
  return id;
}
