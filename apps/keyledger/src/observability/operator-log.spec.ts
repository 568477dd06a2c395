import { describe, expect, it } from 'vitest';
import { OperatorLog } from './operator-log.js';

const capture = (format: 'json' | 'text', level: 'error' | 'warn' | 'info' | 'debug') => {
  const out: string[] = [];
  const err: string[] = [];
  const log = new OperatorLog(format, level, { out: (l) => out.push(l), err: (l) => err.push(l) }, () => new Date(0));
  return { log, out, err };
};

describe('OperatorLog', () => {
  it('writes one JSON object per line, errors to standard error', () => {
    const { log, out, err } = capture('json', 'info');
    log.write('info', 'access', 'request', { status: 200, keyId: null });
    log.error('broke', 'Http');
    expect(out).toEqual([
      '{"time":"1970-01-01T00:00:00.000Z","level":"info","context":"access","msg":"request","status":200,"keyId":null}\n',
    ]);
    expect(err).toEqual(['{"time":"1970-01-01T00:00:00.000Z","level":"error","context":"Http","msg":"broke"}\n']);
  });

  it('text: one line, values with spaces, quotes or line breaks quoted, nulls left out', () => {
    const { log, out } = capture('text', 'debug');
    log.write('warn', 'access', 'request', { accessKeyId: 'AKIA1', note: 'a "b"\nc', keyId: null, status: 400 });
    log.log('two\nlines', 'Keyledger');
    expect(out).toEqual([
      '1970-01-01T00:00:00.000Z WARN  [access] request accessKeyId=AKIA1 note="a \\"b\\"\\nc" status=400\n',
      '1970-01-01T00:00:00.000Z INFO  [Keyledger] two | lines\n',
    ]);
  });

  it.each([
    ['error', ['error']],
    ['warn', ['error', 'warn']],
    ['info', ['error', 'warn', 'info']],
    ['debug', ['error', 'warn', 'info', 'debug']],
  ] as const)('at %s writes %j', (level, written) => {
    const { log, out, err } = capture('json', level);
    for (const l of ['error', 'warn', 'info', 'debug'] as const) log.write(l, 'c', l);
    expect([...err, ...out].map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(written);
  });

  it("writes Nest's start-up chatter at debug, and leaves a failed start to main's one line", () => {
    const { log, out, err } = capture('json', 'info');
    log.log('Mapped {/, POST} route', 'RouterExplorer');
    log.error('StartupTimeoutError: …', 'stack\n  at x', 'ExceptionHandler');
    log.log('listening on http://127.0.0.1:1', 'Keyledger');
    expect(err).toEqual([]);
    expect(out.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['listening on http://127.0.0.1:1']);
  });
});
