import { useEffect, useState } from 'preact/hooks';
import { serverInfo, type ServerInfo } from './api.js';
import { Busy, ErrorNote } from './components.js';
import { AuditPage } from './pages/audit.js';
import { DecryptabilityPage } from './pages/decryptability.js';
import { KeyPage } from './pages/key.js';
import { KeysPage } from './pages/keys.js';
import { ReportsPage } from './pages/reports.js';
import { probeAccess, SignIn, type Access } from './pages/sign-in.js';
import { href, useRoute, type Route } from './router.js';
import { currentSession, endSession, startSession, type Session } from './session.js';

const PAGES = [
  { path: 'keys', title: 'Keys', needs: 'ledgerApi' },
  { path: 'decryptability', title: 'Decryptability', needs: 'ledgerApi' },
  { path: 'reports', title: 'Reports', needs: 'ledgerApi' },
  { path: 'audit', title: 'Audit', needs: 'ledgerApi' },
] as const;

export function App() {
  const [server, setServer] = useState<ServerInfo | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [access, setAccess] = useState<Access | null>(null);
  const [error, setError] = useState<unknown>(null);
  const route = useRoute();

  useEffect(() => {
    serverInfo().then(async (info) => {
      setServer(info);
      const kept = currentSession();
      if (kept === null) return;
      try {
        setAccess(await probeAccess(kept));
        setSession(kept);
      } catch (err) {
        endSession();
        setError(err);
      }
    }, setError);
  }, []);

  if (server === null) return error ? <ErrorNote error={error} /> : <Busy label="Connecting…" />;
  if (session === null || access === null)
    return (
      <SignIn
        server={server}
        onSignedIn={(s, a) => {
          startSession(s);
          setSession(s);
          setAccess(a);
          if (route.path.length === 0) location.hash = href(['keys']);
        }}
      />
    );

  const signOut = () => {
    endSession();
    setSession(null);
    setAccess(null);
    location.hash = '';
  };
  const page = route.path[0] ?? 'keys';
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Keyledger</span>
        <nav aria-label="Pages">
          {PAGES.map((p) =>
            access[p.needs] ? (
              <a href={href([p.path])} aria-current={page === p.path ? 'page' : undefined}>
                {p.title}
              </a>
            ) : (
              <span class="disabled" aria-disabled="true" title="Your role does not allow the ledger API">
                {p.title}
              </span>
            ),
          )}
        </nav>
        <span class="who" title={`Signing as ${session.accessKeyId} in ${session.region}`}>
          <span class="mono">{session.accessKeyId}</span>
          {!access.ledgerApi && <span class="pill">no ledger access</span>}
        </span>
        <button type="button" class="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} access={access} />
      </main>
    </>
  );
}

function Page({ route, access }: { route: Route; access: Access }) {
  if (!access.ledgerApi)
    return (
      <p class="empty">
        This principal may not read the ledger API (only the admin and auditor roles may). Sign in as one of those to
        see keys, timelines, reports and the audit log.
      </p>
    );
  switch (route.path[0] ?? 'keys') {
    case 'keys':
      return route.path[1] ? <KeyPage route={route} keyId={route.path[1]} /> : <KeysPage />;
    case 'decryptability':
      return <DecryptabilityPage />;
    case 'reports':
      return <ReportsPage />;
    case 'audit':
      return <AuditPage />;
    default:
      return (
        <p>
          No such page. <a href={href(['keys'])}>Keys</a>
        </p>
      );
  }
}
