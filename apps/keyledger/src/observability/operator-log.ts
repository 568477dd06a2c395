import type { LoggerService } from '@nestjs/common';
import type { LogLevelName } from './observability-config.js';

const SEVERITY: Record<LogLevelName, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface LogOutput {
  out(line: string): void;
  err(line: string): void;
}

const processOutput: LogOutput = {
  out: (line) => void process.stdout.write(line),
  err: (line) => void process.stderr.write(line),
};

/** A text value is bare when a plain token, quoted (JSON) when it could be mistaken or holds a control character. */
const textValue = (value: string | number | boolean): string =>
  typeof value === 'string' && !/^[\w.:/@+=,-]{1,512}$/.test(value) ? JSON.stringify(value) : String(value);

/**
 * Nest's framework messages at start-up (every module and route mapped) say nothing an
 * operator acts on: they are written at debug, so that `info` is the server's own lines.
 */
const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/**
 * Every line the server writes: one line each, JSON (`{"time","level","context","msg",…}`) or
 * text (`time LEVEL [context] msg key=value …`), never colour codes. Errors go to standard
 * error, everything else to standard output. It is Nest's logger too, so the framework's lines
 * follow the same format and level.
 */
export class OperatorLog implements LoggerService {
  constructor(
    private readonly format: 'json' | 'text',
    private readonly level: LogLevelName,
    private readonly output: LogOutput = processOutput,
    private readonly now: () => Date = () => new Date(),
  ) {}

  enabled(level: LogLevelName): boolean {
    return SEVERITY[level] <= SEVERITY[this.level];
  }

  write(level: LogLevelName, context: string, msg: string, fields: LogFields = {}): void {
    if (!this.enabled(level)) return;
    const time = this.now().toISOString();
    let line: string;
    if (this.format === 'json') {
      line = JSON.stringify({ time, level, context, msg, ...fields });
    } else {
      let text = `${time} ${level.toUpperCase().padEnd(5)} [${context}] ${msg.replace(/[\r\n]+/g, ' | ')}`;
      for (const [key, value] of Object.entries(fields))
        if (value !== undefined && value !== null) text += ` ${key}=${textValue(value)}`;
      line = text;
    }
    if (level === 'error') this.output.err(`${line}\n`);
    else this.output.out(`${line}\n`);
  }

  // LoggerService: Nest passes (message, context) and for errors (message, stack, context).
  log(message: unknown, ...params: unknown[]): void {
    const context = contextOf(params);
    this.write(FRAMEWORK_CONTEXTS.has(context) ? 'debug' : 'info', context, messageOf(message));
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', contextOf(params), messageOf(message));
  }
  error(message: unknown, ...params: unknown[]): void {
    // A failure while Nest builds the server is thrown on to main, which prints it as its one line.
    if (contextOf(params) === 'ExceptionHandler') return;
    const stack = params.length >= 2 && typeof params[0] === 'string' ? params[0] : undefined;
    this.write('error', contextOf(params), messageOf(message), stack ? { stack } : {});
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.error(message, ...params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', contextOf(params), messageOf(message));
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.debug(message, ...params);
  }
}

function contextOf(params: unknown[]): string {
  const last = params[params.length - 1];
  return typeof last === 'string' && !last.includes('\n') ? last : 'Keyledger';
}

function messageOf(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return `${message.name}: ${message.message}`;
  try {
    return JSON.stringify(message) ?? String(message);
  } catch {
    return String(message);
  }
}
