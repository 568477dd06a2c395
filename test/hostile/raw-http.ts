import { connect, type Socket } from 'node:net';
import { once } from 'node:events';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: { __type?: string; message?: string } | undefined;
}

/** Parses the first HTTP/1.1 response in what a socket received. */
export function parseAnswer(text: string): RawAnswer {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const [statusLine, ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1] ?? NaN);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = split < 0 ? '' : text.slice(split + 4);
  const length = headers['content-length'];
  if (length !== undefined) body = Buffer.from(body).subarray(0, Number(length)).toString();
  let json: RawAnswer['json'];
  try {
    json = JSON.parse(body) as RawAnswer['json'];
  } catch {
    json = undefined;
  }
  return { status, headers, body, json };
}

/** Opens a loopback connection and waits until it is established. */
export async function open(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Everything the server sends until it closes the connection. */
export async function untilClosed(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  if (!socket.destroyed) await once(socket, 'close');
  return Buffer.concat(chunks).toString('latin1');
}

/** Sends `bytes` (without ending the connection) and returns the server's answer once it closes it. */
export async function sendAndAwaitClose(port: number, bytes: string | Buffer): Promise<RawAnswer> {
  const socket = await open(port);
  const closed = untilClosed(socket);
  socket.write(bytes);
  return parseAnswer(await closed);
}

/** Sends one whole request and returns the first response (the connection may stay open). */
export async function exchange(port: number, bytes: string | Buffer): Promise<RawAnswer> {
  const socket = await open(port);
  let text = '';
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      const parsed = parseAnswer(text);
      const length = Number(parsed.headers['content-length'] ?? 0);
      if (Buffer.byteLength(text.slice(split + 4), 'latin1') >= length) resolve(parsed);
    });
    socket.once('close', () =>
      text === '' ? reject(new Error('closed without an answer')) : resolve(parseAnswer(text)),
    );
  });
  socket.write(bytes);
  try {
    return await answer;
  } finally {
    socket.destroy();
  }
}

/** One GET on an open keep-alive connection; resolves with its answer, the connection left open. */
export function keepAliveGet(socket: Socket, path: string): Promise<RawAnswer> {
  return keepAliveExchange(socket, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
}

/** One request on an open keep-alive connection; resolves with its answer, the connection left open. */
export async function keepAliveExchange(socket: Socket, request: string | Buffer): Promise<RawAnswer> {
  let text = '';
  const answer = new Promise<RawAnswer>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      const parsed = parseAnswer(text);
      if (Buffer.byteLength(text.slice(split + 4), 'latin1') < Number(parsed.headers['content-length'] ?? 0)) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(parsed);
    };
    const onClose = () => reject(new Error(`closed: ${text}`));
    socket.on('data', onData);
    socket.once('close', onClose);
  });
  socket.write(request);
  return answer;
}

/** A connection the server admitted: proven by a health check answered on it. */
export async function admitted(port: number): Promise<Socket> {
  const socket = await open(port);
  const answer = await keepAliveGet(socket, '/healthz');
  if (answer.status !== 200) throw new Error(`not admitted: ${answer.status} ${answer.body}`);
  return socket;
}
