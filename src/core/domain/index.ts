export * from './ids.js';
export * from './organizations.js';
export * from './identity-center.js';
export * from './iam.js';
export * from './okta.js';
export * from './assignment-key.js';
