/** One message of a text/event-stream, as the WHATWG "server-sent events" section dispatches it. */
export interface SseMessage {
  /** The `id:` of this message, or the last one seen before it (the value to resume from). */
  lastEventId: string;
  event: string;
  data: string;
}

/**
 * Incremental text/event-stream parser: feed it decoded text as it arrives, get whole messages back.
 * Comments (`:`) and `retry:` are skipped; a message without `data:` is not dispatched (per the spec).
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private hasData = false;
  lastEventId = '';

  constructor(lastEventId = '') {
    this.lastEventId = lastEventId;
  }

  feed(text: string): SseMessage[] {
    this.buffer += text;
    const out: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') {
      const message = this.hasData
        ? { lastEventId: this.lastEventId, event: this.event || 'message', data: this.data.join('\n') }
        : undefined;
      this.event = '';
      this.data = [];
      this.hasData = false;
      return message;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      default:
        break;
    }
    return undefined;
  }
}
