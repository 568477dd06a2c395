import type { Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';

/** Why the server cannot have HOST:PORT, as the one line `keyledger: cannot start:` prints. */
export function listenFailure(error: unknown, port: number, host: string): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new Error(`${where} is already in use by another process: stop it, or set PORT (or HOST) to a free one`);
    case 'EACCES':
      return new Error(`${where} needs privileges this process does not have: set PORT to 1024 or above`);
    case 'EADDRNOTAVAIL':
      return new Error(
        `HOST ${host} is not an address of this machine: use 127.0.0.1, 0.0.0.0 or one of its addresses`,
      );
    default:
      return new Error(`cannot listen on ${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function listenOn(server: Server | HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: unknown) => reject(listenFailure(error, port, host));
    server.once('error', failed);
    server.listen({ port, host }, () => {
      server.removeListener('error', failed);
      resolve();
    });
  });
}

/**
 * Whether HOST:PORT can be had, asked before anything is written: a port already in use
 * is then one line and an untouched data directory, not a start that fails half-way.
 * PORT=0 (any free port) cannot be taken by someone else.
 */
export async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await listenOn(probe, port, host);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** Listens with the server Fastify was made with, before Fastify is ready (see StartupGate). */
export const listenEarly = (server: HttpServer, port: number, host: string): Promise<void> =>
  listenOn(server, port, host);

/** The URL a client on this machine uses: a wildcard address is reached on loopback, as Nest prints it. */
export function urlOf(server: HttpServer, tls: boolean): string {
  const address = server.address() as AddressInfo;
  const host =
    address.family === 'IPv6'
      ? `[${address.address === '::' ? '::1' : address.address}]`
      : address.address === '0.0.0.0'
        ? '127.0.0.1'
        : address.address;
  return `${tls ? 'https' : 'http'}://${host}:${address.port}`;
}
