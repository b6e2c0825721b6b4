import '@faceless/runtime/tracing-register'; // first: tracing patches the modules imported after it
import { DEFAULT_EVENTS_EXCHANGE, MemoryEventBus, RabbitEventBus, type EventBus } from '@faceless/infra';
import { createLogger, flushTracing, isFacelessError } from '@faceless/runtime';
import { createApiKey } from './api-keys.ts';
import { artifactLinksFromEnv } from './artifact-links.ts';
import { buildGatewayApp, type PipelineEventSource } from './gateway-app.ts';
import { loadGatewayConfig } from './gateway-config.ts';

/**
 * `node --import tsx services/api-gateway/src/main.ts` serves the gateway;
 * `… main.ts create-key <id>` prints a new key and the API_KEYS entry holding only its hash.
 */
export async function main(argv: readonly string[] = process.argv.slice(2), options: { events?: PipelineEventSource } = {}): Promise<void> {
  if (argv[0] === 'create-key') {
    const { key, hash } = createApiKey();
    const id = argv[1] ?? 'default';
    process.stdout.write(`key (shown once, give it to the client): ${key}\nAPI_KEYS entry: ${id}:${hash}\n`);
    return;
  }
  const config = loadGatewayConfig(process.env);
  const logger = createLogger({ level: config.logLevel, base: { service: 'api-gateway' } });
  // Server-sent events are fed from the RabbitMQ topic exchange the orchestrator publishes to.
  const amqpUrl = process.env.AMQP_URL?.trim();
  const bus: EventBus | undefined = options.events ? undefined : amqpUrl
    ? new RabbitEventBus({ url: amqpUrl, exchange: process.env.EVENTS_EXCHANGE?.trim() || DEFAULT_EVENTS_EXCHANGE })
    : new MemoryEventBus();
  // On a folder store the gateway serves the artifacts itself through signed links (S3 signs its own).
  const artifactLinks = artifactLinksFromEnv(process.env);
  const app = buildGatewayApp({ config, logger, events: options.events ?? bus ?? new MemoryEventBus(), ...(artifactLinks ? { artifactLinks } : {}) });
  const stop = (): void => {
    void app.close().then(() => bus?.close()).then(() => flushTracing()).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const address = await app.listen({ port: config.port, host: config.host });
  logger.info('api-gateway listening', { address, orchestrator: config.upstreams.orchestrator, authDisabled: config.authDisabled });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`${isFacelessError(err) ? `${err.code}: ${err.message}` : String(err)}\n`);
    process.exit(1);
  });
}
