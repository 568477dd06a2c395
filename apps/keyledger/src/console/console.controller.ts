import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { CONSOLE_CSP, loadConsoleAssets, type ConsoleAsset } from './console-assets.js';

const NOT_BUILT = 'The console is not built: run `npm run build`, then restart the server.\n';

/**
 * `GET /console`: the browser console's static files, unsigned (they hold no data). The page signs its own
 * calls to /v1 and to the KMS API with the user's key; the server keeps no session for it.
 */
@Controller('console')
export class ConsoleController {
  private readonly assets: Map<string, ConsoleAsset> = loadConsoleAssets();

  constructor(@Inject(CONFIG) private readonly config: KeyledgerConfig) {}

  @Get()
  index(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send(request, reply, 'index.html');
  }

  /** What the sign-in form needs before any signature: the region to sign for. */
  @Get('config.json')
  async settings(@Res() reply: FastifyReply): Promise<void> {
    secure(reply);
    await reply
      .status(200)
      .header('content-type', 'application/json')
      .header('cache-control', 'no-store')
      .send(JSON.stringify({ service: 'keyledger', region: this.config.region }));
  }

  @Get('*')
  file(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const url = request.raw.url ?? '/';
    const [pathname = ''] = url.split('?');
    const path = pathname.replace(/^\/console\/?/, '');
    return this.send(request, reply, path === '' ? 'index.html' : path);
  }

  private async send(request: FastifyRequest, reply: FastifyReply, path: string): Promise<void> {
    secure(reply);
    if (this.assets.size === 0) {
      await reply.status(503).header('content-type', 'text/plain; charset=utf-8').send(NOT_BUILT);
      return;
    }
    const asset = this.assets.get(path);
    if (asset === undefined) {
      await reply.status(404).header('content-type', 'text/plain; charset=utf-8').send('Not found\n');
      return;
    }
    const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    await reply
      .status(200)
      .header('content-type', asset.type)
      .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('vary', 'accept-encoding')
      .headers(gzip ? { 'content-encoding': 'gzip' } : {})
      .send(gzip ? asset.gzipped : asset.body);
  }
}

function secure(reply: FastifyReply): void {
  reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin');
}
