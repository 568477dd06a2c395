import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter } from './auth-failure-limiter.js';

describe('AuthFailureLimiter', () => {
  it('admits the first failure of a minute per access key id and source, and counts the rest into the next', () => {
    let now = 0;
    const limiter = new AuthFailureLimiter(() => now);
    expect(limiter.admit('AKIA1', '10.0.0.1')).toEqual({ suppressed: 0 });
    for (let i = 0; i < 5; i++) expect(limiter.admit('AKIA1', '10.0.0.1')).toBeUndefined();
    // Another caller, or the same one from another source, is its own.
    expect(limiter.admit('AKIA2', '10.0.0.1')).toEqual({ suppressed: 0 });
    expect(limiter.admit('AKIA1', '10.0.0.2')).toEqual({ suppressed: 0 });
    now = 59_999;
    expect(limiter.admit('AKIA1', '10.0.0.1')).toBeUndefined();
    now = 60_000;
    expect(limiter.admit('AKIA1', '10.0.0.1')).toEqual({ suppressed: 6 });
    expect(limiter.admit(undefined, '10.0.0.1')).toEqual({ suppressed: 0 });
  });

  it('admits at most 100 a minute in all, whatever the access key ids, and says how many it left out', () => {
    let now = 0;
    const limiter = new AuthFailureLimiter(() => now);
    let admitted = 0;
    for (let i = 0; i < 1_000; i++) if (limiter.admit(`AKIA${i}`, '10.0.0.1')) admitted++;
    expect(admitted).toBe(100);
    now = 60_000;
    expect(limiter.admit('AKIA-next', '10.0.0.1')).toEqual({ suppressed: 900 });
  });
});
