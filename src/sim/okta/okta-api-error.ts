import { randomBytes } from 'node:crypto';
import { oktaErrorCatalog } from './okta-reference.js';

/** The Okta error body (`Error` schema of the management spec). */
export interface OktaErrorBody {
  errorCode: string;
  errorSummary: string;
  errorLink: string;
  errorId: string;
  errorCauses: { errorSummary: string }[];
}

/**
 * A client-visible Okta error. The status and summary come from Okta's catalog; `detail` fills the
 * catalog's `{0}` placeholder for codes whose summary includes the exception message.
 */
export class OktaApiError extends Error {
  readonly status: number;
  readonly body: OktaErrorBody;

  constructor(errorCode: string, detail?: string, causes: readonly string[] = []) {
    const entry = oktaErrorCatalog().get(errorCode);
    const template = entry?.errorSummary ?? errorCode;
    const summary = template.includes('{0}') ? template.replace('{0}', detail ?? '') : template;
    super(summary);
    this.status = entry?.statusCode ?? 400;
    this.body = {
      errorCode,
      errorSummary: summary,
      errorLink: errorCode,
      errorId: `oae${randomBytes(11).toString('base64url').slice(0, 19)}`,
      errorCauses: causes.map((c) => ({ errorSummary: c })),
    };
  }
}

/** 404 E0000007 for a missing resource, phrased as Okta does (`Resource not found: id (Type)`). */
export function notFound(id: string, type: string): OktaApiError {
  return new OktaApiError('E0000007', `Resource not found: ${id} (${type})`);
}

/** 400 E0000001 with one errorCause per failed rule. */
export function validationFailed(field: string, ...causes: string[]): OktaApiError {
  return new OktaApiError('E0000001', field, causes.length > 0 ? causes : [field]);
}
