import type { BatchOptions } from './batch-rows.ts';
import { ChannelField } from './channel-field.tsx';
import { VoiceField } from './voice-field.tsx';

export const LANGUAGE_NAMES = { en: 'English', fr: 'Français', es: 'Español', de: 'Deutsch', it: 'Italiano', pt: 'Português' } as const;
export const ASPECT_NAMES = { '9:16': '9:16 vertical (Shorts)', '16:9': '16:9 landscape', '1:1': '1:1 square' } as const;
export const CAPTION_STYLE_NAMES = {
  highlight: 'Highlight: one line, the spoken word in yellow',
  block: 'Block: two lines, the spoken word in green',
  single: 'Single: one big word at a time',
  plain: 'Plain: no highlight',
  none: 'None: no captions',
} as const;
export const MOODS = ['calm', 'upbeat', 'dramatic'] as const;

export const DEFAULT_OPTIONS = {
  lang: 'en', durationSec: 60, aspect: '9:16', captionStyle: 'highlight', music: true, channel: 'local',
} as const satisfies BatchOptions;

export interface OptionsFieldsProps {
  /** Prefix of the ids, so two forms can share a page. */
  idPrefix: string;
  value: BatchOptions;
  onChange: (value: BatchOptions) => void;
  /** The field the server named in its last error, to mark it invalid. */
  invalidField?: string | undefined;
}

/** The options with this voice, or none (the language's default). */
function withVoice(value: BatchOptions, voice: string | undefined): BatchOptions {
  const { voice: _old, ...rest } = value;
  return voice ? { ...rest, voice } : rest;
}

/** Language, duration, aspect, voice, captions, music and channel: the same fields for one video and for a batch. */
export function OptionsFields({ idPrefix, value, onChange, invalidField }: OptionsFieldsProps) {
  const id = (name: string): string => `${idPrefix}-${name}`;
  const set = <K extends keyof BatchOptions>(key: K, v: BatchOptions[K]): void => onChange({ ...value, [key]: v });
  const invalid = (field: string): { 'aria-invalid'?: 'true' } => (invalidField === field ? { 'aria-invalid': 'true' } : {});
  return (
    <div class="options-grid">
      <div class="field">
        <label for={id('lang')}>Language</label>
        <select id={id('lang')} value={value.lang} onChange={(e) => set('lang', e.currentTarget.value as BatchOptions['lang'])} {...invalid('lang')}>
          {Object.entries(LANGUAGE_NAMES).map(([code, name]) => <option key={code} value={code}>{name}</option>)}
        </select>
      </div>
      <div class="field">
        <label for={id('duration')}>Duration (seconds)</label>
        <input
          id={id('duration')} type="number" min={15} max={600} step={1} required value={value.durationSec}
          onInput={(e) => set('durationSec', e.currentTarget.valueAsNumber)} {...invalid('durationSec')}
        />
      </div>
      <div class="field">
        <label for={id('aspect')}>Aspect</label>
        <select id={id('aspect')} value={value.aspect} onChange={(e) => set('aspect', e.currentTarget.value as BatchOptions['aspect'])} {...invalid('aspect')}>
          {Object.entries(ASPECT_NAMES).map(([code, name]) => <option key={code} value={code}>{name}</option>)}
        </select>
      </div>
      <VoiceField id={id('voice')} lang={value.lang ?? DEFAULT_OPTIONS.lang} value={value.voice} onChange={(v) => onChange(withVoice(value, v))} invalid={invalidField === 'voice'} />
      <div class="field">
        <label for={id('captions')}>Caption style</label>
        <select id={id('captions')} value={value.captionStyle} onChange={(e) => set('captionStyle', e.currentTarget.value as BatchOptions['captionStyle'])} {...invalid('captionStyle')}>
          {Object.entries(CAPTION_STYLE_NAMES).map(([code, name]) => <option key={code} value={code}>{name}</option>)}
        </select>
      </div>
      <div class="field">
        <label for={id('mood')}>Music mood</label>
        <select id={id('mood')} value={value.music === false ? 'off' : value.mood ?? ''} {...invalid('mood')}
          onChange={(e) => {
            const v = e.currentTarget.value;
            const { mood: _mood, ...rest } = value;
            onChange(v === 'off' ? { ...rest, music: false } : { ...rest, music: true, ...(v ? { mood: v } : {}) });
          }}>
          <option value="">Any mood</option>
          {MOODS.map((m) => <option key={m} value={m}>{m[0]?.toUpperCase()}{m.slice(1)}</option>)}
          <option value="off">No music</option>
        </select>
      </div>
      <ChannelField id={id('channel')} value={value.channel ?? ''} onChange={(v) => set('channel', v)} invalid={invalidField === 'channel'} />
    </div>
  );
}
