import { describe, expect, it } from 'vitest';
import { fieldName } from './serverErrors';

describe('fieldName', () => {
  it('maps pointers and prefixed names to form fields', () => {
    expect(fieldName('/email')).toBe('email');
    expect(fieldName('/scopes/0')).toBe('scopes');
    expect(fieldName('body.name')).toBe('name');
    expect(fieldName('query.actor')).toBe('actor');
    expect(fieldName('role')).toBe('role');
  });
});
