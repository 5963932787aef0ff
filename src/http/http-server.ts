/**
 * The service's HTTP entry point on fastify (PRODUCT.md §3, HTTP): the Okta event hook
 * (verification GET and delivery POST), liveness, readiness, Prometheus metrics and the
 * bearer-token JSON API. It only translates: every decision sits behind the SyncApi port.
 */
import Fastify, { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';

import { OperationalError, SafetyRefusal, UsageError } from '../core/errors.js';
import { hookDeliverySchema } from '../core/events/okta-event-schema.js';
import { parseReconcileKey } from '../core/events/reconcile-key.js';
import type { Secret } from '../core/secret.js';
import type { EntitlementService } from '../app/entitlements/entitlement-service.js';
import type { SyncApi } from '../app/sync/sync-api.js';
import { EventStates } from '../ports/store.js';
import { secretsMatch } from './constant-time.js';
import { errorBody, HttpError } from './http-error.js';
import { registerEntitlementRoutes } from './entitlement-routes.js';

export interface HttpServerOptions {
  readonly api: SyncApi;
  readonly logger: Logger;
  /** The Authorization value Okta sends to the hook; without it the hook routes answer 404. */
  readonly hookSecret?: Secret;
  /** The bearer token of /api/v1; without it the API answers 404. */
  readonly apiToken?: Secret;
  /** Largest hook delivery body in bytes; default 4 MiB (1,000 events of ~4 KB). */
  readonly hookBodyLimit?: number;
  /** Largest API request body in bytes; default 64 KiB. */
  readonly apiBodyLimit?: number;
  /** The five entitlement actions under /api/v1 (entitlement-routes.ts); absent: not served. */
  readonly entitlements?: EntitlementService;
}

const HOOK_PATH = '/hooks/okta';
const CHALLENGE_HEADER = 'x-okta-verification-challenge';

const eventsQuery = z.strictObject({
  state: z.enum(EventStates).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const limitQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
const accessQuery = z.strictObject({
  user: z.string().min(1).max(256).optional(),
  group: z.string().min(1).max(256).optional(),
  account: z.string().min(1).max(64).optional(),
  permissionSet: z.string().min(1).max(64).optional(),
});
const reconcileBody = z.union([
  z.strictObject({ key: z.string().min(1).max(200) }),
  z.strictObject({ full: z.literal(true) }),
]);

function parseOr400<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || what}: ${issue.message}`)
      .join('; ');
    throw new HttpError(400, 'INVALID_REQUEST', `invalid ${what}: ${issues}`);
  }
  return parsed.data;
}

function isJson(request: FastifyRequest): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && /^application\/json\s*(;|$)/i.test(type);
}

/**
 * One access-log line per request, when it completes (method, URL, status, time), instead of
 * Fastify's two with whole request and reply objects: under a stream of hook deliveries the
 * request logging was a measurable share of the service's CPU.
 */
class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, err: error.message }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

/**
 * Builds (does not listen) the server. Fastify's own errors (malformed JSON 400, body too large
 * 413, unsupported media type 415) and thrown HttpErrors all come out in the one error shape.
 */
export function buildHttpServer(options: HttpServerOptions) {
  const { api, hookSecret, apiToken } = options;
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.apiBodyLimit ?? 64 * 1024,
    // Request ids tie the access log to the events a delivery journaled.
    genReqId: (request) => {
      const header = request.headers['x-okta-request-id'];
      return typeof header === 'string' && header.length <= 128 ? header : crypto.randomUUID();
    },
    logController: new AccessLog(),
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).send(errorBody(error.code, error.message));
    }
    if (error instanceof UsageError) {
      return reply.status(400).send(errorBody('INVALID_REQUEST', error.message));
    }
    if (error instanceof SafetyRefusal) {
      return reply.status(409).send(errorBody('SAFETY_REFUSAL', error.message));
    }
    const fastifyError = error as { statusCode?: number; code?: string; message?: string };
    const status = fastifyError.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code =
        status === 413
          ? 'BODY_TOO_LARGE'
          : status === 415
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : 'INVALID_REQUEST';
      return reply.status(status).send(errorBody(code, fastifyError.message ?? 'bad request'));
    }
    if (error instanceof OperationalError) {
      request.log.error({ err: error.message, code: error.code }, 'request failed');
      return reply.status(error.retryable ? 503 : 500).send(errorBody(error.code, error.message));
    }
    request.log.error(
      { err: error instanceof Error ? error.message : String(error) },
      'request failed',
    );
    return reply.status(500).send(errorBody('INTERNAL', 'internal error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url}`)),
  );

  // ---- Okta event hook ----------------------------------------------------------------------

  // Runs before the body is read: a caller without the secret never gets its body parsed.
  const checkHookAuth = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    if (hookSecret === undefined) {
      void reply.status(404).send(errorBody('HOOK_DISABLED', 'no event hook secret is configured'));
      return;
    }
    const presented = request.headers.authorization;
    if (!secretsMatch(presented, hookSecret.reveal())) {
      void reply
        .status(401)
        .send(errorBody('UNAUTHORIZED', 'missing or wrong Authorization header'));
      return;
    }
    done();
  };

  app.get(HOOK_PATH, { onRequest: checkHookAuth }, (request) => {
    const challenge = request.headers[CHALLENGE_HEADER];
    if (typeof challenge !== 'string' || challenge === '' || challenge.length > 1024) {
      throw new HttpError(400, 'MISSING_CHALLENGE', `the ${CHALLENGE_HEADER} header is required`);
    }
    api.hookVerified();
    return Promise.resolve({ verification: challenge });
  });

  app.post(
    HOOK_PATH,
    {
      bodyLimit: options.hookBodyLimit ?? 4 * 1024 * 1024,
      onRequest: (request, reply, done) => {
        checkHookAuth(request, reply, () => {
          if (!isJson(request)) {
            void reply
              .status(415)
              .send(errorBody('UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json'));
            return;
          }
          done();
        });
      },
    },
    async (request, reply) => {
      const delivery = parseOr400(hookDeliverySchema, request.body, 'event hook delivery');
      const result = await api.ingestHookEvents(delivery.data.events);
      request.log.info(
        {
          eventId: delivery.eventId,
          events: result.events.map((e) => ({ uuid: e.uuid, outcome: e.outcome, keys: e.keys })),
        },
        'hook delivery journaled',
      );
      // Okta wants 200 or 204 with an empty body, at once.
      return reply.status(204).send();
    },
  );

  // ---- health and metrics ------------------------------------------------------------------

  app.get('/healthz', () => Promise.resolve({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const readiness = await api.readiness();
    return reply.status(readiness.ready ? 200 : 503).send(readiness);
  });
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await api.metrics();
    return reply.type(contentType).send(body);
  });

  // ---- /api/v1 -----------------------------------------------------------------------------

  void app.register(
    (scope, _opts, done) => {
      scope.addHook('onRequest', (request, reply, next) => {
        if (apiToken === undefined) {
          void reply
            .status(404)
            .send(errorBody('API_DISABLED', 'no server.apiToken is configured'));
          return;
        }
        const header = request.headers.authorization;
        const presented = header?.startsWith('Bearer ')
          ? header.slice('Bearer '.length)
          : undefined;
        if (!secretsMatch(presented, apiToken.reveal())) {
          void reply
            .header('www-authenticate', 'Bearer')
            .status(401)
            .send(errorBody('UNAUTHORIZED', 'missing or wrong bearer token'));
          return;
        }
        next();
      });

      if (options.entitlements) registerEntitlementRoutes(scope, options.entitlements);
      scope.get('/status', () => api.status());
      scope.get('/events', async (request) => {
        const query = parseOr400(eventsQuery, request.query, 'query');
        return {
          events: await api.listEvents({
            limit: query.limit,
            ...(query.state ? { state: query.state } : {}),
          }),
        };
      });
      scope.get<{ Params: { uuid: string } }>('/events/:uuid', async (request) => {
        const event = await api.getEvent(request.params.uuid);
        if (!event) throw new HttpError(404, 'NOT_FOUND', `no event ${request.params.uuid}`);
        return event;
      });
      scope.get('/runs', async (request) => {
        const query = parseOr400(limitQuery, request.query, 'query');
        return { runs: await api.listRuns(query.limit) };
      });
      scope.get<{ Params: { id: string } }>('/runs/:id', async (request) => {
        const run = await api.getRun(request.params.id);
        if (!run) throw new HttpError(404, 'NOT_FOUND', `no run ${request.params.id}`);
        return run;
      });
      scope.get('/inventory', async () => {
        const inventory = await api.inventory();
        if (inventory === null)
          throw new HttpError(404, 'NO_SNAPSHOT', 'no inventory snapshot yet');
        return inventory;
      });
      scope.get('/access', async (request) => {
        const query = parseOr400(accessQuery, request.query, 'query');
        const rows = await api.access(query);
        if (rows === null) throw new HttpError(404, 'NO_SNAPSHOT', 'no inventory snapshot yet');
        return rows;
      });
      scope.post('/reconcile', async (request, reply) => {
        if (!isJson(request)) {
          throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json');
        }
        const body = parseOr400(reconcileBody, request.body, 'body');
        const key = 'full' in body ? 'full' : body.key;
        if (parseReconcileKey(key) === null) {
          throw new HttpError(
            400,
            'INVALID_KEY',
            `"${key}" is not a reconcile key (user:<id>, group:<id>, permission-set:<name> or full)`,
          );
        }
        await api.requestReconcile(key);
        return reply.status(202).send({ key, state: 'queued' });
      });
      done();
    },
    { prefix: '/api/v1' },
  );

  return app;
}

/** The server `buildHttpServer` returns. */
export type HttpServer = ReturnType<typeof buildHttpServer>;
