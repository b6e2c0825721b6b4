import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, type VoiceSummary } from './api-client.ts';

export interface VoiceFieldProps {
  id: string;
  /** The form's language: the list is that language's voices, and the sample speaks it. */
  lang: string;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
  invalid: boolean;
}

function voiceLabel(voice: VoiceSummary): string {
  return voice.gender ? `${voice.name} (${voice.gender})` : voice.name;
}

/**
 * The voice: a select of the language's voices (GET /api/voices?lang=) with a Listen button that plays a
 * short sample in an <audio>; a text field when the list cannot be had (a gateway without the route).
 */
export function VoiceField({ id, lang, value, onChange, invalid }: VoiceFieldProps) {
  const [voices, setVoices] = useState<VoiceSummary[]>();
  const [sample, setSample] = useState<{ url: string; label: string }>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const audio = useRef<HTMLAudioElement>(null);
  // The list answers later: by then the form may have changed, so the latest value and callback are used.
  const current = useRef({ value, onChange });
  current.current = { value, onChange };

  useEffect(() => {
    const controller = new AbortController();
    api.voices(lang, controller.signal).then(
      (r) => {
        const list = Array.isArray(r?.voices) ? r.voices.filter((v) => typeof v?.id === 'string' && typeof v.name === 'string') : undefined;
        setVoices(list);
        // A voice of the previous language does not speak this one: back to the language's default.
        const { value: chosen, onChange: change } = current.current;
        if (list && chosen && !list.some((v) => v.id === chosen)) change(undefined);
      },
      () => { if (!controller.signal.aborted) setVoices(undefined); },
    );
    return () => controller.abort();
  }, [lang]);

  useEffect(() => () => { if (sample) URL.revokeObjectURL(sample.url); }, [sample]);

  const listen = async (): Promise<void> => {
    setBusy(true);
    setProblem(undefined);
    try {
      const blob = await api.voiceSample({ lang, ...(value ? { voice: value } : {}) });
      const chosen = voices?.find((v) => v.id === value);
      setSample({ url: URL.createObjectURL(blob), label: `Sample of ${chosen ? voiceLabel(chosen) : 'the default voice'}` });
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : 'the sample could not be fetched: try again');
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    // Playing may be refused without a recent click; the controls are there to start it by hand.
    if (sample) audio.current?.play().catch(() => undefined);
  }, [sample]);

  const hintId = `${id}-hint`;
  const common = { id, 'aria-describedby': hintId, ...(invalid ? { 'aria-invalid': 'true' as const } : {}) };
  return (
    <div class="field voice-field">
      <label for={id}>Voice</label>
      <div class="voice-choice">
        {voices ? (
          <select {...common} value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value || undefined)}>
            <option value="">Default voice for the language</option>
            {voices.map((v) => <option key={v.id} value={v.id}>{voiceLabel(v)}</option>)}
          </select>
        ) : (
          <input
            {...common} type="text" maxLength={64} placeholder="default voice"
            value={value ?? ''} onInput={(e) => onChange(e.currentTarget.value.trim() || undefined)}
          />
        )}
        <button type="button" onClick={() => void listen()} disabled={busy} aria-describedby={hintId}>
          {busy ? 'Listening…' : 'Listen'}
        </button>
      </div>
      {sample ? <audio ref={audio} class="voice-sample" controls src={sample.url} aria-label={sample.label} /> : null}
      {problem ? <small role="alert">{problem}</small> : null}
      <small id={hintId}>
        {voices ? 'Listen plays a few seconds of the chosen voice.' : <>A voice name (<code>faceless voices</code> lists them); empty for the language's default.</>}
      </small>
    </div>
  );
}
