import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LoggerService, LogLevel } from '@nestjs/common';
import type { RequestListener } from 'node:http';
import { systemClock } from '@keyledger/ledger';
import { AppModule } from './app.module.js';
import { AwsErrorFilter, KMS_DIALECT } from './edge/aws-error.filter.js';
import { clientErrorHandler, createEdgeServer } from './http/edge-server.js';
import { installLoadShedding } from './http/load-shedding.js';
import type { StartupGate } from './http/startup-gate.js';
import type { InfrastructureOptions } from './infrastructure/infrastructure.module.js';
import { KeyledgerMetrics } from './observability/metrics.js';
import { OperatorLog } from './observability/operator-log.js';
import { installRequestObservation } from './observability/request-observation.js';

const ALIVE = JSON.stringify({ status: 'ok' });

export interface CreateServerOptions extends InfrastructureOptions {
  /** Nest's logger; default: the operator log (KEYLEDGER_LOG_FORMAT, KEYLEDGER_LOG_LEVEL). */
  logger?: LoggerService | LogLevel[] | false;
  /** Where the access log and the server's lines go; default: standard output and error. */
  log?: OperatorLog;
  /**
   * For a server that listens before it is initialised (main.ts): the gate answers health
   * checks and 503s until opened. Without one, the caller listens once the app is ready.
   */
  startupGate?: StartupGate;
}

/**
 * Builds the server without listening. Bodies reach the controllers as raw
 * bytes: SigV4 signs the exact bytes, so nothing may parse them first.
 * The edge (http/) bounds what a client can hold before any of that runs.
 */
export async function createKeyledgerServer(options: CreateServerOptions): Promise<NestFastifyApplication> {
  const { config } = options;
  const log = options.log ?? new OperatorLog(config.observability.logFormat, config.observability.logLevel);
  const metrics = new KeyledgerMetrics();
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: false,
    serverFactory: (handler: RequestListener) =>
      createEdgeServer(config, options.startupGate?.hold(handler) ?? handler, {
        refused: (reason) => metrics.connectionRefused(reason),
        shed: () => metrics.requestShed(),
        gate: (gate) => metrics.source({ openConnections: gate.open }),
      }),
    clientErrorHandler: clientErrorHandler(config.limits),
    // The edge answers requests during shutdown itself, AWS-shaped (http/load-shedding.ts).
    return503OnClosing: false,
    // No Nest middleware is used: middie would only parse every URL for nothing.
    skipMiddie: true,
  });
  const fastify = adapter.getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  // First, so that every answer is logged and counted, the ones load shedding gives included.
  installRequestObservation(fastify, log, metrics);
  installLoadShedding(fastify, config.limits.maxInFlight);
  // Liveness is Fastify's own route, not a Nest controller: no router, guard, filter or interceptor
  // of the framework runs for the probe a load balancer sends a busy server. (HEAD comes with it.)
  fastify.get('/healthz', (_request, reply) => {
    void reply.header('content-type', 'application/json').send(ALIVE);
  });
  if (options.startupGate)
    // Fastify closes only a server it made listen itself; this one listened before Fastify was ready.
    fastify.addHook('onClose', (_instance, done) => {
      if (!fastify.server.listening) return done();
      fastify.server.close(() => done());
      fastify.server.closeIdleConnections();
    });
  // SDKs correct their signing clock from the Date header, so it must come from the clock SigV4 is checked against.
  const clock = options.clock ?? systemClock;
  // A callback hook, not an async one: one promise less on every response. The text changes once a second.
  let dateSecond = NaN;
  let dateText = '';
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    const second = Math.floor(clock.now().getTime() / 1000);
    if (second !== dateSecond) {
      dateSecond = second;
      dateText = new Date(second * 1000).toUTCString();
    }
    reply.header('date', dateText);
    done(null, payload);
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ ...options, metrics }), adapter, {
    bodyParser: false,
    logger: options.logger ?? log,
    abortOnError: false,
  });
  // Whatever no route answered itself (unknown routes, bodies over the limit, requests Fastify refused).
  app.useGlobalFilters(new AwsErrorFilter({ ...KMS_DIALECT, name: 'Http' }));
  return app;
}
