/**
 * The config `demo` writes into its data directory: a real config file, loaded through the same
 * loader as any other, so the user can read it and reuse it. Secrets stay references.
 */
export interface DemoConfigInputs {
  readonly oktaOrgUrl: string;
  readonly awsEndpoint: string;
  readonly awsRegion: string;
  readonly instanceArn: string;
  readonly storePath: string;
  readonly port: number;
}

export const DEMO_MAX_DELETES = 10;

export function demoConfigYaml(inputs: DemoConfigInputs): string {
  return `# Written by \`okta-aws-sync demo\`. Secrets are references to the demo's environment.
okta:
  orgUrl: ${inputs.oktaOrgUrl}
  token: \${env:OKTA_API_TOKEN}
  eventHook: { secret: '\${env:OKTA_EVENT_HOOK_SECRET}' }
  poll: { enabled: true, interval: 2s }
aws:
  region: ${inputs.awsRegion}
  endpoint: ${inputs.awsEndpoint}
  instanceArn: ${inputs.instanceArn}
  rateLimit: { ssoAdmin: 20, identityStore: 20 }
store: sqlite:${inputs.storePath}
server: { host: 127.0.0.1, port: ${inputs.port}, apiToken: '\${env:OKTA_AWS_SYNC_API_TOKEN}' }
reconcile: { fullInterval: 1h, workers: 4 }
safety:
  maxDeletes: ${DEMO_MAX_DELETES}
  protected: { accounts: [], permissionSets: [LegacyBreakGlass], principals: [] }
permissionSets:
  ReadOnly:
    description: Read-only access
    sessionDuration: PT4H
    managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
  PowerUser:
    description: Everything but IAM
    sessionDuration: PT2H
    managedPolicies: [arn:aws:iam::aws:policy/PowerUserAccess]
  Developer:
    description: Developer access in non-production accounts
    sessionDuration: PT8H
    managedPolicies: [arn:aws:iam::aws:policy/PowerUserAccess]
    inlinePolicy:
      Version: '2012-10-17'
      Statement:
        - { Effect: Deny, Action: ['iam:CreateUser', 'iam:CreateAccessKey'], Resource: '*' }
  IncidentResponder:
    description: Break-the-glass read access for incident response
    sessionDuration: PT1H
    managedPolicies: [arn:aws:iam::aws:policy/ReadOnlyAccess, arn:aws:iam::aws:policy/SecurityAudit]
  SecurityAudit:
    description: Security auditors
    sessionDuration: PT4H
    managedPolicies: [arn:aws:iam::aws:policy/SecurityAudit]
  DataEngineer:
    description: Data engineering
    sessionDuration: PT8H
    managedPolicies: [arn:aws:iam::aws:policy/job-function/DataScientist]
  PlatformAdmin:
    description: The platform team
    sessionDuration: PT1H
    managedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]
rules:
  - name: per-account-groups   # Okta "AWS Account Federation" naming: aws#<alias>#<role>#<account>
    groups: { namePattern: '^aws#(?<alias>[^#]+)#(?<permissionSet>[\\w+=,.@-]{1,32})#(?<account>\\d{12})$' }
    permissionSet: '{permissionSet}'
    accounts: ['{account}']
    assign: USER
  - name: readonly-prod
    groups: { names: [aws-readonly-prod] }
    permissionSet: ReadOnly
    accounts: { tags: { env: prod } }
    assign: GROUP
  - name: security-audit
    groups: { names: [aws-security-audit] }
    permissionSet: SecurityAudit
    accounts: { tags: { audit: 'true' } }
    assign: USER
  - name: data-engineers
    groups: { names: [aws-data-engineers] }
    permissionSet: DataEngineer
    accounts: ['555555555555']
    assign: USER
  - name: platform-admins
    groups: { names: [aws-platform-admins] }
    permissionSet: PlatformAdmin
    accounts: all
    assign: USER
`;
}
