import { describe, expect, it } from 'vitest';
import { readLines } from './lines.js';

const streamOf = (chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });

async function linesOf(chunks: Uint8Array[]): Promise<string[]> {
  const lines: string[] = [];
  await readLines(streamOf(chunks), (line) => lines.push(line));
  return lines;
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('readLines', () => {
  it('gives each line whole, whether it came in pieces or many came in one chunk', async () => {
    expect(await linesOf([bytes('{"a":1}\n{"b"'), bytes(':2}\n'), bytes('{"c":3}\n{"d":4}\n')])).toEqual([
      '{"a":1}',
      '{"b":2}',
      '{"c":3}',
      '{"d":4}',
    ]);
  });

  it('keeps a last line without its newline, skips blank lines', async () => {
    expect(await linesOf([bytes('one\n\n'), bytes('two')])).toEqual(['one', 'two']);
    expect(await linesOf([])).toEqual([]);
  });

  it('decodes a character split across two chunks', async () => {
    const text = bytes('é\n');
    expect(await linesOf([text.slice(0, 1), text.slice(1)])).toEqual(['é']);
  });
});
