import { Script, WORDS_PER_MINUTE, type Language, type ScriptGenerateInput } from '@faceless/contracts';
import { FacelessError, sleep } from '@faceless/runtime';
import { createOpenAiClient, openAiApiRoot, openAiFailure, type OpenAiChatRequest } from '@faceless/runtime/openai';
import { z } from 'zod';
import { salientWords } from '../salient-words.ts';
import { SCRIPT_JSON_SCHEMA } from '../script-json-schema.ts';
import { finalizeScript, sectionCountFor, targetWordCount, type ScriptDraft } from '../script-stats.ts';
import { HEADING_MAX_CHARS, truncateAtWord } from '../template-writer.ts';
import type { ScriptProvider, ScriptProviderContext } from './script-provider.ts';

export interface OpenAiScriptOptions {
  /** Optional for local OpenAI-compatible servers (Ollama, LM Studio, llama.cpp) that take no key. */
  apiKey?: string;
  /** Default https://api.openai.com; "/v1" at the end is accepted too. */
  baseUrl: string;
  model: string;
  timeoutMs?: number;
  /** Tries for 429 and 5xx answers and network errors. */
  attempts?: number;
  retryBaseDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the error goes back to the orchestrator instead. */
  maxRetryAfterMs?: number;
  /** What the stage reports as its provider ("openai"; "ollama:llama3.2" for a local server). */
  name?: string;
}

const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English', fr: 'French', es: 'Spanish', de: 'German', it: 'Italian', pt: 'Portuguese',
};

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export { retryAfterMs } from '@faceless/runtime/openai';

/** The prompt: language, target length in words (at the voice's pace), section count, keywords to weave in. */
export function buildScriptMessages(input: ScriptGenerateInput, note?: string, wordsPerMinute: number = WORDS_PER_MINUTE): ChatMessage[] {
  const words = targetWordCount(input.durationSec, wordsPerMinute);
  const sections = sectionCountFor(input.durationSec);
  const language = LANGUAGE_NAMES[input.lang];
  const system = [
    'You write narration scripts for faceless YouTube videos: a voice reads every word over stock footage, with captions.',
    `Write everything in ${language}, with correct spelling, accents and punctuation.`,
    'Write plain spoken sentences: no Markdown, no emojis, no stage directions, no speaker labels, no URLs.',
    'Be accurate: do not invent statistics, quotes or sources. Prefer concrete examples to vague claims.',
  ].join('\n');
  const user = [
    `Topic: ${input.topic}`,
    `Length: about ${words} spoken words in total (${input.durationSec} seconds at ${Math.round(wordsPerMinute)} words a minute), counting the hook and the call to action. Stay within 10% of ${words} words.`,
    `Structure: a hook (a question or a surprising promise, one or two sentences), exactly ${sections} sections, then a short call to action.`,
    `Each section: a heading of at most ${HEADING_MAX_CHARS} characters (it becomes a YouTube chapter title), its narration, and 2 to 4 concrete nouns (visualKeywords, in ${language}) describing what to show on screen.`,
    'titleIdea: a catchy title of at most 70 characters.',
    ...(input.keywords.length > 0 ? [`Work these search keywords in naturally where they fit: ${input.keywords.slice(0, 12).join('; ')}.`] : []),
    ...(note ? [note] : []),
  ].join('\n');
  return [{ role: 'system', content: system }, { role: 'user', content: user }];
}

const Draft = z.object({
  titleIdea: z.string().trim().min(1),
  hook: z.string().trim().min(1),
  sections: z.array(z.object({
    heading: z.string().trim().min(1),
    narration: z.string().trim().min(1),
    visualKeywords: z.array(z.string()),
  })).min(1).max(20),
  callToAction: z.string().trim().min(1),
});

const Completion = z.object({
  choices: z.array(z.object({
    finish_reason: z.string().nullish(),
    message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }),
  })).min(1),
});

