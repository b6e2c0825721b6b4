import { useEffect, useState } from 'preact/hooks';
import { authHeaders, errorOf } from '../api-client.ts';
import { formatTime } from '../format.ts';
import '../channels.css';

/** GET /api/channels: one channel as the uploader sees it. */
export interface ChannelSummary {
  name: string;
  kind: 'local' | 'youtube';
  title?: string;
  tokenHealth: 'ok' | 'expiring' | 'expired' | 'revoked' | 'none';
  tokenExpiresAt?: string;
  warnings: string[];
  nextSlots: string[];
  quota: { usedToday: number; limit: number; day: string };
}

const CHANNEL_NAME = /^[a-z0-9_-]{1,64}$/;

async function channelsCall<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const json: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  const res = await fetch(path, { method, headers: { accept: 'application/json', ...authHeaders(), ...json }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

export const channelsApi = {
  list: () => channelsCall<{ channels: ChannelSummary[] }>('GET', '/api/channels'),
  startOAuth: (name: string) => channelsCall<{ consentUrl: string; expiresAt: string }>('POST', '/api/channels/oauth/start', { name }),
};

const HEALTH_TEXT: Record<ChannelSummary['tokenHealth'], string> = {
  ok: 'OK', expiring: 'Expiring soon', expired: 'Expired', revoked: 'Revoked', none: 'No token (local folder)',
};

/** What the callback's redirect says (?added= or ?denied=), read once; the address is then cleaned. */
/** What to do when adding a channel failed after Google's answer (?failed=<code>). */
const FAILURES = new Map([
  ['CHANNEL_AUTH', 'Google refused the authorization (a permission left unticked, or the answer came too late): add the channel again and tick every permission.'],
  ['PROVIDER_AUTH', 'Google refused the server\'s OAuth client: check GOOGLE_WEB_CLIENT_ID and GOOGLE_WEB_CLIENT_SECRET (deploy/README.md).'],
  ['INVALID_OPTION', 'The server is missing a setting (FACELESS_SECRET_KEY or the Google client): see deploy/README.md, then add the channel again.'],
]);

function notice(): { kind: 'added' | 'denied' | 'failed'; name: string; reason?: string } | undefined {
  const params = new URLSearchParams(location.search);
  const added = params.get('added');
  const denied = params.get('denied');
  const reason = params.get('reason');
  const failed = params.get('failed');
  if (added === null && denied === null && failed === null) return undefined;
  history.replaceState(null, '', location.pathname);
  if (failed !== null) {
    return { kind: 'failed', name: '', reason: FAILURES.get(failed) ?? `Adding the channel failed (${failed.slice(0, 40)}): the server's log says why; add it again.` };
  }
  const name = added ?? denied ?? '';
  if (!CHANNEL_NAME.test(name)) return undefined;
  return { kind: added !== null ? 'added' : 'denied', name, ...(reason && /^[a-z_]{1,40}$/.test(reason) ? { reason } : {}) };
}

function QuotaMeter({ channel }: { channel: ChannelSummary }) {
  const { usedToday, limit, day } = channel.quota;
  if (channel.kind === 'local' || limit <= 0) return <span class="meta">None: a local folder spends no YouTube quota</span>;
  const percent = Math.min(100, Math.round((usedToday / limit) * 100));
  const labelId = `quota-${channel.name}`;
  return (
    <div class="quota">
      <span id={labelId} class="visually-hidden">Today's quota of {channel.name}</span>
      <div
        class="bar" role="progressbar" aria-labelledby={labelId} aria-valuemin={0} aria-valuemax={limit} aria-valuenow={usedToday}
        aria-valuetext={`${usedToday} of ${limit} units (${percent} %)`}
      >
        <div class="fill" style={{ width: `${percent}%` }} />
      </div>
      <small>{usedToday.toLocaleString()} of {limit.toLocaleString()} units, {day} (Pacific)</small>
    </div>
  );
}

function ChannelRow({ channel }: { channel: ChannelSummary }) {
  return (
    <tr>
      <th scope="row">
        {channel.name}
        {channel.title && <small class="meta"> {channel.title}</small>}
        <div class="meta">{channel.kind === 'youtube' ? 'YouTube' : 'Local folder'}</div>
      </th>
      <td>
        <span class={`health health-${channel.tokenHealth}`}>{HEALTH_TEXT[channel.tokenHealth]}</span>
        {channel.tokenExpiresAt && <div class="meta">until {formatTime(channel.tokenExpiresAt)}</div>}
        {channel.warnings.length > 0 && (
          <ul class="channel-warnings">{channel.warnings.map((w) => <li key={w} class="warning">{w}</li>)}</ul>
        )}
      </td>
      <td><ul class="slots">{channel.nextSlots.map((s) => <li key={s}><time dateTime={s}>{formatTime(s)}</time></li>)}</ul></td>
      <td><QuotaMeter channel={channel} /></td>
    </tr>
  );
}

/** Adding a YouTube channel: the gateway answers Google's consent URL, and the browser goes there. */
function AddChannelForm() {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!CHANNEL_NAME.test(trimmed)) {
      setError(`"${trimmed}" is not a channel name: use 1-64 characters of a-z, 0-9, "_" and "-" (e.g. science-en).`);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const { consentUrl } = await channelsApi.startOAuth(trimmed);
      location.assign(consentUrl);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="add-channel-title" class="add-channel">
      <h2 id="add-channel-title">Add a YouTube channel</h2>
      <p>Google's consent page opens: sign in with the account that owns the channel and allow faceless to upload and to read its analytics. You come back here afterwards.</p>
      <form class="stack" onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="channel-name">Channel name</label>
          <input
            id="channel-name" type="text" autoComplete="off" spellcheck={false} required value={name}
            aria-describedby={error ? 'channel-name-help add-channel-error' : 'channel-name-help'} {...(error ? { 'aria-invalid': 'true' } : {})}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <small id="channel-name-help">The name faceless uses for it, e.g. science-en: a-z, 0-9, "_" and "-". An existing name is authorized again.</small>
        </div>
        {error && <p id="add-channel-error" class="error" role="alert">{error}</p>}
        <div><button type="submit" class="primary" disabled={busy}>Add channel</button></div>
      </form>
    </section>
  );
}

/** The channels: token health and expiry warnings, the next free slots, today's quota; adding one through Google. */
export function ChannelsPage() {
  const [channels, setChannels] = useState<ChannelSummary[]>();
  const [error, setError] = useState<string>();
  const [message] = useState(notice);

  useEffect(() => {
    channelsApi.list().then((list) => setChannels(list.channels), (err: unknown) => setError((err as Error).message));
  }, []);

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>Channels</h1>
      {message?.kind === 'added' && <p class="verdict" role="status">Channel {message.name} is authorized: pipelines can publish to it now.</p>}
      {message?.kind === 'failed' && <p class="error" role="alert">{message.reason}</p>}
      {message?.kind === 'denied' && (
        <p class="error" role="alert">
          {message.reason
            ? <>Google's consent page answered <code>{message.reason}</code> for {message.name}: nothing was added.</>
            : <>Google's consent page was cancelled for {message.name}: nothing was added. Add it again and click Allow.</>}
        </p>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      {!channels && !error && <p>Loading…</p>}
      {channels && (
        <table class="pipelines channels">
          <caption class="visually-hidden">Channels, local ones first</caption>
          <thead>
            <tr><th scope="col">Channel</th><th scope="col">Token</th><th scope="col">Next free slots</th><th scope="col">Today's quota</th></tr>
          </thead>
          <tbody>{channels.map((c) => <ChannelRow key={c.name} channel={c} />)}</tbody>
        </table>
      )}
      <AddChannelForm />
    </section>
  );
}
