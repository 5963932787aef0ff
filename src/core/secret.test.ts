import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from './secret.js';

describe('Secret', () => {
  const secret = new Secret('s3cr3t-value', 'env:OKTA_API_TOKEN');

  it('reveals its value only through reveal()', () => {
    expect(secret.reveal()).toBe('s3cr3t-value');
    expect(secret.source).toBe('env:OKTA_API_TOKEN');
  });

  it('never shows the value when stringified, serialised or inspected', () => {
    const renderings = [
      String(secret),
      // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- the point of the test
      `${secret}`,
      JSON.stringify({ token: secret }),
      inspect(secret),
      inspect({ nested: { token: secret } }, { depth: 5, showHidden: true }),
      Object.keys(secret).join(','),
    ];
    for (const text of renderings) expect(text).not.toContain('s3cr3t-value');
    expect(JSON.stringify({ token: secret })).toBe(
      '{"token":"[redacted secret from env:OKTA_API_TOKEN]"}',
    );
    expect(inspect(secret)).toBe('Secret([redacted secret from env:OKTA_API_TOKEN])');
  });
});
