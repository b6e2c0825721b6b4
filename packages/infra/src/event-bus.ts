import type { PipelineEvent } from '@faceless/contracts';

/** Where pipeline events go: an in-process emitter here, a RabbitMQ topic exchange in the services mode. */
export interface EventBus {
  publish(event: PipelineEvent): Promise<void>;
  subscribe(listener: (event: PipelineEvent) => void): () => void;
  close(): Promise<void>;
}

export class MemoryEventBus implements EventBus {
  private readonly listeners = new Set<(event: PipelineEvent) => void>();
  /** The most recent events, for tests and inspection; capped so a long-running server does not grow. */
  readonly published: PipelineEvent[] = [];

  constructor(private readonly keep = 1000) {}

  publish(event: PipelineEvent): Promise<void> {
    this.published.push(event);
    if (this.published.length > this.keep) this.published.splice(0, this.published.length - this.keep);
    for (const listener of this.listeners) listener(event);
    return Promise.resolve();
  }

  subscribe(listener: (event: PipelineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }
}
