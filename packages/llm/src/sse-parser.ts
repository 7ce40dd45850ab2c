// Server-sent events (the WHATWG event-stream format) read incrementally from text chunks that
// may split anywhere: inside a field, between CR and LF, inside a multi-byte character (the
// caller decodes with a streaming UTF-8 decoder, so a character is never cut here).
// Only `data` and `event` matter for chat completions; `id` and `retry` are read and dropped.

export interface SseEvent {
  /** `message` unless the server named the event (`event: error`). */
  event: string;
  /** The event's `data:` lines joined by "\n". */
  data: string;
}

export class SseParser {
  /** The unfinished last line of what was pushed so far. */
  private partial = '';
  /** The previous chunk ended in CR: a LF opening the next one belongs to that line ending. */
  private afterCr = false;
  /** The event's `data:` lines so far, joined by "\n" as they come (most events have one). */
  private data = '';
  private hasData = false;
  private event = '';
  private readonly onEvent: (e: SseEvent) => void;

  constructor(onEvent: (e: SseEvent) => void) {
    this.onEvent = onEvent;
  }

  push(text: string): void {
    let start = 0;
    if (this.afterCr && text.charCodeAt(0) === 10) start = 1;
    this.afterCr = false;
    const n = text.length;
    // Line ends are found with indexOf (a native scan) rather than a per-character loop: this
    // runs on every chunk of every streamed reply. Each position is looked up again only once
    // the scan has passed it, so a chunk is scanned about once per kind of line end.
    let lf = text.indexOf('\n', start);
    let cr = text.indexOf('\r', start);
    while (lf !== -1 || cr !== -1) {
      const i = lf === -1 ? cr : cr === -1 ? lf : lf < cr ? lf : cr;
      const line = this.partial === '' ? text.slice(start, i) : this.partial + text.slice(start, i);
      this.partial = '';
      start = i + 1;
      if (i === cr) {
        if (start === n) this.afterCr = true;
        else if (text.charCodeAt(start) === 10) start++;
      }
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
      this.line(line);
    }
    if (start < n) this.partial += text.slice(start);
  }

  /** The stream ended: a last event without its blank line is still delivered (lenient). */
  end(): void {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
    this.line('');
  }

  private line(line: string): void {
    if (line === '') {
      if (this.hasData) {
        const data = this.data;
        this.data = '';
        this.hasData = false;
        this.onEvent({ event: this.event || 'message', data });
      }
      this.event = '';
      return;
    }
    // A comment (`: keep-alive`), sent by proxies and some servers to hold the connection open.
    if (line.charCodeAt(0) === 58) return;
    // `data:` (nearly every line of a chat stream) without cutting out the field name.
    if (line.startsWith('data:')) return this.addData(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.addData(value);
    else if (field === 'event') this.event = value;
  }

  private addData(value: string): void {
    this.data = this.hasData ? `${this.data}\n${value}` : value;
    this.hasData = true;
  }
}
