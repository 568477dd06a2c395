import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { awsErrorJson, CONTENT_TYPE } from './aws-error-shape.js';
import { isHealthCheck, SHED } from './load-shedding.js';

export interface PacingLimits {
  /** Milliseconds of one event-loop turn spent on requests before the rest wait for a later turn; 0: off. */
  turnBudgetMs: number;
  /** Requests waiting for a turn; one more is answered 503 ThrottlingException at once. */
  maxWaiting: number;
}

const SHED_BODY = awsErrorJson(SHED);

type Waiting = [IncomingMessage, ServerResponse];

/**
 * Bounds in time the work one turn of the event loop does on requests, so that the loop gets back
 * to its sockets within a few tens of milliseconds however many connections are busy. Without it a
 * turn serves every request read in its poll one after another: at 500 busy connections, seconds
 * on a loaded machine, and a new connection (a load balancer's health check) waits two such turns,
 * one to be accepted and one to be read.
 *
 * A request read once the turn's budget is spent waits, in arrival order, and later turns serve the
 * waiting ones within the same budget each. Its client waits for its answer and sends nothing, so
 * its connection costs the next turns nothing. Health checks never wait. Past `maxWaiting` a request
 * is answered 503 ThrottlingException here, before the framework, its hooks or its signature check
 * run: that answer costs a small fraction of serving it. Under the budget nothing changes: a request
 * is handed on at once, and nothing is ever shed that would not have been.
 */
export function paceRequests(
  handler: RequestListener,
  limits: PacingLimits,
  onShed: () => void = () => undefined,
  now: () => number = () => performance.now(),
): RequestListener {
  const { turnBudgetMs, maxWaiting } = limits;
  if (turnBudgetMs === 0) return handler;
  const waiting: Waiting[] = [];
  let turnStartedAt = 0;
  let inTurn = false;
  let endScheduled = false;
  const scheduleEnd = () => {
    if (endScheduled) return;
    endScheduled = true;
    setImmediate(endTurn);
  };
  // Immediates run right after the poll phase: the turn that read requests ends here, and the waiting
  // ones get a turn of their own, within the same budget.
  let servingSince = 0;
  const endTurn = () => {
    endScheduled = false;
    inTurn = false;
    servingSince = now();
    serveNext();
  };
  // One at a time, each after the ticks and promises the previous one queued (most of its work), so that
  // the budget counts that work too: handing them all on in one go would count none of it.
  const serveNext = () => {
    if (waiting.length === 0) return;
    if (now() - servingSince >= turnBudgetMs) return scheduleEnd();
    const [request, response] = waiting.shift()!;
    // A client that left while its request waited is owed nothing.
    if (!request.socket.destroyed) handler(request, response);
    process.nextTick(serveNext);
  };
  return (request, response) => {
    if (isHealthCheck(request.method ?? '', request.url ?? '')) return handler(request, response);
    if (!inTurn) {
      inTurn = true;
      turnStartedAt = now();
      scheduleEnd();
    }
    if (waiting.length === 0 && now() - turnStartedAt < turnBudgetMs) return handler(request, response);
    if (waiting.length < maxWaiting) {
      waiting.push([request, response]);
      return;
    }
    onShed();
    response.writeHead(SHED.status, {
      'content-type': CONTENT_TYPE,
      'content-length': Buffer.byteLength(SHED_BODY),
      'x-amzn-requestid': randomUUID(),
    });
    response.end(SHED_BODY);
  };
}
