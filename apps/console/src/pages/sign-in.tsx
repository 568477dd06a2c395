import { useState } from 'preact/hooks';
import { ApiError, kms, ledgerJson, type ServerInfo } from '../api.js';
import { Busy, ErrorNote } from '../components.js';
import type { Session } from '../session.js';

/** What the signed-in principal may do, learnt by asking: the server is the only judge. */
export interface Access {
  ledgerApi: boolean;
  kmsRead: boolean;
}

/** Signs one cheap call of each API: a wrong secret fails the signature check on both and is refused. */
export async function probeAccess(session: Session): Promise<Access> {
  const attempt = async (call: () => Promise<unknown>): Promise<boolean> => {
    try {
      await call();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.denied) return false;
      throw error;
    }
  };
  const ledgerApi = await attempt(() => ledgerJson('audit/public-key', { session }));
  const kmsRead = await attempt(() => kms('ListKeys', { Limit: 1 }, { session }));
  return { ledgerApi, kmsRead };
}

export function SignIn({ server, onSignedIn }: { server: ServerInfo; onSignedIn: (s: Session, a: Access) => void }) {
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [region, setRegion] = useState(server.region);
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const session: Session = { accessKeyId: accessKeyId.trim(), secretAccessKey: secret, region, remember };
    try {
      const access = await probeAccess(session);
      setSecret('');
      onSignedIn(session, access);
    } catch (err) {
      setError(
        err instanceof ApiError &&
          (err.type === 'InvalidSignatureException' || err.type === 'UnrecognizedClientException')
          ? new Error('Sign-in refused: the access key id or the secret is wrong.')
          : err,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in" id="main">
      <h1>Keyledger console</h1>
      <p class="muted">
        Your browser signs every request with your secret (AWS Signature V4). The secret never leaves this page.
      </p>
      <form class="stack card" onSubmit={submit} autocomplete="off">
        <label>
          Access key id
          <input
            name="accessKeyId"
            required
            value={accessKeyId}
            autocomplete="username"
            spellcheck={false}
            onInput={(e) => setAccessKeyId((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label>
          Secret access key
          <input
            name="secretAccessKey"
            type="password"
            required
            value={secret}
            autocomplete="current-password"
            onInput={(e) => setSecret((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label>
          Region
          <input
            name="region"
            required
            value={region}
            onInput={(e) => setRegion((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label class="inline">
          <input
            type="checkbox"
            name="remember"
            checked={remember}
            onChange={(e) => setRemember((e.currentTarget as HTMLInputElement).checked)}
          />
          Keep me signed in in this tab (sessionStorage) — otherwise memory only, gone on reload
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {busy && <Busy label="Checking your credentials…" />}
        <ErrorNote error={error} />
      </form>
    </main>
  );
}
