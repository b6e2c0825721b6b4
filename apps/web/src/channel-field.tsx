import { useEffect, useState } from 'preact/hooks';
import { api, type ChannelSummary } from './api-client.ts';

export interface ChannelFieldProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  invalid: boolean;
}

/** The select's entries: the server's channels, with `local` and the current value kept even when it lists neither. */
export function channelChoices(channels: readonly ChannelSummary[], current: string): ChannelSummary[] {
  const list = [...channels];
  if (!list.some((c) => c.name === 'local')) list.unshift({ name: 'local', kind: 'local' });
  if (current && !list.some((c) => c.name === current)) list.push({ name: current });
  return list;
}

/** The name, and a YouTube channel's own title after it; the hint below the field says what local is. */
function choiceLabel(channel: ChannelSummary): string {
  return channel.kind !== 'local' && channel.title && channel.title !== channel.name ? `${channel.name}: ${channel.title}` : channel.name;
}

/**
 * The channel to publish on: a select of the server's channels when it lists them (GET /api/channels), else a
 * text field, as on a gateway without that route.
 */
export function ChannelField({ id, value, onChange, invalid }: ChannelFieldProps) {
  const [channels, setChannels] = useState<ChannelSummary[]>();
  useEffect(() => {
    const controller = new AbortController();
    api.channels(controller.signal).then(
      (r) => setChannels(Array.isArray(r?.channels) ? r.channels.filter((c) => typeof c?.name === 'string') : undefined),
      () => setChannels(undefined),
    );
    return () => controller.abort();
  }, []);
  const hintId = `${id}-hint`;
  const common = { id, required: true, 'aria-describedby': hintId, ...(invalid ? { 'aria-invalid': 'true' as const } : {}) };
  return (
    <div class="field">
      <label for={id}>Channel</label>
      {channels ? (
        <select {...common} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
          {channelChoices(channels, value).map((c) => <option key={c.name} value={c.name}>{choiceLabel(c)}</option>)}
        </select>
      ) : (
        <input {...common} type="text" maxLength={64} value={value} onInput={(e) => onChange(e.currentTarget.value)} />
      )}
      <small id={hintId}><code>local</code> publishes to a folder on the server{channels ? '; the Channels page adds YouTube channels' : ''}.</small>
    </div>
  );
}
