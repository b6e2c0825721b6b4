import { OutboxEventBus, type EventBus } from '@faceless/infra';
import { createOperatorMetrics, type MetricsRegistry } from '@faceless/runtime';

/**
 * The event outbox's gauges on an app registry, read at each scrape: events RabbitMQ has not
 * confirmed yet and the age of the oldest. A bus without an outbox (no AMQP_URL: the in-process
 * bus) has nothing waiting, so both read 0; while Redis does not answer the series disappear
 * instead of failing /metrics.
 */
export function registerOutboxMetrics(registry: MetricsRegistry, bus: EventBus, now: () => Date = () => new Date()): void {
  const backlog = (): Promise<{ pending: number; oldestAt: string | undefined } | undefined> => (bus instanceof OutboxEventBus
    ? bus.backlog().catch(() => undefined)
    : Promise.resolve({ pending: 0, oldestAt: undefined }));
  createOperatorMetrics(registry, ['outboxPending', 'outboxOldest'], {
    collect: {
      outboxPending: async (gauge) => {
        gauge.reset();
        const b = await backlog();
        if (b) gauge.set(b.pending);
      },
      outboxOldest: async (gauge) => {
        gauge.reset();
        const b = await backlog();
        if (b) gauge.set(b.oldestAt ? Math.max(0, (now().getTime() - Date.parse(b.oldestAt)) / 1000) : 0);
      },
    },
  });
}
