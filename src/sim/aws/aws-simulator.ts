import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsSimError, serverErrorCodes } from './aws-sim-error.js';
import type { AwsScenario } from './aws-scenario.js';
import type { AwsState } from './aws-state.js';
import { CallLog } from './call-log.js';
import { CredentialStore } from './credential-store.js';
import { enforceIdentityPolicy } from './policy-enforcement.js';
import { createAwsControl, type AwsSimulatorControl } from './aws-control.js';
import { formatViolations, InputValidatorCompiler, type Violation } from './input-validator.js';
import { PageTokens } from './page-tokens.js';
import { decodeQueryInput, queryError, queryResponse, convertScalar } from './query-protocol.js';
import { applyScenario, createInitialState } from './seed-aws-state.js';
import { SeededRandom } from './seeded-random.js';
import { createIamService, createStsService } from './services/iam-service.js';
import { createIdentityStoreService } from './services/identitystore-service.js';
import { createOrganizationsService } from './services/organizations-service.js';
import { createSsoAdminService } from './services/sso-admin-service.js';
import { parseAuthorization, verifySignature } from './sigv4-verifier.js';
import {
  simServiceNames,
  type BehaviourSettings,
  type FaultSettings,
  type OperationFaults,
  type OperationHandler,
  type Principal,
  type QuotaSettings,
  type RequestContext,
  type SimRuntime,
  type SimServiceName,
  type SimSettings,
} from './sim-runtime.js';
import { loadServiceModel, type ServiceModel } from './smithy-model.js';
import { TokenBucket } from './token-bucket.js';

/** AWS's documentation example key pair, the default management-account credentials. */
export const defaultAwsCredentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
} as const;

export interface AwsSimulatorOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** IdC home region. Default us-east-1. */
  readonly region?: string;
  /** World to seed. Default: an organisation with only the management account. */
  readonly scenario?: AwsScenario;
  /**
   * Management-account keys. Default: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY when both are set,
   * else AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.
   */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Faults per operation; merged over the scenario's. */
  readonly faults?: FaultSettings;
  readonly quotas?: QuotaSettings;
  readonly behaviour?: BehaviourSettings;
  /** Time from an async call to its SUCCEEDED/FAILED outcome. Default 100 ms. */
  readonly asyncLatencyMs?: number;
  /** Seed for ids, faults and empty pages. Default: the scenario's seed, else 1. */
  readonly seed?: number;
  /** Largest request body accepted. Default 1 MiB. */
  readonly maxBodyBytes?: number;
}

export interface AwsSimulator {
  /** `http://host:port`, for the SDK's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly instanceArn: string;
  readonly identityStoreId: string;
  readonly managementAccountId: string;
  /** In-process equivalent of the `/_sim/...` HTTP control API. */
  readonly control: AwsSimulatorControl;
  close(): Promise<void>;
}

interface ServiceDefinition {
  readonly name: SimServiceName;
  readonly protocol: 'json' | 'query';
  /** SigV4 credential-scope service name. */
  readonly signingName: string;
  readonly model: ServiceModel | undefined;
  readonly handlers: Readonly<Record<string, OperationHandler>>;
  readonly validators: ReadonlyMap<string, (input: unknown) => Violation[]>;
  readonly xmlNamespace?: string;
  /** Services only the management account may call (IdC admin, identity store, Organizations). */
  readonly managementOnly: boolean;
}

const jsonTargets: Readonly<Record<string, SimServiceName>> = {
  SWBExternalService: 'sso-admin',
  AWSIdentityStore: 'identitystore',
  AWSOrganizationsV20161128: 'organizations',
};

const signingNames: Readonly<Record<SimServiceName, string>> = {
  'sso-admin': 'sso',
  identitystore: 'identitystore',
  organizations: 'organizations',
  iam: 'iam',
  sts: 'sts',
};

