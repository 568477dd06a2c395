import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { paceRequests } from './turn-pacing.js';

type Exchange = [IncomingMessage, ServerResponse];

describe('paceRequests', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  /**
   * Real requests on real connections, held by a plain server until all have arrived, so that a test can
   * hand them to the paced listener in one synchronous go: one turn of the event loop, in a chosen order.
   */
  async function arrived(paths: string[]): Promise<{ exchanges: Map<string, Exchange>; answers: Promise<Response>[] }> {
    const exchanges = new Map<string, Exchange>();
    let all!: () => void;
    const done = new Promise<void>((resolve) => (all = resolve));
    server = createServer((request, response) => {
      exchanges.set(request.url!, [request, response]);
      if (exchanges.size === paths.length) all();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const answers = paths.map((path) => fetch(`http://127.0.0.1:${port}${path}`));
    for (const answer of answers) answer.catch(() => undefined);
    await done;
    return { exchanges, answers };
  }

  it('hands every request on at once while the turn is within its budget', async () => {
    const { exchanges, answers } = await arrived(['/a', '/b', '/c']);
    const served: string[] = [];
    const paced = paceRequests(
      (request, response) => {
        served.push(request.url!);
        response.end('ok');
      },
      { turnBudgetMs: 10, maxWaiting: 1 },
      () => undefined,
      () => 0,
    );
    for (const path of ['/a', '/b', '/c']) paced(...exchanges.get(path)!);
    expect(served).toEqual(['/a', '/b', '/c']);
    expect((await Promise.all(answers)).map((answer) => answer.status)).toEqual([200, 200, 200]);
  });

  it('makes requests past the budget wait for later turns in arrival order, never health checks, and sheds past maxWaiting', async () => {
    const { exchanges, answers } = await arrived(['/a', '/b', '/c', '/healthz', '/d']);
    let clock = 0;
    let shed = 0;
    const served: string[] = [];
    const paced = paceRequests(
      (request, response) => {
        served.push(request.url!);
        // Each request takes a whole budget; the mark shows where the event loop's next turn begins.
        clock += 10;
        if (request.url === '/b') setImmediate(() => served.push('next turn'));
        response.end('ok');
      },
      { turnBudgetMs: 10, maxWaiting: 2 },
      () => shed++,
      () => clock,
    );
    for (const path of ['/a', '/b', '/c', '/healthz', '/d']) paced(...exchanges.get(path)!);
    expect(served).toEqual(['/a', '/healthz']);
    expect(shed).toBe(1);
    const statuses = await Promise.all(answers.map(async (answer) => (await answer).status));
    expect(statuses).toEqual([200, 200, 200, 200, 503]);
    expect(served).toEqual(['/a', '/healthz', '/b', 'next turn', '/c']);
    const refused = await answers[4]!;
    expect(refused.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(refused.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await refused.json()).toEqual({
      __type: 'ThrottlingException',
      message: 'The server is serving as many requests as it can. Retry with back-off.',
    });
  });

  it('serves a waiting request only while its client is still there', async () => {
    const { exchanges, answers } = await arrived(['/a', '/b', '/c']);
    let clock = 0;
    const served: string[] = [];
    const paced = paceRequests(
      (request, response) => {
        served.push(request.url!);
        clock += 10;
        response.end('ok');
      },
      { turnBudgetMs: 10, maxWaiting: 10 },
      () => undefined,
      () => clock,
    );
    for (const path of ['/a', '/b', '/c']) paced(...exchanges.get(path)!);
    exchanges.get('/b')![0].socket.destroy();
    expect(served).toEqual(['/a']);
    await answers[2];
    expect(served).toEqual(['/a', '/c']);
  });

  it('is the handler itself when the budget is 0 (off)', () => {
    const handler = () => undefined;
    expect(paceRequests(handler, { turnBudgetMs: 0, maxWaiting: 1 })).toBe(handler);
  });
});
