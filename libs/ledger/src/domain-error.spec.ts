import { describe, expect, it } from 'vitest';
import { DomainError } from './domain-error.js';
import { SCHEDULER_ACTOR } from './event-metadata.js';

describe('DomainError: a rule said no', () => {
  it('is an Error named DomainError, with its protocol-neutral code and its message', () => {
    const error = new DomainError('NotFound', 'Key not found');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DomainError');
    expect(error.code).toBe('NotFound');
    expect(error.message).toBe('Key not found');
    expect(String(error)).toBe('DomainError: Key not found');
  });
});

describe('the scheduler as an actor', () => {
  it('is named keyledger:scheduler in every event it causes, with no access key and no address', () => {
    expect(SCHEDULER_ACTOR).toEqual({ principal: 'keyledger:scheduler', accessKeyId: null, sourceAddress: null });
  });
});
