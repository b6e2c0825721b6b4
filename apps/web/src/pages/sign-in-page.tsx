import { useState } from 'preact/hooks';
import { ApiError, api, forgetKey, storeKey } from '../api-client.ts';

/** Asks for an API key when the server answers 401; the key is checked before the page goes on. */
export function SignInPage({ reason, onSignedIn }: { reason?: string | undefined; onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError('Enter the API key you were given (it starts with fk_).');
      return;
    }
    setBusy(true);
    setError(undefined);
    storeKey(trimmed);
    try {
      await api.listPipelines({ limit: 1, offset: 0 });
      onSignedIn();
    } catch (err) {
      forgetKey();
      setError(err instanceof ApiError && err.status === 401
        ? 'That API key was refused (401): check that you copied all of it, or ask for a new key.'
        : `Could not check the key: ${(err as Error).message}`);
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="page-title" class="sign-in">
      <h1 id="page-title" tabIndex={-1}>Sign in</h1>
      <p>{reason ?? 'This faceless server asks for an API key.'} The key stays in this tab only (session storage).</p>
      <form class="stack" onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="api-key">API key</label>
          <input
            id="api-key" type="password" autoComplete="off" spellcheck={false} required value={key}
            onInput={(e) => setKey(e.currentTarget.value)} {...(error ? { 'aria-invalid': 'true', 'aria-describedby': 'sign-in-error' } : {})}
          />
        </div>
        {error && <p id="sign-in-error" class="error" role="alert">{error}</p>}
        <div><button type="submit" class="primary" disabled={busy}>Sign in</button></div>
      </form>
    </section>
  );
}
