import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** A member reference inside a Smithy JSON AST shape. */
export interface SmithyMember {
  readonly target: string;
  readonly traits?: Readonly<Record<string, unknown>>;
}

/** The subset of the Smithy JSON AST the simulator reads. */
export interface SmithyShape {
  readonly type: string;
  readonly members?: Readonly<Record<string, SmithyMember>>;
  readonly member?: SmithyMember;
  readonly key?: SmithyMember;
  readonly value?: SmithyMember;
  readonly traits?: Readonly<Record<string, unknown>>;
  readonly operations?: readonly { target: string }[];
  readonly resources?: readonly { target: string }[];
  readonly input?: { target: string };
  readonly output?: { target: string };
  readonly errors?: readonly { target: string }[];
  readonly create?: { target: string };
  readonly put?: { target: string };
  readonly read?: { target: string };
  readonly update?: { target: string };
  readonly delete?: { target: string };
  readonly list?: { target: string };
}

/** The services the simulator serves; each name is the model file's base name. */
export const awsServiceNames = ['sso-admin', 'identitystore', 'organizations', 'iam'] as const;
export type ModelledServiceName = (typeof awsServiceNames)[number];

/** Pagination trait of an operation, as the model states it. */
export interface PaginationTrait {
  readonly inputToken?: string;
  readonly outputToken?: string;
  readonly pageSize?: string;
  readonly items?: string;
}

/** One operation of a service model, resolved for quick lookup. */
export interface OperationModel {
  readonly name: string;
  readonly inputShapeId: string | undefined;
  readonly outputShapeId: string | undefined;
  /** Error shape names (without namespace) the operation may raise, service-level ones included. */
  readonly errors: readonly string[];
  readonly paginated: PaginationTrait | undefined;
}

/** A loaded service model. */
export interface ServiceModel {
  readonly service: ModelledServiceName;
  readonly namespace: string;
  readonly shapes: Readonly<Record<string, SmithyShape>>;
  readonly operations: ReadonlyMap<string, OperationModel>;
  /** Error shape name → its HTTP code in the model and, for awsQuery, the wire code. */
  readonly errorShapes: ReadonlyMap<string, { httpStatus: number; queryCode?: string }>;
}

/**
 * Finds `../shared/reference` from the repository root (the directory holding package.json),
 * walking up from this module, so the simulator works from `src/` under tsx and from `dist/`.
 */
export function referenceDir(): string {
  let dir = import.meta.dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return resolve(dir, '../shared/reference');
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('cannot find the repository root above ' + import.meta.dirname);
    dir = parent;
  }
}

const cache = new Map<ModelledServiceName, ServiceModel>();

/** Loads (once per process) and indexes the official Smithy model of one service. */
export function loadServiceModel(service: ModelledServiceName): ServiceModel {
  const cached = cache.get(service);
  if (cached) return cached;
  const raw = JSON.parse(
    readFileSync(join(referenceDir(), 'aws-models', `${service}.json`), 'utf8'),
  ) as { shapes: Record<string, SmithyShape> };
  const shapes = raw.shapes;
  const serviceEntry = Object.entries(shapes).find(([, s]) => s.type === 'service');
  if (!serviceEntry) throw new Error(`no service shape in ${service}.json`);
  const [serviceId, serviceShape] = serviceEntry;
  const namespace = serviceId.slice(0, serviceId.indexOf('#'));
  const serviceErrors = (serviceShape.errors ?? []).map((e) => localName(e.target));

  const operationIds = new Set<string>();
  const visitResource = (id: string): void => {
    const shape = shapes[id];
    if (!shape) return;
    for (const key of ['create', 'put', 'read', 'update', 'delete', 'list'] as const) {
      const ref = shape[key];
      if (ref) operationIds.add(ref.target);
    }
    for (const op of shape.operations ?? []) operationIds.add(op.target);
    for (const r of shape.resources ?? []) visitResource(r.target);
  };
  for (const op of serviceShape.operations ?? []) operationIds.add(op.target);
  for (const r of serviceShape.resources ?? []) visitResource(r.target);

  const operations = new Map<string, OperationModel>();
  for (const id of operationIds) {
    const shape = shapes[id];
    if (!shape) continue;
    const name = localName(id);
    operations.set(name, {
      name,
      inputShapeId: shape.input?.target,
      outputShapeId: shape.output?.target,
      errors: [...(shape.errors ?? []).map((e) => localName(e.target)), ...serviceErrors],
      paginated: shape.traits?.['smithy.api#paginated'] as PaginationTrait | undefined,
    });
  }

  const errorShapes = new Map<string, { httpStatus: number; queryCode?: string }>();
  for (const [id, shape] of Object.entries(shapes)) {
    if (!shape.traits?.['smithy.api#error']) continue;
    const httpStatus = (shape.traits['smithy.api#httpError'] as number | undefined) ?? 400;
    const query = shape.traits['aws.protocols#awsQueryError'] as { code?: string } | undefined;
    errorShapes.set(localName(id), {
      httpStatus,
      ...(query?.code ? { queryCode: query.code } : {}),
    });
  }

  const model: ServiceModel = { service, namespace, shapes, operations, errorShapes };
  cache.set(service, model);
  return model;
}

/** `com.amazonaws.ssoadmin#Foo` → `Foo`. */
export function localName(shapeId: string): string {
  const i = shapeId.indexOf('#');
  return i < 0 ? shapeId : shapeId.slice(i + 1);
}

/** Prelude shapes (`smithy.api#String` …) carry no constraints; this gives their type. */
export function resolveShape(
  shapes: Readonly<Record<string, SmithyShape>>,
  id: string,
): SmithyShape {
  const shape = shapes[id];
  if (shape) return shape;
  const prelude: Record<string, string> = {
    'smithy.api#String': 'string',
    'smithy.api#Boolean': 'boolean',
    'smithy.api#PrimitiveBoolean': 'boolean',
    'smithy.api#Integer': 'integer',
    'smithy.api#PrimitiveInteger': 'integer',
    'smithy.api#Long': 'long',
    'smithy.api#PrimitiveLong': 'long',
    'smithy.api#Timestamp': 'timestamp',
    'smithy.api#Document': 'document',
    'smithy.api#Unit': 'structure',
    'smithy.api#Blob': 'blob',
    'smithy.api#Double': 'double',
    'smithy.api#Float': 'float',
  };
  return { type: prelude[id] ?? 'document' };
}
