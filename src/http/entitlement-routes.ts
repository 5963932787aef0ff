import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EntitlementService } from '../app/entitlements/entitlement-service.js';
import { PrincipalTypes } from '../core/domain/identity-center.js';
import { PrincipalNotFoundError } from '../app/entitlements/principal-resolver.js';
import { HttpError } from './http-error.js';

const principal = {
  principalType: z.enum(PrincipalTypes),
  principalId: z.string().min(1).max(256),
};
const account = z.string().regex(/^\d{12}$/, 'twelve digits');
const listQuery = z.strictObject({ ...principal, accountId: account.optional() });
const changeBody = z.strictObject({
  ...principal,
  accountId: account,
  permissionSets: z.array(z.string().min(1).max(2048)).min(1).max(100),
});
const removeAllBody = z.strictObject({ ...principal, accountId: account.optional() });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success)
    throw new HttpError(
      400,
      'INVALID_REQUEST',
      `invalid ${what}: ${parsed.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/**
 * The five connector actions under /api/v1 (inside the bearer-token scope):
 * `GET /instances`, `GET /entitlements?principalType&principalId[&accountId]`,
 * `POST /entitlements/add|remove` `{principalType, principalId, accountId, permissionSets}`,
 * `POST /entitlements/remove-all` `{principalType, principalId, accountId?}`. Writes answer 200
 * with a status per item when every item succeeded, else 207 with the same body.
 */
export function registerEntitlementRoutes(
  scope: FastifyInstance,
  service: EntitlementService,
): void {
  // An unknown principal is the caller's 404, not a server failure.
  scope.setErrorHandler((error) => {
    if (error instanceof PrincipalNotFoundError)
      throw new HttpError(404, error.code, error.message);
    throw error;
  });
  scope.get('/instances', async () => ({ instances: await service.listInstances() }));
  scope.get('/entitlements', async (request) =>
    service.listEntitlements(parse(listQuery, request.query, 'query')),
  );
  scope.post('/entitlements/add', async (request, reply) => {
    const result = await service.addEntitlements(parse(changeBody, request.body, 'body'));
    return reply.status(result.succeeded ? 200 : 207).send(result);
  });
  scope.post('/entitlements/remove', async (request, reply) => {
    const result = await service.removeEntitlements(parse(changeBody, request.body, 'body'));
    return reply.status(result.succeeded ? 200 : 207).send(result);
  });
  scope.post('/entitlements/remove-all', async (request, reply) => {
    const result = await service.removeAllEntitlements(parse(removeAllBody, request.body, 'body'));
    return reply.status(result.succeeded ? 200 : 207).send(result);
  });
}
