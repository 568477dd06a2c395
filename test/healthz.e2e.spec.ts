import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '@keyledger/app';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('healthz', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.listen(0, '127.0.0.1');
  });
  afterAll(() => app.close());
  it('answers 200', async () => {
    const res = await fetch(`${await app.getUrl()}/healthz`);
    expect(res.status).toBe(200);
  });
});
