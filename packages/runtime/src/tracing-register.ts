import { startTracing } from './tracing.ts';

/**
 * Imported first by every entry point (`import '@faceless/runtime/tracing-register'`), so that the
 * OpenTelemetry SDK, when the OTEL_* variables turn it on, is running before the modules it patches
 * are evaluated. The service name is the folder of the service being run (`services/<name>/src/main.ts`),
 * `faceless` for the CLI; OTEL_SERVICE_NAME overrides it.
 */
startTracing({ serviceName: /services\/([\w-]+)\/src\/main\.ts$/.exec(process.argv[1] ?? '')?.[1] ?? 'faceless' });
