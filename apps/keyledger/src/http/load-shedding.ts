import type { FastifyInstance } from 'fastify';
import { awsErrorJson, CONTENT_TYPE, type AwsError } from './aws-error-shape.js';

/** The answer to a request the server is too busy to serve: here, and before the framework in turn-pacing.ts. */
export const SHED: AwsError = {
  status: 503,
  type: 'ThrottlingException',
  message: 'The server is serving as many requests as it can. Retry with back-off.',
};
const CLOSING: AwsError = {
  status: 503,
  type: 'ServiceUnavailableException',
  message: 'The server is shutting down. The request can be retried.',
};

/**
 * What a load balancer asks on a fresh connection: shedding it would take a busy instance out
 * of service, which makes it busier still. Both are cheap: /healthz touches nothing, and
 * /readyz evaluates its checks at most once a second, however often it is asked.
 */
export const isHealthCheck = (method: string, url: string): boolean =>
  method === 'GET' && (url.startsWith('/healthz') || url.startsWith('/readyz'));

/**
 * Bounds the requests being served at once, and those begun in one turn of the event
 * loop: requests read in one poll are served one after another before the loop gets
 * back to new connections, so that count is what a new connection waits behind.
 * Past either bound a request is answered at once, before its body is read or its
 * signature checked, so new connections (health checks first) are not starved.
 * After shutdown begins every request gets an AWS-shaped 503 and the connection closes.
 */
export function installLoadShedding(fastify: FastifyInstance, maxInFlight: number): { inFlight(): number } {
  let inFlight = 0;
  let begunThisTurn = 0;
  let turnEndScheduled = false;
  const endTurn = () => {
    begunThisTurn = 0;
    turnEndScheduled = false;
  };
  let closing = false;
  const release = () => {
    inFlight--;
  };
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!turnEndScheduled) {
      turnEndScheduled = true;
      // Immediates run right after the poll phase: this turn's reads are all counted by then.
      setImmediate(endTurn);
    }
    const busy = inFlight >= maxInFlight || begunThisTurn >= maxInFlight;
    const refusal = closing ? CLOSING : busy && !isHealthCheck(request.method, request.url) ? SHED : undefined;
    if (refusal !== undefined) {
      if (closing) reply.header('connection', 'close');
      reply.status(refusal.status).header('content-type', CONTENT_TYPE).send(awsErrorJson(refusal));
      return;
    }
    inFlight++;
    begunThisTurn++;
    reply.raw.once('close', release);
    done();
  });
  return { inFlight: () => inFlight };
}
