import { describe, expect, it } from 'vitest';
import { loadOktaOpenApiValidator } from './openapi-validator.js';

describe('loadOktaOpenApiValidator', () => {
  const spec = loadOktaOpenApiValidator();
  const group = {
    id: '00g1',
    created: '2026-01-01T00:00:00.000Z',
    lastUpdated: '2026-01-01T00:00:00.000Z',
    lastMembershipUpdated: '2026-01-01T00:00:00.000Z',
    objectClass: ['okta:user_group'],
    type: 'OKTA_GROUP',
    profile: { name: 'n', description: 'd' },
    _links: { self: { href: 'http://x/api/v1/groups/00g1' } },
  };

  it('accepts a well-formed group and rejects wrong enums, types and dates', () => {
    expect(spec.validateResponse('GET', '/api/v1/groups/{groupId}', 200, group)).toEqual([]);
    expect(
      spec
        .validateResponse('GET', '/api/v1/groups/{groupId}', 200, { ...group, type: 'NOPE' })
        .join(),
    ).toContain('NOPE');
    expect(
      spec.validateResponse('GET', '/api/v1/groups', 200, [{ ...group, objectClass: 'x' }]).join(),
    ).toContain('expected array');
    expect(
      spec
        .validateResponse('GET', '/api/v1/groups/{groupId}', 200, {
          ...group,
          created: 'yesterday',
        })
        .join(),
    ).toContain('date-time');
  });

  it('reports operations and statuses the spec does not declare', () => {
    expect(spec.validateResponse('PATCH', '/api/v1/groups', 200, {})).toHaveLength(1);
    expect(spec.validateResponse('GET', '/api/v1/nothing', 200, {})).toHaveLength(1);
    expect(spec.validateSchema('NoSuchSchema', {})).toHaveLength(1);
  });

  it('checks required properties', () => {
    expect(spec.validateSchema('EventHook', { name: 'x' }).join()).toContain(
      'missing required property events',
    );
  });
});
