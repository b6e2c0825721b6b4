import { connect, type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { PipelineEvent } from '@faceless/contracts';
import type { EventBus } from './event-bus.ts';

export const DEFAULT_EVENTS_EXCHANGE = 'faceless.events';
/** Every pipeline event name starts with `pipeline.`, so this binding sees them all. */
export const ALL_PIPELINE_EVENTS = 'pipeline.#';

export interface RabbitConnectionOptions {
  /** amqp://user:pass@host:port/vhost */
  url: string;
  /** Durable topic exchange; created if missing. Default `faceless.events`. */
  exchange?: string;
  heartbeatIntervalInSeconds?: number;
  /** Pause between reconnect attempts after the broker goes away. Default 1 s. */
  reconnectTimeInSeconds?: number;
}

export interface RabbitEventBusOptions extends RabbitConnectionOptions {
  /** A publish not confirmed within this time rejects (the message is withdrawn from the send queue). Default 10 s. */
  publishTimeoutMs?: number;
  /** Called when an in-process subscriber gets a message that is not a valid PipelineEvent. */
  onInvalidMessage?: (err: unknown, msg: ConsumeMessage) => void;
}

export interface EventMeta {
  routingKey: string;
  messageId: string | undefined;
  redelivered: boolean;
}

function openConnection(options: RabbitConnectionOptions): AmqpConnectionManager {
  return connect([options.url], {
    heartbeatIntervalInSeconds: options.heartbeatIntervalInSeconds ?? 5,
    reconnectTimeInSeconds: options.reconnectTimeInSeconds ?? 1,
  });
}

/** Parses a delivered message body; throws on bad JSON or a body that is not a PipelineEvent. */
export function decodeEventMessage(msg: ConsumeMessage): PipelineEvent {
  return PipelineEvent.parse(JSON.parse(msg.content.toString('utf8')));
}

/**
 * Publishes pipeline events to a durable RabbitMQ topic exchange through a confirm channel, routing key = event name.
 * amqp-connection-manager reconnects after a broker outage and re-runs the channel setup (exchange, queues, consumers).
 */
export class RabbitEventBus implements EventBus {
  readonly exchange: string;
  private readonly connection: AmqpConnectionManager;
  private readonly publisher: ChannelWrapper;
  private subscriber: ChannelWrapper | undefined;
  private readonly listeners = new Set<(event: PipelineEvent) => void>();
  private closed = false;

  constructor(private readonly options: RabbitEventBusOptions) {
    this.exchange = options.exchange ?? DEFAULT_EVENTS_EXCHANGE;
    this.connection = openConnection(options);
    // Without a listener an 'error' event would crash the process; reconnects are handled by the manager.
    this.connection.on('connectFailed', () => {});
    this.publisher = this.connection.createChannel({
      name: 'faceless-events-publisher',
      confirm: true,
      publishTimeout: options.publishTimeoutMs ?? 10_000,
      setup: async (ch: ConfirmChannel) => {
        await ch.assertExchange(this.exchange, 'topic', { durable: true });
      },
    });
    this.publisher.on('error', () => {});
  }

  /** Resolves once the broker has confirmed the message; rejects on nack, close or timeout. */
  async publish(event: PipelineEvent): Promise<void> {
    if (this.closed) throw new Error('RabbitEventBus is closed');
    const body = Buffer.from(JSON.stringify(event));
    await this.publisher.publish(this.exchange, event.name, body, {
      persistent: true,
      contentType: 'application/json',
      messageId: event.id,
      timestamp: Math.floor(Date.parse(event.at) / 1000) || undefined,
      headers: { pipelineId: event.pipelineId, seq: event.seq },
    });
  }

  /** In-process listeners (e.g. an SSE stream) fed from an exclusive auto-delete queue bound to `pipeline.#`. */
  subscribe(listener: (event: PipelineEvent) => void): () => void {
    this.listeners.add(listener);
    this.subscriber ??= this.createSubscriber();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves when the publisher channel (and the subscriber queue, if any) is set up. */
  async ready(): Promise<void> {
    await this.publisher.waitForConnect();
    if (this.subscriber) await this.subscriber.waitForConnect();
  }

  isConnected(): boolean {
    return this.connection.isConnected();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    await this.subscriber?.close().catch(() => {});
    await this.publisher.close().catch(() => {});
    await this.connection.close();
  }

  private createSubscriber(): ChannelWrapper {
    const channel = this.connection.createChannel({
      name: 'faceless-events-subscriber',
      confirm: false,
      setup: async (ch: ConfirmChannel) => {
        await ch.assertExchange(this.exchange, 'topic', { durable: true });
        const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
        await ch.bindQueue(queue, this.exchange, ALL_PIPELINE_EVENTS);
        await ch.consume(queue, (msg) => {
          if (!msg) return;
          let event: PipelineEvent;
          try {
            event = decodeEventMessage(msg);
          } catch (err) {
            this.options.onInvalidMessage?.(err, msg);
            return;
          }
          for (const listener of this.listeners) listener(event);
        }, { noAck: true });
      },
    });
    channel.on('error', () => {});
    return channel;
  }
}

export interface ConsumeEventsOptions extends RabbitConnectionOptions {
  /** Topic pattern, default `pipeline.#`. */
  bindingKey?: string;
  /** A durable named queue (survives consumer restarts); omitted → an exclusive auto-delete server-named queue. */
  queue?: string;
  prefetch?: number;
  /** The message is acked after this resolves. */
  onEvent: (event: PipelineEvent, meta: EventMeta) => void | Promise<void>;
  /** Invalid messages and handler failures are rejected without requeue and reported here. */
  onError?: (err: unknown, msg: ConsumeMessage) => void;
}

/**
 * Consumes pipeline events from the exchange on its own connection (reconnecting), acking each after `onEvent`.
 * Resolves once the queue is bound and consuming; the returned function stops and disconnects.
 */
export async function consumeEvents(options: ConsumeEventsOptions): Promise<() => Promise<void>> {
  const exchange = options.exchange ?? DEFAULT_EVENTS_EXCHANGE;
  const connection = openConnection(options);
  connection.on('connectFailed', () => {});
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const channel = connection.createChannel({
    name: 'faceless-events-consumer',
    confirm: false,
    setup: async (ch: ConfirmChannel) => {
      await ch.assertExchange(exchange, 'topic', { durable: true });
      const { queue } = options.queue
        ? await ch.assertQueue(options.queue, { durable: true })
        : await ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
      await ch.bindQueue(queue, exchange, options.bindingKey ?? ALL_PIPELINE_EVENTS);
      await ch.prefetch(options.prefetch ?? 1);
      await ch.consume(queue, (msg) => {
        if (!msg) return;
        void handle(ch, msg);
      });
      markReady();
    },
  });
  channel.on('error', () => {});

  async function handle(ch: ConfirmChannel, msg: ConsumeMessage): Promise<void> {
    try {
      const event = decodeEventMessage(msg);
      await options.onEvent(event, {
        routingKey: msg.fields.routingKey,
        messageId: typeof msg.properties.messageId === 'string' ? msg.properties.messageId : undefined,
        redelivered: msg.fields.redelivered,
      });
      ch.ack(msg);
    } catch (err) {
      options.onError?.(err, msg);
      try {
        ch.nack(msg, false, false);
      } catch {
        // The channel died meanwhile; the broker redelivers unacked messages on a durable queue.
      }
    }
  }

  await ready;
  return async () => {
    await channel.close().catch(() => {});
    await connection.close();
  };
}
