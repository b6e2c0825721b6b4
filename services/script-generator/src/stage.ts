import { ScriptGenerateInput, ScriptGenerateOutput, speakingRate, type Language } from '@faceless/contracts';
import { defineStage, FacelessError, type Logger, type Stage } from '@faceless/runtime';
import { parseScriptText } from './parse-script-text.ts';
import type { ScriptProvider } from './providers/script-provider.ts';
import { finalizeScript } from './script-stats.ts';

export const SOURCE_TEXT_PROVIDER = 'source-text';

export interface ScriptGeneratorDeps {
  /** The writer, or how to find it at run time (auto: a local chat server if one answers). */
  provider: ScriptProvider | ((ctx: { log: Logger }) => Promise<ScriptProvider>);
  /** Writes instead when the provider fails for a reason other than cancellation (auto: the templates). */
  fallback?: ScriptProvider;
  /** Words a minute the voice speaks `lang` at `speed`, pauses included; espeak-ng's measured pace when absent. */
  speakingRate?: (lang: Language, speed: number) => number;
}

/** The script-generator stage: a topic (or the user's own text) in, a structured, timed script out. */
export function createScriptGenerator(deps: ScriptGeneratorDeps): Stage<typeof ScriptGenerateInput, typeof ScriptGenerateOutput> {
  return defineStage({
    name: 'script-generator',
    input: ScriptGenerateInput,
    output: ScriptGenerateOutput,
    async run(input, ctx) {
      const wordsPerMinute = (deps.speakingRate ?? ((lang, speed) => speakingRate('espeak', lang, speed)))(input.lang, input.voiceSpeed ?? 1);
      if (input.sourceText !== undefined) {
        ctx.progress(0, 'reading your script');
        const { wordCount: _w, estimatedDurationSec: _d, lang: _l, ...parsed } = parseScriptText(input.sourceText, input.lang);
        const script = finalizeScript(parsed, input.lang, wordsPerMinute);
        const ratio = script.estimatedDurationSec / input.durationSec;
        if (ratio < 0.75 || ratio > 1.25) {
          ctx.log.warn('the script text is read as written, so the video will not last durationSec', {
            estimatedDurationSec: script.estimatedDurationSec, durationSec: input.durationSec,
          });
        }
        ctx.progress(1, `${script.wordCount} words`);
        return { provider: SOURCE_TEXT_PROVIDER, script };
      }
      let provider = typeof deps.provider === 'function' ? await deps.provider({ log: ctx.log }) : deps.provider;
      ctx.progress(0, `writing the script with ${provider.name}`);
      const providerCtx = { log: ctx.log, signal: ctx.signal, wordsPerMinute };
      let written;
      try {
        written = await provider.write(input, providerCtx);
      } catch (err) {
        const cancelled = ctx.signal.aborted || (err instanceof FacelessError && err.code === 'CANCELLED');
        if (!deps.fallback || deps.fallback === provider || cancelled) throw err;
        ctx.log.warn(`${provider.name} failed; writing the script with ${deps.fallback.name} instead`, { error: (err as Error).message });
        provider = deps.fallback;
        written = await provider.write(input, providerCtx);
      }
      // Counts come from the text, whatever the provider claimed.
      const { wordCount: _w, estimatedDurationSec: _d, lang: _l, ...draft } = written;
      const script = finalizeScript(draft, input.lang, wordsPerMinute);
      ctx.progress(1, `${script.wordCount} words`);
      return { provider: provider.name, script };
    },
  });
}
