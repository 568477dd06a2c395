/**
 * Splits a byte stream into its lines as they arrive (a line may come in pieces, or many in one chunk);
 * blank lines are skipped, and a last line without its newline still counts.
 */
export async function readLines(body: ReadableStream<Uint8Array>, onLine: (text: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    // stream: a character split across two chunks is decoded once whole.
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') onLine(line);
  }
  pending += decoder.decode();
  if (pending.trim() !== '') onLine(pending);
}
