import type { RoleTrust } from '../domain/iam.js';

/** A one-line description of a role's trust, for tables and CSV. */
export function describeTrust(trust: RoleTrust): string {
  switch (trust.kind) {
    case 'saml-federation':
      return `SAML: ${trust.samlProviderArns.join(', ')}`;
    case 'identity-center':
      return `Identity Center permission set ${trust.permissionSetName}`;
    case 'service':
      return `services: ${trust.services.join(', ')}`;
    case 'other':
      return trust.principals.length > 0
        ? `principals: ${trust.principals.join(', ')}`
        : 'no principals';
  }
}
