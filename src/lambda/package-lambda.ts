/**
 * `lambda package`: one esbuild bundle of the handler (ESM, tree-shaken, minified), a
 * `function.zip` holding it as `index.mjs`, and a CloudFormation template. The zip is written
 * here (stored central directory, deflated entry via node:zlib) rather than with a dependency.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { generateIamPolicy } from '../core/iam-policy/generate-iam-policy.js';

/** AWS Lambda's practical budget for this artefact: the zipped bundle stays under 5 MB. */
export const ZIP_BUDGET_BYTES = 5 * 1024 * 1024;

export interface PackageLambdaOptions {
  readonly outDir: string;
}

export interface PackageLambdaResult {
  readonly bundlePath: string;
  readonly bundleBytes: number;
  readonly zipPath: string;
  readonly zipBytes: number;
  readonly zipBudgetBytes: number;
  readonly templatePath: string;
}

/** The repository root: the nearest directory above this module that holds package.json. */
async function repoRoot(): Promise<string> {
  let dir = path.dirname(new URL(import.meta.url).pathname);
  for (;;) {
    try {
      await stat(path.join(dir, 'package.json'));
      return dir;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) throw new Error('package.json not found above the lambda module');
      dir = parent;
    }
  }
}

/** Builds the bundle, the zip and the template into `outDir`. Fails when the zip is over budget. */
export async function packageLambda(options: PackageLambdaOptions): Promise<PackageLambdaResult> {
  const root = await repoRoot();
  const outDir = path.resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const bundlePath = path.join(outDir, 'index.mjs');
  // Loaded on demand: esbuild is a build tool, not part of the CLI's start-up path.
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [path.join(root, 'src/lambda/handler.ts')],
    outfile: bundlePath,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    treeShaking: true,
    legalComments: 'none',
    logLevel: 'silent',
    // CommonJS dependencies call require(); ESM output needs one.
    banner: {
      js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
    },
    // Optional native drivers that are never used in Lambda (pg's native mode).
    external: ['pg-native'],
  });
  const bundle = await readFile(bundlePath);
  const zip = zipSingleFile('index.mjs', bundle);
  const zipPath = path.join(outDir, 'function.zip');
  await writeFile(zipPath, zip);
  if (zip.length >= ZIP_BUDGET_BYTES)
    throw new Error(`function.zip is ${zip.length} bytes, over the ${ZIP_BUDGET_BYTES} budget`);
  const templatePath = path.join(outDir, 'template.json');
  await writeFile(templatePath, `${JSON.stringify(lambdaTemplate(), null, 2)}\n`);
  return {
    bundlePath,
    bundleBytes: bundle.length,
    zipPath,
    zipBytes: zip.length,
    zipBudgetBytes: ZIP_BUDGET_BYTES,
    templatePath,
  };
}

/** A zip archive with one deflated file (PKWARE APPNOTE: local header, data, central directory). */
export function zipSingleFile(name: string, data: Buffer): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const compressed = deflateRawSync(data, { level: 9 });
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt32LE(0, 10); // time/date
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(compressed.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(0x0314, 4); // made by: unix, 2.0
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(0, 12);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(compressed.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  central.writeUInt32LE(0, 30); // extra + comment length
  central.writeUInt32LE(0, 34); // disk + internal attributes
  central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // external attributes: regular file 0644
  central.writeUInt32LE(0, 42); // local header offset
  const centralOffset = local.length + nameBytes.length + compressed.length;
  const centralSize = central.length + nameBytes.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, nameBytes, compressed, central, nameBytes, end]);
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Wraps every string holding `${Param}` placeholders in Fn::Sub. */
function substitute(value: Json, variables: Record<string, Json>): Json {
  if (typeof value === 'string')
    return value.includes('${') ? { 'Fn::Sub': [value, variables] } : value;
  if (Array.isArray(value)) return value.map((v) => substitute(v, variables));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, variables)]));
  return value;
}

/**
 * The CloudFormation template: the function (code from S3), its execution role carrying the
 * generated `full` policy scoped to the InstanceArn parameter, and an optional schedule that
 * invokes `{"action":"Reconcile"}`. The store URL and the Okta token come from Secrets Manager
 * through dynamic references resolved at deploy time; the template never holds a literal secret.
 */
