import type { Script, ScriptGenerateInput } from '@faceless/contracts';
import type { Logger } from '@faceless/runtime';

export interface ScriptProviderContext {
  log: Logger;
  signal: AbortSignal;
  /** The voice's pace at the requested speed, pauses included: durationSec × this / 60 words fill the video. */
  wordsPerMinute: number;
}

/**
 * Who writes the script for a topic (the offline template writer, or a chat model). The user's own
 * text (`sourceText`) never reaches a provider: the stage parses it.
 */
export interface ScriptProvider {
  readonly name: string;
  write(input: ScriptGenerateInput, ctx: ScriptProviderContext): Promise<Script>;
}
