import { BadRequest } from '@org/core';
import { describe, expect, it } from 'vitest';
import { entityServiceConformance } from './conformance.ts';

const setup = () => ({ service: {} as any });

describe('entityServiceConformance options', () => {
  const cases: Array<[string, unknown, string]> = [
    ['options that are not an object', null, 'entityServiceConformance: options must be an object'],
    [
      'an unknown option',
      { setup, capability: {} },
      'entityServiceConformance: unknown option "capability" (did you mean "capabilities"?); known options: setup, setupPaginated, setupStartId, capabilities',
    ],
    [
      'a setupPaginated that is not a function',
      { setup, setupPaginated: { default: 10 } },
      'entityServiceConformance: `setupPaginated` must be a function of { default, max } returning { service }',
    ],
    [
      'a setupStartId that is not a function',
      { setup, setupStartId: 100 },
      'entityServiceConformance: `setupStartId` must be a function of startId returning { service }',
    ],
    [
      'a missing setup',
      { capabilities: {} },
      'entityServiceConformance: `setup` must be a function returning { service }',
    ],
    [
      'a misspelt capability (which would silently skip the Conflict cases)',
      { setup, capabilities: { uniqueField: ['email'] } },
      'entityServiceConformance capabilities: unknown option "uniqueField" (did you mean "uniqueFields"?); known options: idType, uniqueFields, events',
    ],
    [
      'capabilities that are not an object',
      { setup, capabilities: 'all' },
      'entityServiceConformance: `capabilities` must be an object',
    ],
    [
      'a bad idType',
      { setup, capabilities: { idType: 'uuid' } },
      'entityServiceConformance: `capabilities.idType` must be "number" or "string"',
    ],
    [
      'a unique field the suite does not create',
      { setup, capabilities: { uniqueFields: ['Email'] } },
      'entityServiceConformance: `capabilities.uniqueFields` may only list "email" and "username"',
    ],
    [
      'a non-boolean events',
      { setup, capabilities: { events: 'yes' } },
      'entityServiceConformance: `capabilities.events` must be a boolean',
    ],
  ];
  for (const [label, options, message] of cases) {
    it(`rejects ${label} before registering any test`, () => {
      const attempt = () => entityServiceConformance('bad', options as any);
      expect(attempt).toThrow(BadRequest);
      expect(attempt).toThrow(message);
      try {
        attempt();
      } catch (error) {
        expect(error).toMatchObject({ code: 400, reason: 'invalid-configuration' });
      }
    });
  }
});
