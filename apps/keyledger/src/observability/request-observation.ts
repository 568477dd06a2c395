import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isOperationName, KMS_TARGET_PREFIX } from '@keyledger/kms-api';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import type { KeyledgerMetrics } from './metrics.js';
import type { OperatorLog } from './operator-log.js';
import { notedCaller, notedKeyId, notedRequestId } from './request-notes.js';

/** The answers that mean the caller could not be authenticated: logged at warn, rate-limited. */
const AUTHENTICATION_FAILURES = new Set([
  'MissingAuthenticationTokenException',
  'IncompleteSignatureException',
  'InvalidSignatureException',
  'UnrecognizedClientException',
]);

/** 503s that are the server protecting itself (load shed, shutting down), not a failure. */
const isBackPressure = (type: string | undefined): boolean =>
  type === 'ThrottlingException' || type === 'ServiceUnavailableException';

const STARTED = Symbol('observation.started');
const ERROR_TYPE = Symbol('observation.errorType');
type Observed = FastifyRequest & { [STARTED]?: bigint; [ERROR_TYPE]?: string };

/** The access key id a request claims in its Authorization header; only a plausible id is kept. */
function claimedAccessKeyId(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  return /Credential=([A-Za-z0-9]{1,128})\//.exec(authorization)?.[1];
}

function classify(request: FastifyRequest): { api: string; operation: string } {
  const url = request.url;
  const [path = url] = url.split('?', 1);
  if (request.method === 'POST' && path === '/') {
    const target = request.headers['x-amz-target'];
    const name =
      typeof target === 'string' && target.startsWith(KMS_TARGET_PREFIX) ? target.slice(KMS_TARGET_PREFIX.length) : '';
    return { api: 'kms', operation: isOperationName(name) ? name : 'unknown' };
  }
  // The route pattern (`/v1/keys/:keyId/events`), never the path itself: ids stay out of metric labels.
  const pattern = request.routeOptions.url ?? 'unmatched';
  return {
    api: path.startsWith('/v1/') || path === '/v1' ? 'ledger' : 'service',
    operation: `${request.method} ${pattern}`,
  };
}

/**
 * One structured line per answered request (the access log) and the request metrics,
 * from Fastify's hooks, so that every answer is seen, including those the edge gives by
 * itself (shed load, unknown routes). A line carries who, what and how it went; never a
 * header value other than the claimed access key id, never a body.
 */
export function installRequestObservation(
  fastify: FastifyInstance,
  log: OperatorLog,
  metrics: KeyledgerMetrics,
  now: () => number = Date.now,
): void {
  const limiter = new AuthFailureLimiter(now);
  fastify.addHook('onRequest', (request, _reply, done) => {
    (request as Observed)[STARTED] = process.hrtime.bigint();
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400 && typeof payload === 'string' && payload.length < 8192) {
      const type = /"__type":"([A-Za-z0-9_.:#-]{1,128})"/.exec(payload)?.[1];
      if (type) (request as Observed)[ERROR_TYPE] = type;
    }
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    observe(request as Observed, reply);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    // The client went away before its answer: nothing failed here, so no stack and no error.
    const { api, operation } = classify(request);
    log.write('debug', 'access', 'request aborted by the client', { api, operation, source: request.ip });
    done();
  });

  function observe(request: Observed, reply: FastifyReply): void {
    const started = request[STARTED];
    const seconds = started === undefined ? 0 : Number(process.hrtime.bigint() - started) / 1e9;
    const { api, operation } = classify(request);
    const status = reply.statusCode;
    const errorType = request[ERROR_TYPE];
    metrics.request({ api, operation, status, errorType, seconds });

    const caller = notedCaller(request);
    const accessKeyId = caller?.accessKeyId ?? claimedAccessKeyId(request);
    let level: 'info' | 'warn' | 'error' = status >= 500 && !isBackPressure(errorType) ? 'error' : 'info';
    let suppressed: number | undefined;
    if (errorType !== undefined && AUTHENTICATION_FAILURES.has(errorType)) {
      const admitted = limiter.admit(accessKeyId, request.ip);
      if (!admitted) return;
      level = 'warn';
      if (admitted.suppressed > 0) suppressed = admitted.suppressed;
    }
    if (!log.enabled(level)) return;
    log.write(level, 'access', 'request', {
      requestId: notedRequestId(request) ?? null,
      source: request.ip,
      accessKeyId: accessKeyId ?? null,
      principal: caller?.principal ?? null,
      api,
      operation,
      keyId: notedKeyId(request) ?? null,
      status,
      errorType: errorType ?? null,
      durationMs: Math.round(seconds * 1e6) / 1e3,
      ...(suppressed === undefined ? {} : { suppressedAuthFailures: suppressed }),
    });
  }
}
