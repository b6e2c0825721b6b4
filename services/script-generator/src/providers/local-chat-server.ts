import { parseJsonOrUndefined } from '@faceless/runtime';

export const LOCAL_SERVER_KINDS = { ollama: 'Ollama', lmstudio: 'LM Studio' } as const;
export type LocalServerKind = keyof typeof LOCAL_SERVER_KINDS;

export interface LocalChatServer {
  kind: LocalServerKind;
  baseUrl: string;
  /** Model ids the server offers, as /v1/models (or Ollama's /api/tags) lists them. */
  models: string[];
}

export interface LocalProbeOptions {
  ollamaUrl: string;
  lmStudioUrl: string;
  /** Short: a laptop with no local server must not wait for the probe. */
  probeTimeoutMs: number;
}

async function getJson(url: string, timeoutMs: number): Promise<unknown> {
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    return parseJsonOrUndefined(await res.text());
  } catch {
    return undefined;
  }
}

function ids(list: unknown, key: 'id' | 'name'): string[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((m) => (m as Record<string, unknown> | null)?.[key]).filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** The server's models, or undefined when nothing OpenAI-compatible answers at baseUrl. */
async function listModels(kind: LocalServerKind, baseUrl: string, timeoutMs: number): Promise<string[] | undefined> {
  const base = baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  const openAi = ids((await getJson(`${base}/v1/models`, timeoutMs) as { data?: unknown } | undefined)?.data, 'id');
  if (openAi !== undefined || kind !== 'ollama') return openAi;
  // Ollama before 0.1.33 has no /v1/models, only its own list.
  return ids((await getJson(`${base}/api/tags`, timeoutMs) as { models?: unknown } | undefined)?.models, 'name');
}

/** Every local server that answers (Ollama first, then LM Studio), asked at the same time. */
export async function probeLocalChatServers(options: LocalProbeOptions): Promise<LocalChatServer[]> {
  const candidates: [LocalServerKind, string][] = [['ollama', options.ollamaUrl], ['lmstudio', options.lmStudioUrl]];
  const found = await Promise.all(candidates.map(async ([kind, baseUrl]) => {
    const models = await listModels(kind, baseUrl, options.probeTimeoutMs);
    return models === undefined ? undefined : { kind, baseUrl: baseUrl.replace(/\/+$/, ''), models };
  }));
  return found.filter((s): s is LocalChatServer => s !== undefined);
}

/** The model to write with: the one asked for, else the first that is not an embedding model. */
export function chatModelOf(server: LocalChatServer, wanted?: string): string | undefined {
  if (wanted) return wanted;
  return server.models.find((m) => !/embed/i.test(m));
}

const probes = new Map<string, Promise<LocalChatServer[]>>();

/** probeLocalChatServers, asked once per process for the same addresses. */
export function probeLocalChatServersOnce(options: LocalProbeOptions): Promise<LocalChatServer[]> {
  const key = `${options.ollamaUrl}|${options.lmStudioUrl}`;
  let probe = probes.get(key);
  if (!probe) {
    probe = probeLocalChatServers(options);
    probes.set(key, probe);
  }
  return probe;
}
