import type { Credentials } from './sigv4.js';

export interface Session extends Credentials {
  region: string;
  remember: boolean;
}

const STORAGE_KEY = 'keyledger.console.session';

/** Held in this module only; sessionStorage (this tab, until it closes) only when the user asked for it. */
let current: Session | null = null;

export function currentSession(): Session | null {
  if (current !== null) return current;
  try {
    const stored = sessionStorage.getItem(STORAGE_KEY);
    if (stored !== null) current = { ...(JSON.parse(stored) as Session), remember: true };
  } catch {
    sessionStorage.removeItem(STORAGE_KEY);
  }
  return current;
}

export function startSession(session: Session): void {
  current = session;
  if (session.remember) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(STORAGE_KEY);
}

/** Sign-out forgets the secret everywhere the console kept it. */
export function endSession(): void {
  current = null;
  sessionStorage.removeItem(STORAGE_KEY);
}
