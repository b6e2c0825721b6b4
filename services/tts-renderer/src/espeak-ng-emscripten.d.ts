// The package ships no types; this covers the part of its API that providers/espeak.ts uses.
declare module '@echogarden/espeak-ng-emscripten' {
  export interface EspeakEvent {
    type: 'list_terminated' | 'word' | 'sentence' | 'mark' | 'play' | 'end' | 'msg_terminated' | 'phoneme' | 'samplerate';
    /** Milliseconds from the start of this synthesize() call's audio. */
    audio_position: number;
    text_position: number;
    word_length: number;
    /** The mark's name for marks, a number for words and sentences. */
    id: string | number | undefined;
  }
  export interface EspeakVoice {
    name: string;
    identifier: string;
    languages: { priority: number; name: string }[];
  }
  export interface EspeakWorker {
    /** 0 on success, non-zero when no voice matches. */
    set_voice(name: string): number;
    set_rate(wordsPerMinute: number): number;
    set_pitch(pitch: number): number;
    set_range(range: number): number;
    get_samplerate(): number;
    list_voices(): EspeakVoice[];
    /** Calls back synchronously with chunks of mono 16-bit samples; returning true aborts. */
    synthesize(text: string, callback: (samples: Int16Array, events: EspeakEvent[]) => boolean): void;
  }
  export interface EspeakModule {
    eSpeakNGWorker: new () => EspeakWorker;
  }
  export default function init(): Promise<EspeakModule>;
}
