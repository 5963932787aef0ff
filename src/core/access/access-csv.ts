import type { AccessReport } from './access-query.js';
import { describePath } from './access-query.js';

/** Columns of the access-review CSV, in order. */
export const ACCESS_CSV_COLUMNS = [
  'okta_login',
  'okta_user_id',
  'okta_status',
  'idc_user_name',
  'idc_user_id',
  'access_type',
  'okta_group',
  'idc_group',
  'permission_set',
  'iam_role',
  'account_id',
  'account_name',
  'account_status',
  'session_duration',
  'managed_policies',
  'customer_managed_policies',
  'inline_policy',
  'permissions_boundary',
  'path',
] as const;

/**
 * One CSV line per grant (RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or
 * line break). A value starting with =, +, - or @ is prefixed with ' so that a spreadsheet opened
 * by a reviewer does not evaluate it as a formula. Lists inside a field are joined with "; ".
 */
export function accessReportCsv(report: AccessReport): string {
  const policies = new Map(report.policies.map((policy) => [policy.arn, policy]));
  const rows: string[][] = [[...ACCESS_CSV_COLUMNS]];
  for (const grant of report.grants) {
    const policy = policies.get(grant.permissionSet?.arn ?? grant.role?.arn ?? '');
    rows.push([
      grant.user.oktaLogin ?? '',
      grant.user.oktaUserId ?? '',
      grant.user.oktaStatus ?? '',
      grant.user.idcUserName ?? '',
      grant.user.idcUserId ?? '',
      grant.kind,
      grant.group?.oktaGroupName ?? '',
      grant.group?.idcGroupName ?? '',
      grant.permissionSet?.name ?? '',
      grant.role?.name ?? '',
      grant.account.id,
      grant.account.name ?? '',
      grant.account.status ?? '',
      policy?.sessionDuration ?? '',
      (policy?.managedPolicies ?? []).join('; '),
      (policy?.customerManagedPolicies ?? []).join('; '),
      policy?.inlinePolicy ?? (policy?.inlinePolicyNames ?? []).join('; '),
      policy?.permissionsBoundary ?? '',
      describePath(grant.path),
    ]);
  }
  return toCsv(rows);
}

/** Serialises rows as RFC 4180 CSV with formula neutralising; see accessReportCsv. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
