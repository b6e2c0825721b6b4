import { ScriptGenerateInput, ScriptGenerateOutput } from '@faceless/contracts';
import { defineStage, type Stage } from '@faceless/runtime';
import { parseScriptText } from './parse-script-text.ts';
import type { ScriptProvider } from './providers/script-provider.ts';
import { finalizeScript } from './script-stats.ts';

export const SOURCE_TEXT_PROVIDER = 'source-text';

export interface ScriptGeneratorDeps {
  provider: ScriptProvider;
}

/** The script-generator stage: a topic (or the user's own text) in, a structured, timed script out. */
export function createScriptGenerator(deps: ScriptGeneratorDeps): Stage<typeof ScriptGenerateInput, typeof ScriptGenerateOutput> {
  return defineStage({
    name: 'script-generator',
    input: ScriptGenerateInput,
    output: ScriptGenerateOutput,
    async run(input, ctx) {
      if (input.sourceText !== undefined) {
        ctx.progress(0, 'reading your script');
        const script = parseScriptText(input.sourceText, input.lang);
        const ratio = script.estimatedDurationSec / input.durationSec;
        if (ratio < 0.75 || ratio > 1.25) {
          ctx.log.warn('the script text is read as written, so the video will not last durationSec', {
            estimatedDurationSec: script.estimatedDurationSec, durationSec: input.durationSec,
          });
        }
        ctx.progress(1, `${script.wordCount} words`);
        return { provider: SOURCE_TEXT_PROVIDER, script };
      }
      ctx.progress(0, `writing the script with ${deps.provider.name}`);
      const written = await deps.provider.write(input, { log: ctx.log, signal: ctx.signal });
      // Counts come from the text, whatever the provider claimed.
      const { wordCount: _w, estimatedDurationSec: _d, lang: _l, ...draft } = written;
      const script = finalizeScript(draft, input.lang);
      ctx.progress(1, `${script.wordCount} words`);
      return { provider: deps.provider.name, script };
    },
  });
}
