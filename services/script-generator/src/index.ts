import type { Stage, StageFactoryOptions } from '@faceless/runtime';
import { readScriptConfig } from './config.ts';
import { createTemplateScriptProvider } from './providers/offline.ts';
import { createOpenAiScriptProvider } from './providers/openai.ts';
import type { ScriptProvider } from './providers/script-provider.ts';
import { createScriptGenerator } from './stage.ts';

export { createScriptGenerator, SOURCE_TEXT_PROVIDER, type ScriptGeneratorDeps } from './stage.ts';
export { readScriptConfig, type ScriptConfig } from './config.ts';
export { parseScriptText, stripInlineMarkdown } from './parse-script-text.ts';
export { writeTemplateScript, type TemplateScriptInput } from './template-writer.ts';
export { countWords, targetWordCount, sectionCountFor, finalizeScript } from './script-stats.ts';
export type { ScriptProvider, ScriptProviderContext } from './providers/script-provider.ts';
export { createTemplateScriptProvider } from './providers/offline.ts';
export { createOpenAiScriptProvider, buildScriptMessages, type OpenAiScriptOptions } from './providers/openai.ts';
export { SCRIPT_JSON_SCHEMA, strictSchemaViolations } from './script-json-schema.ts';

/** The provider the environment asks for: the chat API when OPENAI_API_KEY is set (or SCRIPT_PROVIDER forces it), else the template writer. */
export function createScriptProvider(env: Record<string, string | undefined>): ScriptProvider {
  const config = readScriptConfig(env);
  if (config.provider === 'openai') {
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

export function createStage(options: StageFactoryOptions): Stage {
  return createScriptGenerator({ provider: createScriptProvider(options.env) });
}
