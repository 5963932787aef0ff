import { Sha256 } from '@aws-crypto/sha256-js';
import { GetRoleCommand, ListRolesCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import {
  DescribeUserCommand,
  ListUsersCommand,
  ResourceNotFoundException as IdsNotFound,
} from '@aws-sdk/client-identitystore';
import {
  InvalidInputException,
  ListAccountsCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import {
  AccessDeniedException,
  CreateAccountAssignmentCommand,
  DeleteAccountAssignmentCommand,
  ListInstancesCommand,
  ListPermissionSetsCommand,
  SSOAdminClient,
  ThrottlingException,
} from '@aws-sdk/client-sso-admin';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoAwsScenario } from './aws-scenario.js';
import { defaultAwsCredentials, startAwsSimulator, type AwsSimulator } from './aws-simulator.js';
import { awsSdkClients, type AwsSdkClients } from './test-support/aws-sdk-clients.js';

/** Signs and sends a raw request, for the bad-input cases the SDK would never produce. */
async function rawRequest(
  sim: AwsSimulator,
  options: {
    service: string;
    headers: Record<string, string>;
    body: string;
    sign?: boolean;
    secret?: string;
  },
): Promise<{ status: number; headers: Headers; text: string }> {
  const url = new URL(sim.endpoint);
  let headers: Record<string, string> = { host: url.host, ...options.headers };
  if (options.sign !== false) {
    const signer = new SignatureV4({
      credentials: {
        accessKeyId: sim.credentials.accessKeyId,
        secretAccessKey: options.secret ?? sim.credentials.secretAccessKey,
      },
      region: 'us-east-1',
      service: options.service,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      headers,
      body: options.body,
    });
    headers = signed.headers;
  }
  const { host: _host, ...sendHeaders } = headers;
  const res = await fetch(`${sim.endpoint}/`, {
    method: 'POST',
    headers: sendHeaders,
    body: options.body,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('AWS simulator protocol, auth and robustness', () => {
  let sim: AwsSimulator;
  let aws: AwsSdkClients;

  beforeEach(async () => {
    sim = await startAwsSimulator({
      scenario: demoAwsScenario(),
      asyncLatencyMs: 20,
      behaviour: { organizationsEmptyPageProbability: 0 },
    });
    aws = awsSdkClients(sim, { maxAttempts: 1 });
  });
  afterEach(async () => {
    aws.destroy();
    await sim.close();
  });

  describe('bad input gets AWS-shaped errors, never a 500', () => {
    const json = (target: string) => ({
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
    });

    it('malformed JSON → SerializationException', async () => {
      const res = await rawRequest(sim, {
        service: 'sso',
        headers: json('SWBExternalService.ListInstances'),
        body: '{"MaxResults": ',
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('SerializationException');
      expect(JSON.parse(res.text).__type).toBe('SerializationException');
      expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('a JSON type mismatch → SerializationException', async () => {
      const res = await rawRequest(sim, {
        service: 'sso',
        headers: json('SWBExternalService.ListInstances'),
        body: '{"MaxResults":"ten"}',
      });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).__type).toBe('SerializationException');
    });

    it('wrong Content-Type → SerializationException', async () => {
      const res = await rawRequest(sim, {
        service: 'sso',
        headers: {
          'content-type': 'text/plain',
          'x-amz-target': 'SWBExternalService.ListInstances',
        },
        body: '{}',
      });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).__type).toBe('SerializationException');
    });

    it('unknown target → UnknownOperationException', async () => {
      for (const target of [
        'SWBExternalService.DoesNotExist',
        'NoSuchService.ListThings',
        'SWBExternalService.constructor',
      ]) {
        const res = await rawRequest(sim, { service: 'sso', headers: json(target), body: '{}' });
        expect(res.status).toBe(400);
        expect(JSON.parse(res.text).__type).toBe('UnknownOperationException');
      }
    });

    it('unknown IAM action → XML InvalidAction', async () => {
      const res = await rawRequest(sim, {
        service: 'iam',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=DeleteEverything&Version=2010-05-08',
      });
      expect(res.status).toBe(400);
      expect(res.text).toContain('<Code>InvalidAction</Code>');
      expect(res.text).toContain(
        '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">',
      );
    });

    it('a request with neither target nor action → UnknownOperationException', async () => {
      const res = await rawRequest(sim, {
        service: 'sso',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).__type).toBe('UnknownOperationException');
    });

    it('oversized body → 413 RequestEntityTooLargeException', async () => {
      const res = await rawRequest(sim, {
        service: 'sso',
        headers: json('SWBExternalService.ListInstances'),
        body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) }),
        sign: false,
      });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.text).__type).toBe('RequestEntityTooLargeException');
    });

    it('missing signature → MissingAuthenticationTokenException; IAM → MissingAuthenticationToken', async () => {
      const res = await rawRequest(sim, {
        service: 'sso',
        headers: json('SWBExternalService.ListInstances'),
        body: '{}',
        sign: false,
      });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).__type).toBe('MissingAuthenticationTokenException');
      const iam = await rawRequest(sim, {
        service: 'iam',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=ListRoles&Version=2010-05-08',
        sign: false,
      });
      expect(iam.status).toBe(403);
      expect(iam.text).toContain('<Code>MissingAuthenticationToken</Code>');
    });

    it('the simulator keeps serving after all of the above', async () => {
      await rawRequest(sim, {
        service: 'sso',
        headers: json('SWBExternalService.ListInstances'),
        body: '\u0000\u0001',
      });
      const out = await aws.ssoAdmin.send(new ListInstancesCommand({}));
      expect(out.Instances?.[0]?.InstanceArn).toBe(sim.instanceArn);
    });
  });

  describe('authentication', () => {
    it('unknown access keys → UnrecognizedClientException (JSON) and InvalidClientTokenId (IAM)', async () => {
      const stranger = awsSdkClients(sim, {
        maxAttempts: 1,
        credentials: { accessKeyId: 'AKIASTRANGER00000000', secretAccessKey: 'x'.repeat(40) },
      });
      await expect(stranger.ssoAdmin.send(new ListInstancesCommand({}))).rejects.toMatchObject({
        name: 'UnrecognizedClientException',
        $metadata: { httpStatusCode: 400 },
      });
      await expect(stranger.iam.send(new ListRolesCommand({}))).rejects.toMatchObject({
        name: 'InvalidClientTokenId',
        $metadata: { httpStatusCode: 403 },
      });
      stranger.destroy();
    });

    it('a wrong secret for a known key fails signature verification', async () => {
      const forged = awsSdkClients(sim, {
        maxAttempts: 1,
        credentials: {
          accessKeyId: sim.credentials.accessKeyId,
          secretAccessKey: 'not-the-secret',
        },
      });
      await expect(forged.ssoAdmin.send(new ListInstancesCommand({}))).rejects.toMatchObject({
        name: 'InvalidSignatureException',
      });
      await expect(forged.iam.send(new ListRolesCommand({}))).rejects.toMatchObject({
        name: 'SignatureDoesNotMatch',
      });
      forged.destroy();
    });

    it('a body altered after signing fails verification', async () => {
      const url = new URL(sim.endpoint);
      const signer = new SignatureV4({
        credentials: sim.credentials,
        region: 'us-east-1',
        service: 'sso',
        sha256: Sha256,
      });
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: {},
        headers: {
          host: url.host,
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'SWBExternalService.ListInstances',
        },
        body: '{}',
      });
      const { host: _h, ...headers } = signed.headers as Record<string, string>;
      const res = await fetch(`${sim.endpoint}/`, {
        method: 'POST',
        headers,
        body: '{"MaxResults":1}',
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    });

    it('a credential scoped to another service is rejected', async () => {
      const res = await rawRequest(sim, {
        service: 'iam',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'SWBExternalService.ListInstances',
        },
        body: '{}',
      });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).Message).toBe(
        "Credential should be scoped to correct service: 'sso'.",
      );
    });

    it('the default credentials are the documented example pair', () => {
      if (!process.env.AWS_ACCESS_KEY_ID) expect(sim.credentials).toEqual(defaultAwsCredentials);
      expect(sim.credentials.accessKeyId.length).toBeGreaterThan(0);
    });

    it('STS AssumeRole into a member account: IAM acts on that account, GetCallerIdentity reports the session', async () => {
      const mgmtIdentity = await aws.sts.send(new GetCallerIdentityCommand({}));
      expect(mgmtIdentity.Account).toBe(sim.managementAccountId);
      const assumed = await aws.sts.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::444444444444:role/OrganizationAccountAccessRole',
          RoleSessionName: 'okta-aws-sync',
          DurationSeconds: 900,
        }),
      );
      expect(assumed.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
      expect(assumed.Credentials?.Expiration).toBeInstanceOf(Date);
      expect(assumed.AssumedRoleUser?.Arn).toBe(
        'arn:aws:sts::444444444444:assumed-role/OrganizationAccountAccessRole/okta-aws-sync',
      );
      const member = awsSdkClients(sim, {
        maxAttempts: 1,
        credentials: {
          accessKeyId: assumed.Credentials!.AccessKeyId!,
          secretAccessKey: assumed.Credentials!.SecretAccessKey!,
          sessionToken: assumed.Credentials!.SessionToken!,
        },
      });
      const who = await member.sts.send(new GetCallerIdentityCommand({}));
      expect(who).toMatchObject({
        Account: '444444444444',
        Arn: 'arn:aws:sts::444444444444:assumed-role/OrganizationAccountAccessRole/okta-aws-sync',
      });
      const roles = (await member.iam.send(new ListRolesCommand({})))
        .Roles!.map((r) => r.RoleName)
        .sort();
      expect(roles).toEqual(['Okta-Staging-Developer', 'OrganizationAccountAccessRole']);
      const federated = (
        await member.iam.send(new GetRoleCommand({ RoleName: 'Okta-Staging-Developer' }))
      ).Role!;
      // Trust policies come back URL-encoded, as AWS sends them.
      expect(federated.AssumeRolePolicyDocument).toMatch(/^%7B%22Version%22/);
      expect(
        JSON.parse(decodeURIComponent(federated.AssumeRolePolicyDocument!)).Statement[0].Principal
          .Federated,
      ).toBe('arn:aws:iam::444444444444:saml-provider/Okta');
      // The management account's IAM is a different one.
      await expect(
        aws.iam.send(new GetRoleCommand({ RoleName: 'Okta-Staging-Developer' })),
      ).rejects.toBeInstanceOf(NoSuchEntityException);
      // Member-account sessions may not administer Identity Center.
      await expect(member.ssoAdmin.send(new ListInstancesCommand({}))).rejects.toBeInstanceOf(
        AccessDeniedException,
      );
      // A session without its token is not accepted.
      const tokenless = new SSOAdminClient({
        endpoint: sim.endpoint,
        region: sim.region,
        maxAttempts: 1,
        credentials: {
          accessKeyId: assumed.Credentials!.AccessKeyId!,
          secretAccessKey: assumed.Credentials!.SecretAccessKey!,
        },
      });
      await expect(tokenless.send(new ListInstancesCommand({}))).rejects.toMatchObject({
        name: 'UnrecognizedClientException',
      });
      tokenless.destroy();
      member.destroy();
    });

    it('AssumeRole is denied for roles that do not trust the caller or do not exist', async () => {
      await expect(
        aws.sts.send(
          new AssumeRoleCommand({
            RoleArn: 'arn:aws:iam::444444444444:role/Okta-Staging-Developer',
            RoleSessionName: 's1',
          }),
        ),
      ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      await expect(
        aws.sts.send(
          new AssumeRoleCommand({
            RoleArn: 'arn:aws:iam::444444444444:role/Nope',
            RoleSessionName: 's1',
          }),
        ),
      ).rejects.toMatchObject({ name: 'AccessDenied' });
      await expect(
        aws.sts.send(
          new AssumeRoleCommand({
            RoleArn: 'arn:aws:iam::444444444444:role/OrganizationAccountAccessRole',
            RoleSessionName: 'x',
          }),
        ),
      ).rejects.toMatchObject({ name: 'ValidationError' });
    });
  });

  describe('errors, tokens and pages', () => {
    it('identitystore ResourceNotFound carries ResourceType and ResourceId; status is 400 by default, 404 with model codes', async () => {
      const missing = `${sim.identityStoreId.slice(2)}-00000000-0000-4000-8000-000000000000`;
      const error = await aws.identityStore
        .send(new DescribeUserCommand({ IdentityStoreId: sim.identityStoreId, UserId: missing }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdsNotFound);
      expect(error).toMatchObject({
        ResourceType: 'USER',
        ResourceId: missing,
        $metadata: { httpStatusCode: 400 },
      });
      sim.control.setBehaviour({ useModelStatusCodes: true });
      await expect(
        aws.identityStore.send(
          new DescribeUserCommand({ IdentityStoreId: sim.identityStoreId, UserId: missing }),
        ),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    });

    it('a forged NextToken is a ValidationException; Organizations answers InvalidInputException', async () => {
      await expect(
        aws.ssoAdmin.send(
          new ListPermissionSetsCommand({
            InstanceArn: sim.instanceArn,
            NextToken: 'Zm9yZ2VkLXRva2VuLXRoYXQtaXMtbG9uZw',
          }),
        ),
      ).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(
        aws.identityStore.send(
          new ListUsersCommand({ IdentityStoreId: sim.identityStoreId, NextToken: 'Zm9yZ2Vk' }),
        ),
      ).rejects.toMatchObject({ name: 'ValidationException' });
      const orgError = await aws.organizations
        .send(new ListAccountsCommand({ NextToken: 'Zm9yZ2VkLXRva2Vu' }))
        .catch((e: unknown) => e);
      expect(orgError).toBeInstanceOf(InvalidInputException);
      expect((orgError as InvalidInputException).Reason).toBe('INVALID_PAGINATION_TOKEN');
      // A real token from one listing does not work on another.
      const page = await aws.ssoAdmin.send(
        new ListPermissionSetsCommand({ InstanceArn: sim.instanceArn, MaxResults: 1 }),
      );
      expect(page.NextToken).toBeDefined();
      await expect(
        aws.identityStore.send(
          new ListUsersCommand({ IdentityStoreId: sim.identityStoreId, NextToken: page.NextToken }),
        ),
      ).rejects.toMatchObject({ name: 'ValidationException' });
    });

    it('Organizations pages hold at most 20 and may be empty while carrying a NextToken', async () => {
      const outOfRange = await aws.organizations
        .send(new ListAccountsCommand({ MaxResults: 21 }))
        .catch((e: unknown) => e);
      expect(outOfRange).toMatchObject({ name: 'ValidationException' });
      sim.control.setBehaviour({ organizationsEmptyPageProbability: 1 });
      const empty = await aws.organizations.send(new ListAccountsCommand({}));
      expect(empty.Accounts).toEqual([]);
      expect(empty.NextToken).toBeDefined();
      sim.control.setBehaviour({ organizationsEmptyPageProbability: 0 });
      const next = await aws.organizations.send(
        new ListAccountsCommand({ NextToken: empty.NextToken }),
      );
      expect(next.Accounts).toHaveLength(6);
      expect(next.NextToken).toBeUndefined();
    });
  });

  describe('throttling', () => {
    it('with retries off, ThrottlingException "Rate exceeded" surfaces once the bucket is empty', async () => {
      sim.control.setQuotas({ ratePerSecond: { 'sso-admin': 0.001 }, burst: 2 });
      await aws.ssoAdmin.send(new ListInstancesCommand({}));
      await aws.ssoAdmin.send(new ListInstancesCommand({}));
      const error = await aws.ssoAdmin.send(new ListInstancesCommand({})).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ThrottlingException);
      expect((error as Error).message).toBe('Rate exceeded');
      // Buckets are per service: identitystore still has its budget.
      const users = await aws.identityStore.send(
        new ListUsersCommand({ IdentityStoreId: sim.identityStoreId }),
      );
      expect(users.Users).toHaveLength(3);
      expect(sim.control.calls().errors['sso-admin:ListInstances:ThrottlingException']).toBe(1);
    });

    it('Organizations throttles with TooManyRequestsException, IAM with Throttling', async () => {
      sim.control.setFaults({
        organizations: { throttleProbability: 1 },
        iam: { throttleProbability: 1 },
      });
      await expect(aws.organizations.send(new ListAccountsCommand({}))).rejects.toBeInstanceOf(
        TooManyRequestsException,
      );
      await expect(aws.iam.send(new ListRolesCommand({}))).rejects.toMatchObject({
        name: 'Throttling',
        message: 'Rate exceeded',
      });
    });

    it('SDK retries ride out throttling', async () => {
      // Every other call is throttled by the seeded fault; the SDK's default 3 attempts get through.
      sim.control.setFaults({ 'sso-admin:ListInstances': { throttleProbability: 0.5 } });
      const retrying = awsSdkClients(sim);
      for (let i = 0; i < 4; i++) {
        const out = await retrying.ssoAdmin.send(new ListInstancesCommand({}));
        expect(out.Instances).toHaveLength(1);
      }
      const calls = sim.control.calls();
      expect(calls.counts['sso-admin:ListInstances']).toBeGreaterThan(4);
      expect(calls.errors['sso-admin:ListInstances:ThrottlingException']).toBe(
        calls.counts['sso-admin:ListInstances']! - 4,
      );
      retrying.destroy();
    });

    it('5xx faults are InternalServerException with status 500', async () => {
      sim.control.setFaults({ '*': { serverErrorProbability: 1 } });
      await expect(aws.ssoAdmin.send(new ListInstancesCommand({}))).rejects.toMatchObject({
        name: 'InternalServerException',
        $metadata: { httpStatusCode: 500 },
      });
      await expect(aws.iam.send(new ListRolesCommand({}))).rejects.toMatchObject({
        name: 'ServiceFailureException',
        $metadata: { httpStatusCode: 500 },
      });
    });
  });

  describe('control API over HTTP', () => {
    const control = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${sim.endpoint}/_sim/${path}`, {
        method,
        ...(body !== undefined
          ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
          : {}),
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- control responses are read ad hoc per test
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };

    it('sets faults, counts calls, resets the log and dumps state', async () => {
      expect(
        (
          await control('PUT', 'faults', {
            'sso-admin:ListInstances': { serverErrorProbability: 1 },
          })
        ).status,
      ).toBe(200);
      await expect(aws.ssoAdmin.send(new ListInstancesCommand({}))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 500 },
      });
      expect((await control('GET', 'faults')).body).toEqual({
        'sso-admin:ListInstances': { serverErrorProbability: 1 },
      });
      const calls = (await control('GET', 'calls')).body;
      expect(calls.counts['sso-admin:ListInstances']).toBe(1);
      expect(calls.entries.at(-1)).toMatchObject({
        service: 'sso-admin',
        operation: 'ListInstances',
        status: 500,
        errorCode: 'InternalServerException',
      });
      await control('POST', 'calls/reset');
      expect((await control('GET', 'calls')).body.total).toBe(0);
      const state = (await control('GET', 'state')).body;
      expect(state.instanceArn).toBe(sim.instanceArn);
      expect(state.assignments).toHaveLength(4);
      expect(state.iam['222222222222'].roles.map((r: { name: string }) => r.name)).toContain(
        'OrganizationAccountAccessRole',
      );
    });

    it('records each assignment request with when it was accepted and when it completed', async () => {
      sim.control.setAsyncLatency(60_000);
      const state = sim.control.dumpState();
      const existing = state.assignments[0]!;
      const user = state.identityStore.users.find(
        (u) =>
          !state.assignments.some(
            (a) => a.principalId === u.UserId && a.permissionSetArn === existing.permissionSetArn,
          ),
      )!.UserId as string;
      const before = Date.now();
      const created = await aws.ssoAdmin.send(
        new CreateAccountAssignmentCommand({
          InstanceArn: sim.instanceArn,
          TargetId: existing.accountId,
          TargetType: 'AWS_ACCOUNT',
          PermissionSetArn: existing.permissionSetArn,
          PrincipalType: 'USER',
          PrincipalId: user,
        }),
      );
      const requestId = created.AccountAssignmentCreationStatus!.RequestId!;
      const pending = (await control('GET', 'assignment-requests')).body as unknown as Record<
        string,
        unknown
      >[];
      const record = pending.find((r) => r.requestId === requestId)!;
      expect(record).toMatchObject({
        kind: 'create',
        status: 'IN_PROGRESS',
        completedAt: null,
        accountId: existing.accountId,
        permissionSetArn: existing.permissionSetArn,
        principalType: 'USER',
        principalId: user,
      });
      expect(record.createdAt).toBeGreaterThanOrEqual(before);

      sim.control.setAsyncLatency(0);
      const deleted = await aws.ssoAdmin.send(
        new DeleteAccountAssignmentCommand({
          InstanceArn: sim.instanceArn,
          TargetId: existing.accountId,
          TargetType: 'AWS_ACCOUNT',
          PermissionSetArn: existing.permissionSetArn,
          PrincipalType: existing.principalType,
          PrincipalId: existing.principalId,
        }),
      );
      const deletion = sim.control
        .assignmentRequests()
        .find((r) => r.requestId === deleted.AccountAssignmentDeletionStatus!.RequestId)!;
      // Latency 0: done the moment it was accepted, and the creation above is still pending.
      expect(deletion).toMatchObject({ kind: 'delete', status: 'SUCCEEDED' });
      expect(deletion.completedAt).toBe(deletion.createdAt);
      expect(sim.control.assignmentRequests().find((r) => r.requestId === requestId)).toMatchObject(
        { status: 'IN_PROGRESS', completedAt: null },
      );
    });

    it('mutates state out of band as an administrator would', async () => {
      const state = sim.control.dumpState();
      const a = state.assignments.find((x) => x.accountId === '555555555555')!;
      expect((await control('POST', 'admin/delete-assignment', a)).body).toEqual({ deleted: true });
      const after = sim.control.dumpState();
      expect(after.assignments).toHaveLength(3);
      // The last assignment of the pair went, so did the reserved role.
      expect(
        after.iam['555555555555']!.roles.filter((r) => r.name.startsWith('AWSReservedSSO_')),
      ).toEqual([]);
      const readOnly = state.permissionSets.find((p) => p.name === 'ReadOnly')!.arn;
      await control('POST', 'admin/set-inline-policy', {
        permissionSetArn: readOnly,
        policy: { Version: '2012-10-17', Statement: [] },
      });
      expect(
        sim.control
          .dumpState()
          .provisioned.filter((p) => p.permissionSetArn === readOnly)
          .map((p) => p.status),
      ).toEqual(['LATEST_PERMISSION_SET_NOT_PROVISIONED', 'LATEST_PERMISSION_SET_NOT_PROVISIONED']);
      await control('POST', 'admin/set-account-status', {
        accountId: '222222222222',
        status: 'SUSPENDED',
      });
      const accounts = (await aws.organizations.send(new ListAccountsCommand({}))).Accounts!;
      expect(accounts.find((x) => x.Id === '222222222222')?.Status).toBe('SUSPENDED');
      const pushed = (
        await control('POST', 'admin/push-user', {
          userName: 'erin@example.com',
          externalId: '00u1erin0000000000005',
        })
      ).body.userId as string;
      const described = await aws.identityStore.send(
        new DescribeUserCommand({ IdentityStoreId: sim.identityStoreId, UserId: pushed }),
      );
      expect(described.ExternalIds).toEqual([
        { Issuer: 'scim.okta.com', Id: '00u1erin0000000000005' },
      ]);
      expect((await control('POST', 'admin/no-such-thing', {})).status).toBe(404);
    });
  });
});
