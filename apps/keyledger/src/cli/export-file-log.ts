import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ReadAllOptions, RecordedEvent, RecordedEventJson } from '@keyledger/event-store';
import type { LedgerLog } from '@keyledger/integrity';
import { CliFailure } from './cli-errors.js';

/**
 * A `keyledger export` file read as the log it was written from: pages in
 * global order, as verify reads a store. Read once, front to back; each page
 * must start where the previous one ended.
 */
export class ExportFileLog implements LedgerLog {
  private readonly lines: AsyncIterator<string>;
  private lineNumber = 0;
  private lastPosition: bigint | 'start' = 'start';

  constructor(private readonly path: string) {
    const input = createReadStream(path, { encoding: 'utf8' });
    input.on('error', () => undefined);
    this.lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? 'start';
    if (after !== this.lastPosition) throw new Error('an export file is read once, front to back');
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const page: RecordedEvent[] = [];
    while (page.length < max) {
      let next: IteratorResult<string>;
      try {
        next = await this.lines.next();
      } catch (error) {
        throw new CliFailure(`cannot read ${this.path}: ${(error as Error).message}`);
      }
      if (next.done) break;
      this.lineNumber++;
      if (next.value.trim() === '') continue;
      page.push(this.parse(next.value));
    }
    this.lastPosition = page.at(-1)?.position ?? this.lastPosition;
    return page;
  }

  /** verify's one scan form: the parsed line's data and metadata as JSON text again. */
  async readAllJson(options: ReadAllOptions = {}): Promise<RecordedEventJson[]> {
    return (await this.readAll(options)).map((e) => ({
      streamName: e.streamName,
      type: e.type,
      revision: e.revision,
      position: e.position,
      dataJson: JSON.stringify(e.data),
      metadataJson: JSON.stringify(e.metadata),
    }));
  }

  private parse(line: string): RecordedEvent {
    try {
      const e = JSON.parse(line) as Record<string, unknown>;
      if (typeof e.streamName !== 'string' || typeof e.type !== 'string' || typeof e.id !== 'string')
        throw new Error('not an exported event');
      return {
        streamName: e.streamName,
        revision: BigInt(e.revision as string),
        position: BigInt(e.position as string),
        id: e.id,
        type: e.type,
        data: e.data as RecordedEvent['data'],
        metadata: (e.metadata ?? {}) as RecordedEvent['metadata'],
        recordedAt: new Date(e.recordedAt as string),
      };
    } catch {
      throw new CliFailure(`${this.path} line ${this.lineNumber} is not an exported event (keyledger export --to)`);
    }
  }
}
