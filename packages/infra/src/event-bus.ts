import type { PipelineEvent } from '@faceless/contracts';

/** Where pipeline events go: an in-process emitter here, a RabbitMQ topic exchange in the services mode. */
export interface EventBus {
  publish(event: PipelineEvent): Promise<void>;
  subscribe(listener: (event: PipelineEvent) => void): () => void;
  close(): Promise<void>;
}

export class MemoryEventBus implements EventBus {
  private readonly listeners = new Set<(event: PipelineEvent) => void>();
  readonly published: PipelineEvent[] = [];

  publish(event: PipelineEvent): Promise<void> {
    this.published.push(event);
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
