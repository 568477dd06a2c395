import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller.js';

/** The browser console at /console (issue 18): static files built from apps/console. */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
