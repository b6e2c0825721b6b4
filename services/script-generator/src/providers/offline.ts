import { writeTemplateScript } from '../template-writer.ts';
import type { ScriptProvider } from './script-provider.ts';

/** The offline default: the template writer, deterministic for a given topic, language, length and keywords. */
export function createTemplateScriptProvider(): ScriptProvider {
  return {
    name: 'template',
    write: (input, ctx) => Promise.resolve(writeTemplateScript({ ...input, wordsPerMinute: ctx.wordsPerMinute })),
  };
}
