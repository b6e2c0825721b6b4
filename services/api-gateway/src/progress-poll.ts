import { SSE_PROGRESS_POLL_MS, type SseProgress } from './sse-format.ts';

type Listener = (progress: SseProgress) => void;
type ReadProgress = () => Promise<SseProgress | undefined>;

interface Poll {
  listeners: Set<Listener>;
  /** The latest watcher's way to read the status (its request id and trace go with the call). */
  read: ReadProgress;
  timer: ReturnType<typeof setInterval>;
  busy: boolean;
}

/**
 * One status read per pipeline however many event streams watch it: each open stream adds a listener, and the
 * poll for a pipeline runs while it has one. Each listener still decides what to send (only on change, not
 * after its stage completed).
 */
export class SharedProgressPoll {
  private readonly polls = new Map<string, Poll>();

  constructor(private readonly intervalMs = SSE_PROGRESS_POLL_MS) {}

  /** Starts (or joins) the poll of a pipeline; the returned function leaves it. */
  watch(pipelineId: string, read: ReadProgress, listener: Listener): () => void {
    let poll = this.polls.get(pipelineId);
    if (poll) {
      poll.read = read;
    } else {
      const created: Poll = { listeners: new Set(), read, busy: false, timer: setInterval(() => this.tick(created), this.intervalMs) };
      poll = created;
      this.polls.set(pipelineId, created);
    }
    poll.listeners.add(listener);
    const joined = poll;
    return () => {
      joined.listeners.delete(listener);
      if (joined.listeners.size > 0 || this.polls.get(pipelineId) !== joined) return;
      clearInterval(joined.timer);
      this.polls.delete(pipelineId);
    };
  }

  /** Pipelines being polled now (for tests and the shutdown). */
  get size(): number {
    return this.polls.size;
  }

  close(): void {
    for (const poll of this.polls.values()) clearInterval(poll.timer);
    this.polls.clear();
  }

  private tick(poll: Poll): void {
    if (poll.busy) return;
    poll.busy = true;
    poll.read().then((progress) => {
      if (progress) for (const listener of [...poll.listeners]) listener(progress);
    }, () => undefined).finally(() => { poll.busy = false; });
  }
}
