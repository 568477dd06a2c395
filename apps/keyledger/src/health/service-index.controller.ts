import { Controller, Get, Header } from '@nestjs/common';
import { readFileSync } from 'node:fs';

/** The version this build was made from, read once: the app package sits two levels above src/ and dist/. */
const VERSION = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
})();

export interface ServiceIndex {
  service: 'keyledger';
  version: string;
  kmsApi: string;
  ledgerApi: string;
  openApi: string;
  health: string;
  docs: string;
}

/**
 * `GET /`: what answers here and where to go next. A person who opens the address in a browser, or
 * a script probing it, gets this instead of a 404; it names no key and needs no signature.
 */
@Controller()
export class ServiceIndexController {
  @Get('/')
  @Header('cache-control', 'no-store')
  index(): ServiceIndex {
    return {
      service: 'keyledger',
      version: VERSION,
      kmsApi: 'POST / with X-Amz-Target: TrentService.<Operation>, SigV4-signed (service kms)',
      ledgerApi: '/v1 (SigV4-signed; admin and auditor roles)',
      openApi: '/v1/openapi.json',
      health: '/healthz',
      docs: 'README.md and docs/ in the Keyledger repository',
    };
  }
}
