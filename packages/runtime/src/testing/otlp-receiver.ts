import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP/HTTP receiver got it, with its resource's service name and plain attribute values. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** 0 unset, 1 ok, 2 error. */
  status: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, unknown>;
}

interface JsonValue { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean }
interface JsonAttribute { key: string; value: JsonValue }
interface JsonSpan {
  traceId: string; spanId: string; parentSpanId?: string; name: string; kind?: number;
  startTimeUnixNano: string; endTimeUnixNano: string; attributes?: JsonAttribute[]; status?: { code?: number };
}
interface JsonExport {
  resourceSpans?: { resource?: { attributes?: JsonAttribute[] }; scopeSpans?: { spans?: JsonSpan[] }[] }[];
}

function plain(value: JsonValue): unknown {
  return value.stringValue ?? value.boolValue ?? value.doubleValue ?? (value.intValue === undefined ? undefined : Number(value.intValue));
}

function attributeMap(list: readonly JsonAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, plain(a.value)]));
}

/** The spans of one OTLP/HTTP JSON export body (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`). */
export function parseOtlpJson(body: string): ReceivedSpan[] {
  const parsed = JSON.parse(body) as JsonExport;
  return (parsed.resourceSpans ?? []).flatMap((rs) => {
    const service = String(attributeMap(rs.resource?.attributes)['service.name'] ?? '');
    return (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s): ReceivedSpan => ({
      service,
      traceId: s.traceId,
      spanId: s.spanId,
      parentSpanId: s.parentSpanId ?? '',
      name: s.name,
      kind: s.kind ?? 0,
      status: s.status?.code ?? 0,
      startNs: BigInt(s.startTimeUnixNano),
      endNs: BigInt(s.endTimeUnixNano),
      attributes: attributeMap(s.attributes),
    })));
  });
}

/**
 * A test's OTLP/HTTP collector on 127.0.0.1 (a free port): POST /v1/traces in http/json, every span
 * kept in `spans`. Give `endpoint` as OTEL_EXPORTER_OTLP_ENDPOINT.
 */
export async function startOtlpReceiver(): Promise<{ endpoint: string; spans: ReceivedSpan[]; close(): Promise<void> }> {
  const spans: ReceivedSpan[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !(req.headers['content-type'] ?? '').startsWith('application/json')) {
        res.writeHead(404).end();
        return;
      }
      try {
        spans.push(...parseOtlpJson(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
