import { compilePolicy, type CompiledPolicy } from '../authorization/compiled-policy.js';
import { rolePolicy, type RoleName } from '../authorization/role-policies.js';
import { DomainError } from '../domain-error.js';

/**
 * The principal directory is configuration, but its changes are history: at start, when the directory
 * differs from the last one recorded, a PrincipalDirectoryChanged goes on the `principals` stream. As-of
 * answers then know who existed and what each identity policy said. Never a secret: names, ARNs, access
 * key ids, roles and policies only, built field by field so nothing else can slip in.
 */
export const PRINCIPALS_STREAM = 'principals';

export interface DirectoryEntry {
  name: string;
  arn: string;
  accessKeyIds: string[];
  role: RoleName | null;
  /** An IAM identity policy document, as given in the principals file. */
  policy: string | null;
}

export interface PrincipalDirectoryChanged {
  type: 'PrincipalDirectoryChanged';
  data: { principals: DirectoryEntry[]; changedAt: string };
}

export interface PrincipalDirectoryState {
  recorded: boolean;
  principals: readonly DirectoryEntry[];
  changedAt: number | null;
}

export const initialDirectoryState = (): PrincipalDirectoryState => ({
  recorded: false,
  principals: [],
  changedAt: null,
});

export function evolveDirectory(
  state: PrincipalDirectoryState,
  event: PrincipalDirectoryChanged,
): PrincipalDirectoryState {
  return { recorded: true, principals: event.data.principals, changedAt: Date.parse(event.data.changedAt) };
}

const entry = (e: DirectoryEntry): DirectoryEntry => ({
  name: e.name,
  arn: e.arn,
  accessKeyIds: [...e.accessKeyIds].sort(),
  role: e.role,
  policy: e.policy,
});

function compareText(a: string, b: string): number {
  if (a < b) return -1;
  // Stryker disable next-line ConditionalExpression: V8's sort only asks whether an answer is below 0 (0 sorts as 1)
  return Number(a > b);
}

// By name; entries of one name (which the recorder refuses) by their whole text, so that the order never
// depends on the file's, even then.
const byName = (a: DirectoryEntry, b: DirectoryEntry): number =>
  compareText(a.name, b.name) || compareText(JSON.stringify(a), JSON.stringify(b));

/** The directory in one order, so that equal directories compare equal whatever order the file lists them in. */
export function canonicalDirectory(principals: readonly DirectoryEntry[]): DirectoryEntry[] {
  return principals.map(entry).sort(byName);
}

/** Nothing when the directory is the one last recorded; otherwise the change to append. */
export function decideDirectory(
  state: PrincipalDirectoryState,
  principals: readonly DirectoryEntry[],
  now: Date,
): PrincipalDirectoryChanged[] {
  const next = canonicalDirectory(principals);
  if (state.recorded && JSON.stringify(canonicalDirectory(state.principals)) === JSON.stringify(next)) return [];
  return [{ type: 'PrincipalDirectoryChanged', data: { principals: next, changedAt: now.toISOString() } }];
}

/** A principal's identity policies: its role's, and its own document beside it, if given. */
export function identityPoliciesOf(principal: Pick<DirectoryEntry, 'role' | 'policy'>): CompiledPolicy[] | DomainError {
  const policies: CompiledPolicy[] = [];
  if (principal.role !== null) policies.push(rolePolicy(principal.role));
  if (principal.policy !== null) {
    const compiled = compilePolicy(principal.policy, 'identity');
    if (compiled instanceof DomainError) return compiled;
    policies.push(compiled);
  }
  return policies;
}