function defaultCredentials(): { accessKeyId: string; secretAccessKey: string } {
  const id = process.env.AWS_ACCESS_KEY_ID;
  const secret = process.env.AWS_SECRET_ACCESS_KEY;
  return id && secret ? { accessKeyId: id, secretAccessKey: secret } : { ...defaultAwsCredentials };
}

/** Resolves run-time settings from the options, the scenario and AWS's published defaults. */
export function resolveSettings(options: AwsSimulatorOptions): SimSettings {
  const q = options.quotas ?? {};
  const rate = q.ratePerSecond;
  const ratePerSecond = Object.fromEntries(
    simServiceNames.map((s) => [s, typeof rate === 'number' ? rate : (rate?.[s] ?? 20)]),
  ) as Record<SimServiceName, number>;
  const b = options.behaviour ?? {};
  return {
    faults: { ...(options.scenario?.faults ?? {}), ...(options.faults ?? {}) },
    quotas: {
      enabled: q.enabled ?? true,
      ratePerSecond,
      burst: q.burst,
      outstandingCreateAssignments: q.outstandingCreateAssignments ?? 15,
      concurrentProvisions: q.concurrentProvisions ?? 3,
      permissionSetsPerInstance: q.permissionSetsPerInstance ?? 3500,
      provisionedPermissionSetsPerAccount: q.provisionedPermissionSetsPerAccount ?? 500,
      policiesPerPermissionSet: q.policiesPerPermissionSet ?? 20,
    },
    behaviour: {
      deleteMissingAssignment: b.deleteMissingAssignment ?? 'async-failure',
      asyncLimitErrorCode: b.asyncLimitErrorCode ?? 'ThrottlingException',
      useModelStatusCodes: b.useModelStatusCodes ?? false,
      organizationsEmptyPageProbability: b.organizationsEmptyPageProbability ?? 0.1,
      externalIdIssuer: b.externalIdIssuer ?? 'scim.okta.com',
      delegatedAdminAccountId: b.delegatedAdminAccountId ?? '',
    },
    asyncLatencyMs: options.asyncLatencyMs ?? options.scenario?.asyncLatencyMs ?? 100,
  };
}

/** Effective faults for an operation: `*` < service < operation < `service:Operation`. */
export function faultsFor(
  faults: FaultSettings,
  service: string,
  operation: string,
): OperationFaults {
  return {
    ...faults['*'],
    ...faults[service],
    ...faults[operation],
    ...faults[`${service}:${operation}`],
  };
}

/**
 * Starts the AWS simulator: sso-admin, identitystore and organizations over awsJson1_1, IAM and
 * STS over awsQuery, on one port, plus the `/_sim/...` control API. Resolves once listening.
 */