/** Limits the model was asked to respect, applied in case it did not. */
export function tidyDraft(draft: z.infer<typeof Draft>, lang: Language): ScriptDraft {
  return {
    titleIdea: truncateAtWord(draft.titleIdea, 100),
    hook: draft.hook,
    sections: draft.sections.map((s) => {
      const visuals = s.visualKeywords.map((v) => v.trim()).filter(Boolean).slice(0, 4);
      return {
        heading: truncateAtWord(s.heading.replace(/^#+\s*/, ''), HEADING_MAX_CHARS),
        narration: s.narration,
        visualKeywords: visuals.length > 0 ? visuals : salientWords(`${s.heading} ${s.narration}`, lang),
      };
    }),
    callToAction: draft.callToAction,
  };
}

/** Parses an answer's message content into a validated Script, or says what is wrong with it. */
export function parseScriptContent(content: string, lang: Language, wordsPerMinute: number = WORDS_PER_MINUTE): Script {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    throw new FacelessError('PROVIDER_BAD_RESPONSE', `the model's answer is not valid JSON: ${JSON.stringify(content.slice(0, 120))}`);
  }
  const draft = Draft.safeParse(json);
  if (!draft.success) {
    const issues = draft.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`).join('; ');
    throw new FacelessError('PROVIDER_BAD_RESPONSE', `the model's script does not match the schema (${issues})`);
  }
  const script = Script.safeParse(finalizeScript(tidyDraft(draft.data, lang), lang, wordsPerMinute));
  if (!script.success) {
    throw new FacelessError('PROVIDER_BAD_RESPONSE', `the model's script is invalid: ${script.error.issues[0]?.message ?? 'unknown'}`);
  }
  return script.data;
}

/** The wait a server asked for (Retry-After) on a retryable error. */
const retryDelays = new WeakMap<FacelessError, number>();

/**
 * Any OpenAI-compatible chat completions server (OpenAI, Ollama, vLLM, LM Studio, llama.cpp, OpenRouter),
 * through the openai SDK, asked for a strict JSON-schema answer. 429 and 5xx are retried here (honouring
 * Retry-After up to maxRetryAfterMs; the SDK's own retries are off, see createOpenAiClient); an answer cut
 * off at the token limit is asked again once, shorter; refusals and malformed answers fail clearly.
 */
export function createOpenAiScriptProvider(options: OpenAiScriptOptions): ScriptProvider {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const client = createOpenAiClient({ baseUrl: options.baseUrl, timeoutMs, ...(options.apiKey ? { apiKey: options.apiKey } : {}) });
  const endpoint = `${openAiApiRoot(options.baseUrl)}/v1/chat/completions`;
  const attempts = options.attempts ?? 3;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;

  async function post(body: OpenAiChatRequest, ctx: ScriptProviderContext): Promise<z.infer<typeof Completion>> {
    let answer: unknown;
    try {
      answer = await client.chat.completions.create(body, { signal: ctx.signal });
    } catch (err) {
      const failure = openAiFailure(err, {
        api: 'the chat API', endpoint, signal: ctx.signal, timeoutMs, keyVar: 'OPENAI_API_KEY', baseUrlVar: 'OPENAI_BASE_URL',
        ...(options.apiKey ? { apiKey: options.apiKey } : {}),
        refused: (status, said) => (status === 404
          ? new FacelessError('INVALID_OPTION', `the chat API has no model "${options.model}" or no ${endpoint} (HTTP 404${said}). Check OPENAI_MODEL and OPENAI_BASE_URL`, { field: 'OPENAI_MODEL' })
          : new FacelessError('INVALID_OPTION', `the chat API refused the request (HTTP ${status}${said}). The model "${options.model}" may not support json_schema structured outputs: check OPENAI_MODEL`, { field: 'OPENAI_MODEL' })),
      });
      if (failure.error instanceof FacelessError) {
        if (failure.retryAfterMs !== undefined) retryDelays.set(failure.error, failure.retryAfterMs);
        throw failure.error;
      }
      // An answer that is not JSON (a proxy's HTML page): the SDK fails to parse it.
      throw new FacelessError('PROVIDER_BAD_RESPONSE', `the chat API at ${endpoint} did not answer JSON: ${(err as Error).message.slice(0, 120)}`, { cause: err });
    }
    const parsed = Completion.safeParse(answer);
    if (!parsed.success) throw new FacelessError('PROVIDER_BAD_RESPONSE', `the chat API answered without choices[0].message: ${JSON.stringify(JSON.stringify(answer ?? null).slice(0, 120))}`);
    return parsed.data;
  }

  async function postWithRetry(body: OpenAiChatRequest, ctx: ScriptProviderContext): Promise<z.infer<typeof Completion>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await post(body, ctx);
      } catch (err) {
        if (!(err instanceof FacelessError) || !err.retryable || attempt >= attempts) throw err;
        const delay = retryDelays.get(err) ?? (options.retryBaseDelayMs ?? 1000) * 2 ** (attempt - 1);
        if (delay > maxRetryAfterMs) throw err;
        ctx.log.warn('chat API call failed; retrying', { attempt, delayMs: delay, code: err.code, error: err.message });
        await sleep(delay, ctx.signal);
      }
    }
  }

  return {
    name: options.name ?? 'openai',
    async write(input, ctx) {
      const target = targetWordCount(input.durationSec, ctx.wordsPerMinute);
      let note: string | undefined;
      for (let round = 1; ; round++) {
        const completion = await postWithRetry({
          model: options.model,
          messages: buildScriptMessages(input, note, ctx.wordsPerMinute),
          response_format: { type: 'json_schema', json_schema: { name: 'faceless_script', strict: true, schema: SCRIPT_JSON_SCHEMA } },
        }, ctx);
        const choice = completion.choices[0];
        const message = choice?.message;
        if (message?.refusal) {
          throw new FacelessError('PROVIDER_BAD_RESPONSE', `the model refused to write this script: "${message.refusal}". Rephrase the topic, or use SCRIPT_PROVIDER=offline`);
        }
        if (choice?.finish_reason === 'length') {
          if (round >= 2) {
            throw new FacelessError('PROVIDER_BAD_RESPONSE', `the model's answer was cut off at its output limit twice (finish_reason "length"). Ask for a shorter durationSec or pick a model with a larger output limit in OPENAI_MODEL`);
          }
          ctx.log.warn('the chat answer was cut off at the token limit; asking again for a shorter one');
          note = `Your previous answer was cut off before the JSON was complete. Keep it shorter: at most ${target} words in total, and close the JSON.`;
          continue;
        }
        if (choice?.finish_reason === 'content_filter') {
          throw new FacelessError('PROVIDER_BAD_RESPONSE', 'the chat API filtered the answer (finish_reason "content_filter"). Rephrase the topic, or use SCRIPT_PROVIDER=offline');
        }
        if (!message?.content) throw new FacelessError('PROVIDER_BAD_RESPONSE', 'the chat API answered without message content');
        const script = parseScriptContent(message.content, input.lang, ctx.wordsPerMinute);
        const off = script.wordCount / target - 1;
        if (Math.abs(off) > 0.25) {
          ctx.log.warn('the model missed the target length', { words: script.wordCount, target, durationSec: input.durationSec });
        }
        return { ...script, lang: input.lang };
      }
    },
  };
}
