import { Injectable } from '@nestjs/common';
import {
  accessDeniedMessage,
  authorizationRequests,
  DomainError,
  evaluateAuthorization,
  identityPoliciesOf,
  parseGrantToken,
  type AuthorizationDecision,
  type CompiledPolicy,
  type KeyAccess,
  type KeyAggregate,
  type KeyFacts,
  type RoleName,
} from '@keyledger/ledger';
import { KeyAccessCache } from './key-access-cache.js';

/** Who is asking: the ARN and account of a signed-in principal, its role and own identity policy. */
export interface Caller {
  name: string;
  principalArn: string;
  accountId: string;
  role: RoleName | null;
  policy: string | null;
  sourceIp?: string;
}

/** A key the request names, as the handler loaded it (state exact at `revision`). */
export interface KeyInRequest {
  keyId: string;
  revision: bigint;
  state: KeyAggregate;
  aliases: readonly string[];
}

export interface AuthorizationQuestion {
  caller: Caller;
  operation: string;
  input: Readonly<Record<string, unknown>>;
  key?: KeyInRequest;
  otherKey?: KeyInRequest;
  now: number;
  complete?: boolean;
}

const facts = (key: KeyInRequest): KeyFacts => ({
  arn: key.state.arn,
  origin: key.state.origin,
  keySpec: key.state.keySpec,
  keyUsage: key.state.keyUsage,
  aliases: key.aliases,
});

/**
 * AWS's authorization for one KMS request: every action it carries is evaluated against the policy of the
 * key it names, the caller's identity policies and the key's active grants. Foreign grant tokens are
 * refused before anything is evaluated. Identity policies are compiled once per principal and document.
 */
@Injectable()
export class Authorizer {
  private readonly identities = new Map<
    string,
    { policy: string | null; role: RoleName | null; compiled: CompiledPolicy[] }
  >();

  constructor(private readonly access: KeyAccessCache) {}

  identityPolicies(caller: Pick<Caller, 'name' | 'role' | 'policy'>): CompiledPolicy[] {
    const cached = this.identities.get(caller.name);
    if (cached !== undefined && cached.policy === caller.policy && cached.role === caller.role) return cached.compiled;
    const compiled = identityPoliciesOf({ role: caller.role, policy: caller.policy });
    if (compiled instanceof DomainError) throw compiled;
    this.identities.set(caller.name, { policy: caller.policy, role: caller.role, compiled });
    return compiled;
  }

  async decide(question: AuthorizationQuestion): Promise<AuthorizationDecision[]> {
    checkGrantTokens(question.input.GrantTokens);
    const { caller, key, otherKey } = question;
    const identityPolicies = this.identityPolicies(caller);
    const requests = authorizationRequests({
      operation: question.operation,
      input: question.input,
      principalArn: caller.principalArn,
      accountId: caller.accountId,
      now: question.now,
      sourceIp: caller.sourceIp,
      key: key === undefined ? undefined : facts(key),
      otherKey: otherKey === undefined ? undefined : facts(otherKey),
    });
    const decisions: AuthorizationDecision[] = [];
    for (const request of requests) {
      const target = request.resource === '*' ? undefined : otherKey?.state.arn === request.resource ? otherKey : key;
      const access: KeyAccess | undefined = target && (await this.access.accessAt(target.keyId, target.revision));
      decisions.push(
        evaluateAuthorization({
          request,
          keyPolicy: access?.policy ?? null,
          identityPolicies,
          grants: access?.grants ?? [],
          complete: question.complete === true,
        }),
      );
    }
    return decisions;
  }

  /** Refuses with AWS's AccessDeniedException text unless every action the request carries is allowed. */
  async enforce(question: AuthorizationQuestion): Promise<AuthorizationDecision[]> {
    const decisions = await this.decide(question);
    const refused = decisions.find((d) => d.decision !== 'ALLOWED');
    if (refused !== undefined) throw new DomainError('AccessDenied', accessDeniedMessage(refused));
    return decisions;
  }
}

/** AWS accepts GrantTokens on many operations; ours are recognised, any other is InvalidGrantTokenException. */
export function checkGrantTokens(tokens: unknown): void {
  if (!Array.isArray(tokens)) return;
  for (const token of tokens) {
    const parsed =
      typeof token === 'string'
        ? parseGrantToken(token)
        : new DomainError('InvalidGrantToken', 'The grant token is not valid.');
    if (parsed instanceof DomainError) throw parsed;
  }
}
