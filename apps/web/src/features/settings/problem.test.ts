import { ApiError } from '@dolly/api-client';
import { describe, expect, it } from 'vitest';
import { errorMessage, fieldErrors } from './problem.ts';

describe('field errors from problem+json', () => {
  const problem = {
    title: 'Validation failed',
    status: 400,
    errors: [
      { path: 'body.credentials.accessKeyId', message: 'Too small: expected string to have >=16 characters' },
      { path: 'body.settings.regions.0', message: 'Invalid input' },
      { path: 'body.name', message: 'Required' },
      { path: 'body.name', message: 'Too long' },
      { path: 'body.color', message: 'Unknown key' },
    ],
  };

  it('maps each path to the deepest field that owns it, without the body. prefix', () => {
    const { byPath, unclaimed } = fieldErrors(problem, [
      'name',
      'credentials',
      'credentials.accessKeyId',
      'settings.regions',
    ]);
    expect(byPath).toEqual({
      'credentials.accessKeyId': 'Too small: expected string to have >=16 characters',
      'settings.regions': 'Invalid input',
      name: 'Required; Too long',
    });
    expect(unclaimed).toEqual(['color: Unknown key']);
  });

  it('is empty without a problem', () => {
    expect(fieldErrors(undefined, ['name'])).toEqual({ byPath: {}, unclaimed: [] });
  });
});

describe('error messages', () => {
  it('prefer the detail of the problem', () => {
    expect(errorMessage(new ApiError(409, { title: 'Conflict', status: 409, detail: 'name taken' }))).toBe(
      'name taken',
    );
    expect(errorMessage(new ApiError(403, { title: 'Forbidden', status: 403 }))).toBe('Forbidden');
  });

  it('say when the API was not reached', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toBe(
      "Could not reach Dolly's API: Failed to fetch",
    );
  });
});
