import { DomainError, regionalId, type AuthorizationDecision } from '@keyledger/ledger';
import type { LedgerQueries } from '@keyledger/read-models';
import type { AccessReplay } from './access-replay.js';

type Decryptability = Awaited<ReturnType<LedgerQueries['decryptability']>>;

export type PrincipalDecryptability =
  | Decryptability
  | (Omit<Decryptability, 'reason'> & {
      reason: Decryptability['reason'] | 'NOT_AUTHORIZED';
      principal: string;
      authorization: AuthorizationDecision;
    });

/**
 * Decryptability for one principal: the key could decrypt at that time, and could this principal have
 * asked it to (key policy, grants, its identity policy, as they stood then)? When the key could but the
 * principal could not, the answer is NOT_AUTHORIZED, with the decision that refused it. A ciphertext the
 * key could not decrypt keeps the key's own reason, which comes first. The key is the one of the answer's
 * region (`homeRegion`: where unqualified streams belong).
 */
export async function decryptabilityFor(
  answer: Decryptability,
  question: { principal: string; encryptionContext?: Record<string, string> },
  access: AccessReplay,
  homeRegion: string,
): Promise<PrincipalDecryptability> {
  if (!answer.decryptable || answer.keyId === null) return answer;
  const authorization = await access.simulate({
    principal: question.principal,
    action: 'kms:Decrypt',
    keyId: regionalId(answer.keyId, answer.region, homeRegion),
    asOf: Date.parse(answer.asOf),
    ...(question.encryptionContext === undefined ? {} : { encryptionContext: question.encryptionContext }),
  });
  const allowed = authorization.decision === 'ALLOWED';
  return {
    ...answer,
    decryptable: allowed,
    reason: allowed ? answer.reason : 'NOT_AUTHORIZED',
    principal: question.principal,
    authorization,
  };
}

/** `principal` (a name in the directory or an ARN) and an optional `encryptionContext`, from a request body. */
export function principalQuestion(input: Record<string, unknown>): {
  principal: string;
  encryptionContext?: Record<string, string>;
} {
  const { principal, encryptionContext } = input;
  if (typeof principal !== 'string' || principal === '' || principal.length > 2048)
    throw new DomainError('Validation', 'principal must be a principal name or ARN');
  if (encryptionContext === undefined) return { principal };
  const valid =
    typeof encryptionContext === 'object' &&
    encryptionContext !== null &&
    !Array.isArray(encryptionContext) &&
    Object.values(encryptionContext).every((v) => typeof v === 'string');
  if (!valid) throw new DomainError('Validation', 'encryptionContext must be an object of strings');
  return { principal, encryptionContext: encryptionContext as Record<string, string> };
}