export function lambdaTemplate(): Record<string, Json> {
  const policy = generateIamPolicy({
    mode: 'full',
    instanceArn: '${InstanceArn}',
    identityStoreId: '${IdentityStoreId}',
    managementAccountId: '${AWS::AccountId}',
    memberRoleName: '${MemberRoleName}',
  }) as unknown as Json;
  // The permission-set resource needs the instance id, the last segment of the instance ARN.
  const scopedPolicy = JSON.parse(
    JSON.stringify(policy).replaceAll(
      'permissionSet/${InstanceArn}',
      'permissionSet/${InstanceId}',
    ),
  ) as Json;
  const instanceId = { 'Fn::Select': [1, { 'Fn::Split': ['/', { Ref: 'InstanceArn' }] }] };
  const config = {
    okta: { orgUrl: '${OktaOrgUrl}', token: '${!env:OKTA_API_TOKEN}' },
    aws: { instanceArn: '${InstanceArn}' },
    store: '${!env:OKTA_AWS_SYNC_STORE_URL}',
  };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'okta-aws-sync Lambda: one handler, least-privilege role, optional reconcile schedule',
    Parameters: {
      CodeS3Bucket: { Type: 'String', Description: 'Bucket holding function.zip' },
      CodeS3Key: { Type: 'String', Default: 'okta-aws-sync/function.zip' },
      InstanceArn: {
        Type: 'String',
        AllowedPattern: '^arn:aws[\\w-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$',
      },
      IdentityStoreId: { Type: 'String', AllowedPattern: '^d-[0-9a-f]{10}$|^[0-9a-f-]{36}$' },
      MemberRoleName: { Type: 'String', Default: 'OrganizationAccountAccessRole' },
      OktaOrgUrl: { Type: 'String' },
      OktaTokenSecretArn: {
        Type: 'String',
        Description: 'Secrets Manager secret holding the Okta API token',
      },
      StoreUrlSecretArn: {
        Type: 'String',
        Description: 'Secrets Manager secret holding the PostgreSQL URL of the store',
      },
      ReconcileSchedule: {
        Type: 'String',
        Default: '',
        Description:
          'EventBridge schedule for the periodic Reconcile, e.g. rate(1 hour); empty for none',
      },
    },
    Conditions: {
      HasSchedule: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ReconcileSchedule' }, ''] }] },
    },
    Resources: {
      ExecutionRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'lambda.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          },
          ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
          Policies: [
            {
              PolicyName: 'okta-aws-sync',
              PolicyDocument: substitute(scopedPolicy, { InstanceId: instanceId }),
            },
          ],
        },
      },
      Function: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Code: { S3Bucket: { Ref: 'CodeS3Bucket' }, S3Key: { Ref: 'CodeS3Key' } },
          Role: { 'Fn::GetAtt': ['ExecutionRole', 'Arn'] },
          Timeout: 900,
          MemorySize: 512,
          Environment: {
            Variables: {
              OKTA_AWS_SYNC_CONFIG: { 'Fn::Sub': JSON.stringify(config) },
              OKTA_API_TOKEN: {
                'Fn::Sub': '{{resolve:secretsmanager:${OktaTokenSecretArn}:SecretString}}',
              },
              OKTA_AWS_SYNC_STORE_URL: {
                'Fn::Sub': '{{resolve:secretsmanager:${StoreUrlSecretArn}:SecretString}}',
              },
            },
          },
        },
      },
      ReconcileRule: {
        Type: 'AWS::Events::Rule',
        Condition: 'HasSchedule',
        Properties: {
          ScheduleExpression: { Ref: 'ReconcileSchedule' },
          Targets: [
            {
              Id: 'reconcile',
              Arn: { 'Fn::GetAtt': ['Function', 'Arn'] },
              Input: JSON.stringify({ action: 'Reconcile', failOnError: true }),
            },
          ],
        },
      },
      ReconcilePermission: {
        Type: 'AWS::Lambda::Permission',
        Condition: 'HasSchedule',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: { Ref: 'Function' },
          Principal: 'events.amazonaws.com',
          SourceArn: { 'Fn::GetAtt': ['ReconcileRule', 'Arn'] },
        },
      },
    },
    Outputs: {
      FunctionArn: { Value: { 'Fn::GetAtt': ['Function', 'Arn'] } },
      ExecutionRoleArn: { Value: { 'Fn::GetAtt': ['ExecutionRole', 'Arn'] } },
    },
  };
}
