/**
 * Schemas of what Okta sends: the LogEvent (System Log and hooks) and the event-hook delivery
 * envelope (okta.md §2, §2.3). They check only what the sync relies on and keep every other
 * field, because real payloads vary (numbers for strings, `target: null`, extra fields).
 */
import { z } from 'zod';

const targetSchema = z.looseObject({
  id: z.string().nullish(),
  type: z.string().nullish(),
  alternateId: z.string().nullish(),
  displayName: z.string().nullish(),
});

/** One System Log event, parsed defensively. */
export const logEventSchema = z.looseObject({
  uuid: z.string().min(1).max(128),
  published: z.string().min(1).max(64),
  eventType: z.string().min(1).max(256),
  target: z.array(targetSchema).nullish(),
});
export type LogEvent = z.output<typeof logEventSchema>;

/** The most events one hook delivery may carry; Okta amalgamates bursts into one array. */
export const MAX_EVENTS_PER_DELIVERY = 1000;

/** The event-hook delivery body (`eventType: com.okta.event_hook`). */
export const hookDeliverySchema = z.looseObject({
  eventType: z.literal('com.okta.event_hook'),
  eventId: z.string().min(1).max(128),
  eventTime: z.string().min(1).max(64).optional(),
  source: z.string().max(2048).optional(),
  data: z.looseObject({
    events: z.array(logEventSchema).min(1).max(MAX_EVENTS_PER_DELIVERY),
  }),
});
export type HookDelivery = z.output<typeof hookDeliverySchema>;