export async function startAwsSimulator(options: AwsSimulatorOptions = {}): Promise<AwsSimulator> {
  const region = options.region ?? options.scenario?.region ?? 'us-east-1';
  const scenario = options.scenario ?? {};
  const random = new SeededRandom(options.seed ?? scenario.seed ?? 1);
  const settings = resolveSettings(options);
  const state: AwsState = createInitialState(scenario, random, region);
  const runtime: SimRuntime = {
    state,
    random,
    tokens: new PageTokens(),
    settings,
    now: () => Date.now(),
  };
  const credentials = new CredentialStore();
  const mgmtCredentials = options.credentials ?? defaultCredentials();
  const mgmt = state.organization.managementAccountId;
  credentials.add({
    ...mgmtCredentials,
    principal: {
      accountId: mgmt,
      arn: `arn:aws:iam::${mgmt}:user/okta-aws-sync-admin`,
      userId: 'AIDA' + 'SIMULATORADMIN0001'.slice(0, 17),
      kind: 'user',
      accessKeyId: mgmtCredentials.accessKeyId,
    },
  });

  const ssoAdmin = createSsoAdminService(runtime);
  const identityStore = createIdentityStoreService(runtime);
  applyScenario(state, scenario, random, {
    writer: identityStore.writer,
    provisionNow: (accountId, ps) => ssoAdmin.provisionNow(accountId, ps),
    externalIdIssuer: settings.behaviour.externalIdIssuer,
  });

  const services = new Map<SimServiceName, ServiceDefinition>();
  const define = (
    name: SimServiceName,
    handlers: Readonly<Record<string, OperationHandler>>,
    managementOnly: boolean,
    xmlNamespace?: string,
  ): void => {
    const model = name === 'sts' ? undefined : loadServiceModel(name);
    const validators = new Map<string, (input: unknown) => Violation[]>();
    if (model) {
      const compiler = new InputValidatorCompiler(model.shapes);
      for (const op of Object.keys(handlers))
        validators.set(op, compiler.forInput(model.operations.get(op)?.inputShapeId));
    }
    services.set(name, {
      name,
      protocol: xmlNamespace ? 'query' : 'json',
      signingName: signingNames[name],
      model,
      handlers,
      validators,
      managementOnly,
      ...(xmlNamespace ? { xmlNamespace } : {}),
    });
  };
  define('sso-admin', ssoAdmin.handlers, true);
  define('identitystore', identityStore.handlers, true);
  define('organizations', createOrganizationsService(runtime), true);
  define('iam', createIamService(runtime), false, 'https://iam.amazonaws.com/doc/2010-05-08/');
  define(
    'sts',
    createStsService(runtime, credentials),
    false,
    'https://sts.amazonaws.com/doc/2011-06-15/',
  );

  const buckets = new Map<SimServiceName, TokenBucket>();
  const bucketFor = (service: SimServiceName): TokenBucket => {
    const rate = settings.quotas.ratePerSecond[service];
    const capacity = settings.quotas.burst ?? rate;
    let b = buckets.get(service);
    if (!b) {
      b = new TokenBucket(rate, capacity, Date.now());
      buckets.set(service, b);
    } else b.reconfigure(rate, capacity);
    return b;
  };

  const callLog = new CallLog();
  const control = createAwsControl({
    runtime,
    ssoAdmin,
    identityStore: identityStore.writer,
    callLog,
    credentials,
    onQuotasChanged: () => buckets.clear(),
    implementedOperations: () =>
      Object.fromEntries(
        [...services.values()].map((s) => [s.name, Object.keys(s.handlers).sort()]),
      ) as Record<SimServiceName, string[]>,
  });
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/_sim')) {
      const body = await readBody(req, maxBody);
      const result = control.http(
        req.method ?? 'GET',
        url.pathname,
        body === undefined ? undefined : body.toString('utf8'),
      );
      res.writeHead(result.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result.body));
      return;
    }

    const target = header(req, 'x-amz-target');
    const contentType = header(req, 'content-type') ?? '';
    const isQuery =
      !target &&
      (contentType.startsWith('application/x-www-form-urlencoded') ||
        url.searchParams.has('Action'));
    const auth = parseAuthorization(header(req, 'authorization'));
    // Query-protocol errors need the namespace of the service: IAM unless signed for STS.
    const queryService: SimServiceName = auth?.service === 'sts' ? 'sts' : 'iam';
    const fail = (
      service: ServiceDefinition | undefined,
      protocol: 'json' | 'query',
      err: AwsSimError,
      operation = 'Unknown',
    ): void => {
      const status = statusFor(err, service, protocol, settings);
      callLog.record({
        service: service?.name ?? 'unknown',
        operation,
        status,
        errorCode: err.code,
      });
      // identitystore errors all carry the RequestId member (model); add it where the handler did not.
      const withRequestId =
        service?.name === 'identitystore' && !err.options.fields?.RequestId
          ? new AwsSimError(err.code, err.message, {
              ...err.options,
              fields: { ...err.options.fields, RequestId: requestId },
            })
          : err;
      sendError(
        res,
        protocol,
        services.get(queryService)!.xmlNamespace!,
        withRequestId,
        status,
        requestId,
      );
    };

    const bodyBuffer = await readBody(req, maxBody);
    if (bodyBuffer === undefined) {
      const err = new AwsSimError(
        'RequestEntityTooLargeException',
        `Request body exceeds ${maxBody} bytes.`,
        { status: 413 },
      );
      return fail(undefined, isQuery ? 'query' : 'json', err);
    }
    const body = bodyBuffer.toString('utf8');

    // Route.
    let service: ServiceDefinition | undefined;
    let operation: string;
    let rawInput: Record<string, unknown> | undefined;
    let params: URLSearchParams | undefined;
    if (target) {
      const dot = target.indexOf('.');
      const prefix = dot < 0 ? target : target.slice(0, dot);
      operation = dot < 0 ? '' : target.slice(dot + 1);
      const name = jsonTargets[prefix];
      service = name ? services.get(name) : undefined;
      if (!service || !Object.hasOwn(service.handlers, operation))
        return fail(
          service,
          'json',
          new AwsSimError('UnknownOperationException', `Operation ${target} is not supported.`),
          operation || target,
        );
      if (!/^application\/x-amz-json-1\.[01]\b/.test(contentType))
        return fail(
          service,
          'json',
          new AwsSimError(
            'SerializationException',
            `Unsupported Content-Type: ${contentType || '(none)'}; expected application/x-amz-json-1.1.`,
          ),
          operation,
        );
    } else if (isQuery) {
      params = new URLSearchParams(body);
      for (const [k, v] of url.searchParams) if (!params.has(k)) params.set(k, v);
      operation = params.get('Action') ?? '';
      service = services.get(queryService);
      if (!service || !Object.hasOwn(service.handlers, operation))
        return fail(
          service,
          'query',
          new AwsSimError(
            'InvalidAction',
            `Could not find operation ${operation || '(none)'} for version ${params.get('Version') ?? '(none)'}`,
          ),
          operation || 'Unknown',
        );
    } else {
      return fail(
        undefined,
        'json',
        new AwsSimError(
          'UnknownOperationException',
          'Missing X-Amz-Target header or Action parameter; cannot route the request.',
        ),
      );
    }
    const protocol = service.protocol;

    // Authenticate.
    const principal = await authenticate(req, url, body, auth, service, credentials, runtime.now());
    if (principal instanceof AwsSimError) return fail(service, protocol, principal, operation);

    const faults = faultsFor(settings.faults, service.name, operation);
    if (faults.latencyMs) await sleep(faults.latencyMs);

    // Quotas and injected faults.
    if (
      (settings.quotas.enabled && !bucketFor(service.name).take(runtime.now())) ||
      random.chance(faults.throttleProbability ?? 0)
    )
      return fail(service, protocol, throttle(service.name), operation);
    if (random.chance(faults.serverErrorProbability ?? 0))
      return fail(service, protocol, internalError(service.name), operation);

    // Parse and validate.
    if (protocol === 'json') {
      try {
        const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error('not an object');
        rawInput = parsed as Record<string, unknown>;
      } catch {
        return fail(
          service,
          protocol,
          new AwsSimError('SerializationException', 'Request body is not a valid JSON object.'),
          operation,
        );
      }
    } else {
      const opModel = service.model?.operations.get(operation);
      rawInput = service.model
        ? decodeQueryInput(service.model.shapes, opModel?.inputShapeId, params!)
        : Object.fromEntries(
            [...params!]
              .filter(([k]) => k !== 'Action' && k !== 'Version')
              .map(([k, v]) => [k, k === 'DurationSeconds' ? convertScalar('integer', v) : v]),
          );
    }
    const violations = service.validators.get(operation)?.(rawInput) ?? [];
    if (violations.length > 0) {
      const typeProblem = protocol === 'json' && violations.some((v) => v.kind === 'type');
      const code = typeProblem
        ? 'SerializationException'
        : protocol === 'query'
          ? 'ValidationError'
          : 'ValidationException';
      return fail(
        service,
        protocol,
        new AwsSimError(code, formatViolations(violations)),
        operation,
      );
    }

    const denied = enforceIdentityPolicy(
      state,
      principal,
      service.signingName,
      protocol,
      operation,
      rawInput,
    );
    if (denied) return fail(service, protocol, denied, operation);

    const delegated = settings.behaviour.delegatedAdminAccountId;
    if (
      service.managementOnly &&
      principal.accountId !== mgmt &&
      (delegated === '' || principal.accountId !== delegated)
    )
      return fail(
        service,
        protocol,
        new AwsSimError(
          'AccessDeniedException',
          `User: ${principal.arn} is not authorized to perform: ${service.signingName}:${operation}`,
        ),
        operation,
      );

    const ctx: RequestContext = {
      requestId,
      service: service.name,
      operation,
      principal,
      region,
      faults,
    };
    let output: unknown;
    try {
      ssoAdmin.settle();
      output = service.handlers[operation]!(rawInput, ctx);
    } catch (error) {
      if (error instanceof AwsSimError) return fail(service, protocol, error, operation);
      const message = error instanceof Error ? error.message : String(error);
      return fail(
        service,
        protocol,
        new AwsSimError(internalError(service.name).code, `Internal error: ${message}`, {
          status: 500,
        }),
        operation,
      );
    }
    callLog.record({ service: service.name, operation, status: 200 });
    if (protocol === 'json') {
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': requestId,
      });
      res.end(JSON.stringify(output ?? {}, epochSeconds));
    } else {
      res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(queryResponse(operation, service.xmlNamespace!, output, requestId));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Never crash and never leave a client hanging; a bug here is a 500 with an AWS shape.
      if (!res.headersSent) {
        res.writeHead(500, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-errortype': 'InternalFailure',
        });
        res.end(
          JSON.stringify({
            __type: 'InternalFailure',
            message: error instanceof Error ? error.message : String(error),
          }),
        );
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://${host}:${port}`,
    port,
    region,
    credentials: { ...mgmtCredentials },
    instanceArn: state.instance.arn,
    identityStoreId: state.identityStore.id,
    managementAccountId: mgmt,
    control,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

async function authenticate(
  req: IncomingMessage,
  url: URL,
  body: string,
  auth: ReturnType<typeof parseAuthorization>,
  service: ServiceDefinition,
  credentials: CredentialStore,
  now: number,
): Promise<Principal | AwsSimError> {
  const json = service.protocol === 'json';
  if (!header(req, 'authorization'))
    return json
      ? new AwsSimError('MissingAuthenticationTokenException', 'Missing Authentication Token', {
          status: 403,
        })
      : new AwsSimError('MissingAuthenticationToken', 'Request is missing Authentication Token', {
          status: 403,
        });
  if (!auth)
    return json
      ? new AwsSimError(
          'IncompleteSignatureException',
          'Authorization header requires a valid AWS4-HMAC-SHA256 Credential, SignedHeaders and Signature.',
          { status: 400 },
        )
      : new AwsSimError(
          'IncompleteSignature',
          'Authorization header requires a valid AWS4-HMAC-SHA256 Credential, SignedHeaders and Signature.',
          { status: 400 },
        );
  const known = credentials.get(auth.accessKeyId);
  const token = header(req, 'x-amz-security-token');
  if (!known || (known.sessionToken !== undefined && known.sessionToken !== token))
    return json
      ? new AwsSimError(
          'UnrecognizedClientException',
          'The security token included in the request is invalid.',
          { status: 400 },
        )
      : new AwsSimError(
          'InvalidClientTokenId',
          'The security token included in the request is invalid.',
          { status: 403 },
        );
  if (known.expiresAt !== undefined && known.expiresAt <= now)
    return json
      ? new AwsSimError(
          'ExpiredTokenException',
          'The security token included in the request is expired',
          { status: 400 },
        )
      : new AwsSimError('ExpiredToken', 'The security token included in the request is expired', {
          status: 400,
        });
  if (auth.service !== service.signingName)
    return json
      ? new AwsSimError(
          'InvalidSignatureException',
          `Credential should be scoped to correct service: '${service.signingName}'.`,
          { status: 400 },
        )
      : new AwsSimError(
          'SignatureDoesNotMatch',
          `Credential should be scoped to correct service: '${service.signingName}'.`,
          { status: 403 },
        );
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const ok = await verifySignature(
    { method: req.method ?? 'POST', path: url.pathname, query, headers: req.headers, body },
    auth,
    known,
  );
  if (!ok) {
    const message =
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
    return json
      ? new AwsSimError('InvalidSignatureException', message, { status: 400 })
      : new AwsSimError('SignatureDoesNotMatch', message, { status: 403 });
  }
  return known.principal;
}

/** Each service's throttling error (ref §7): all are retried by SDK v3. */
function throttle(service: SimServiceName): AwsSimError {
  switch (service) {
    case 'organizations':
      return new AwsSimError('TooManyRequestsException', 'Rate exceeded', {
        fields: { Type: 'RequestLimitExceeded' },
      });
    case 'iam':
    case 'sts':
      return new AwsSimError('Throttling', 'Rate exceeded');
    case 'identitystore':
      return new AwsSimError('ThrottlingException', 'Rate exceeded', {
        fields: { RetryAfterSeconds: 1 },
        headers: { 'retry-after': '1' },
      });
    default:
      return new AwsSimError('ThrottlingException', 'Rate exceeded');
  }
}

function internalError(service: SimServiceName): AwsSimError {
  switch (service) {
    case 'organizations':
      return new AwsSimError(
        'ServiceException',
        "AWS Organizations can't complete your request because of an internal service error. Try again later.",
        { status: 500 },
      );
    case 'iam':
    case 'sts':
      return new AwsSimError(
        'ServiceFailure',
        'The request processing has failed because of an unknown error, exception or failure.',
        { status: 500 },
      );
    default:
      return new AwsSimError(
        'InternalServerException',
        'An unexpected internal service exception was encountered',
        { status: 500 },
      );
  }
}

/**
 * HTTP status for an error: explicit status first; server faults 500; awsQuery uses the
 * model's `awsQueryError` code (IAM's real statuses); awsJson1_1 client errors are 400, as AWS
 * really answers, unless `useModelStatusCodes` asks for the model's `httpError` (ref §2.3).
 */
function statusFor(
  err: AwsSimError,
  service: ServiceDefinition | undefined,
  protocol: 'json' | 'query',
  settings: SimSettings,
): number {
  if (err.options.status !== undefined) return err.options.status;
  if (serverErrorCodes.has(err.code)) return 500;
  if (protocol === 'query') {
    for (const info of service?.model?.errorShapes.values() ?? [])
      if (info.queryCode === err.code) return info.httpStatus;
    return 400;
  }
  if (settings.behaviour.useModelStatusCodes)
    return service?.model?.errorShapes.get(err.code)?.httpStatus ?? 400;
  return 400;
}

function sendError(
  res: ServerResponse,
  protocol: 'json' | 'query',
  queryNamespace: string,
  err: AwsSimError,
  status: number,
  requestId: string,
): void {
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId, ...err.options.headers };
  if (protocol === 'json') {
    headers['content-type'] = 'application/x-amz-json-1.1';
    headers['x-amzn-errortype'] = err.code;
    res.writeHead(status, headers);
    res.end(JSON.stringify({ __type: err.code, Message: err.message, ...err.options.fields }));
  } else {
    headers['content-type'] = 'text/xml';
    res.writeHead(status, headers);
    res.end(
      queryError(
        queryNamespace,
        status >= 500 ? 'Receiver' : 'Sender',
        err.code,
        err.message,
        requestId,
      ),
    );
  }
}

/** JSON.stringify replacer: Dates as epoch seconds, as awsJson1_1 sends timestamps. */
function epochSeconds(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Date ? original.getTime() / 1000 : value;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Reads the body; `undefined` when it exceeds `max` bytes (the rest is drained, not buffered). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooBig = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooBig ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
