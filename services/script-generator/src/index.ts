import { speakingRate, type ScriptGenerateInput, type ScriptGenerateOutput } from '@faceless/contracts';
import type { Stage, StageFactoryOptions } from '@faceless/runtime';
import { readScriptConfig } from './config.ts';
import { chatModelOf, probeLocalChatServersOnce } from './providers/local-chat-server.ts';
import { createTemplateScriptProvider } from './providers/offline.ts';
import { createOpenAiScriptProvider } from './providers/openai.ts';
import type { ScriptProvider } from './providers/script-provider.ts';
import { createScriptGenerator, type ScriptGeneratorDeps } from './stage.ts';

export { createScriptGenerator, SOURCE_TEXT_PROVIDER, type ScriptGeneratorDeps } from './stage.ts';
export { readScriptConfig, LOCAL_SERVER_DEFAULTS, type ScriptConfig } from './config.ts';
export { probeLocalChatServers, chatModelOf, LOCAL_SERVER_KINDS, type LocalChatServer } from './providers/local-chat-server.ts';
export { parseScriptText, stripInlineMarkdown } from './parse-script-text.ts';
export { writeTemplateScript, type TemplateScriptInput } from './template-writer.ts';
export { countWords, targetWordCount, sectionCountFor, finalizeScript } from './script-stats.ts';
export type { ScriptProvider, ScriptProviderContext } from './providers/script-provider.ts';
export { createTemplateScriptProvider } from './providers/offline.ts';
export { createOpenAiScriptProvider, buildScriptMessages, type OpenAiScriptOptions } from './providers/openai.ts';
export { SCRIPT_JSON_SCHEMA, strictSchemaViolations } from './script-json-schema.ts';

/**
 * The provider the environment names, without asking a local server: the chat API when OPENAI_API_KEY
 * is set (or SCRIPT_PROVIDER=openai), else the template writer.
 */
export function createScriptProvider(env: Record<string, string | undefined>): ScriptProvider {
  const config = readScriptConfig(env);
  if (config.provider === 'openai' || (config.provider === 'auto' && config.apiKey)) {
    return createOpenAiScriptProvider({
      ...(config.apiKey ? { apiKey: config.apiKey } : {}),
      baseUrl: config.baseUrl,
      model: config.model,
      timeoutMs: config.timeoutMs,
      attempts: config.attempts,
    });
  }
  return createTemplateScriptProvider();
}

/**
 * What the stage needs from the environment: its writer (with SCRIPT_PROVIDER=auto and no key, a local
 * Ollama or LM Studio when one answers, the templates if it fails) and the pace of the voice it writes for.
 */
export function scriptGeneratorDeps(env: Record<string, string | undefined>): ScriptGeneratorDeps {
  const config = readScriptConfig(env);
  const rate = {
    speakingRate: (lang: Parameters<typeof speakingRate>[1], speed: number) => (config.wordsPerMinute !== undefined
      ? config.wordsPerMinute * speed : speakingRate(config.voiceEngine, lang, speed)),
  };
  if (config.provider !== 'auto' || config.apiKey) return { provider: createScriptProvider(env), ...rate };
  const templates = createTemplateScriptProvider();
  return {
    ...rate,
    fallback: templates,
    provider: async ({ log }) => {
      const servers = await probeLocalChatServersOnce(config.local);
      for (const server of servers) {
        const model = chatModelOf(server, config.local.model);
        if (!model) continue;
        log.info('writing the script with a local chat server', { server: server.baseUrl, model });
        return createOpenAiScriptProvider({
          name: `${server.kind}:${model}`, baseUrl: server.baseUrl, model, timeoutMs: config.timeoutMs, attempts: config.attempts,
        });
      }
      return templates;
    },
  };
}

export function createStage(options: StageFactoryOptions): Stage<typeof ScriptGenerateInput, typeof ScriptGenerateOutput> {
  return createScriptGenerator(scriptGeneratorDeps(options.env));
}
