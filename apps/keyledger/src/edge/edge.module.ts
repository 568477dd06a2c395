import { Global, Module } from '@nestjs/common';
import { EdgeAuthenticator } from './edge-authenticator.js';

/** The edge's authentication, for every API module (global: the guard is built in each controller's module). */
@Global()
@Module({ providers: [EdgeAuthenticator], exports: [EdgeAuthenticator] })
export class EdgeModule {}
