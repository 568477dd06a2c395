import type { Server } from 'node:net';
import type { Socket } from 'node:net';
import { answerAndClose } from './aws-error-shape.js';
import { connectionSource } from './connection-source.js';

export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
}

export interface ConnectionGate {
  /** Connections admitted and still open. */
  open(): number;
}

/**
 * Admits a connection to HTTP parsing only within the limits, before a byte of it is
 * read, so a flood costs no parsing and no signature work. Over the total: 503, over
 * the per-address limit: 429, both ThrottlingException so that SDKs back off.
 *
 * `event` is where the HTTP server takes its connections: 'connection' for plain
 * HTTP, 'secureConnection' (after the handshake) for HTTPS. The HTTP server's own
 * listener is taken off that event and called only for admitted sockets.
 */
export function gateConnections(
  server: Server,
  event: 'connection' | 'secureConnection',
  limits: ConnectionLimits,
  onRefused: (reason: 'total' | 'per_source') => void = () => undefined,
): ConnectionGate {
  const admit = server.listeners(event) as Array<(socket: Socket) => void>;
  server.removeAllListeners(event);
  let open = 0;
  const perAddress = new Map<string, number>();
  server.on(event, (socket: Socket) => {
    // An IPv6 client's whole /64 is one source (connection-source.ts).
    const address = connectionSource(socket.remoteAddress ?? '');
    const fromAddress = perAddress.get(address) ?? 0;
    if (open >= limits.maxConnections) {
      onRefused('total');
      answerAndClose(socket, {
        status: 503,
        type: 'ThrottlingException',
        message: 'The server has too many open connections. Retry with back-off.',
      });
      return;
    }
    if (fromAddress >= limits.maxConnectionsPerAddress) {
      onRefused('per_source');
      answerAndClose(socket, {
        status: 429,
        type: 'ThrottlingException',
        message: `Too many open connections from your address (limit ${limits.maxConnectionsPerAddress}). Reuse connections or retry with back-off.`,
      });
      return;
    }
    open++;
    perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      open--;
      const left = perAddress.get(address)! - 1;
      if (left === 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
    for (const listener of admit) listener.call(server, socket);
  });
  return { open: () => open };
}
