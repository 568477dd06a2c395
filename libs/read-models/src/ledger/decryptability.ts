import { InvalidCiphertextError, parseCiphertext, type ParsedCiphertext } from '@keyledger/crypto';
import {
  decryptRefusal,
  DomainError,
  isRsaKeySpec,
  keyStateOf,
  regionalId,
  type KeyAggregate,
} from '@keyledger/ledger';
import type { AsOfStates } from './as-of-states.js';
import { timeOf, type LedgerQueryOptions } from './query-support.js';
import { checkRegion, regionalKey } from './regional-keys.js';
import { rsaDecryptability } from './rsa-decryptability.js';

export type DecryptabilityReason =
  | 'DECRYPTABLE'
  | 'KEY_NOT_CREATED'
  | 'KEY_MATERIAL_NOT_CREATED'
  | 'KEY_DISABLED'
  | 'KEY_PENDING_DELETION'
  | 'KEY_DELETED'
  | 'KEY_MATERIAL_NOT_IMPORTED'
  | 'INVALID_CIPHERTEXT';

export interface Decryptability {
  decryptable: boolean;
  reason: DecryptabilityReason;
  keyId: string | null;
  keyMaterialId: string | null;
  /** The region the question was asked in: a ciphertext is decrypted by its key in that region. */
  region: string;
  asOf: string;
  keyState: string | null;
}

/** One ciphertext to judge: at a time, in a region (absent: the home region), by a named key (RSA). */
export interface DecryptabilityItem {
  ciphertextBlob: Buffer;
  asOf: Date;
  keyId?: string;
  region?: string;
}

export const MAX_DECRYPTABILITY_BATCH = 1000;

/**
 * Could this ciphertext have been decrypted at a time, and if not, why not.
 * Replayed from the key's events; nothing is decrypted, so the answer says
 * nothing about the integrity of the ciphertext beyond its header.
 *
 * Precedence, from the most fundamental cause: INVALID_CIPHERTEXT (header
 * does not parse), KEY_NOT_CREATED, KEY_DELETED (permanent), then
 * KEY_MATERIAL_NOT_CREATED (the key never had the named backing key by then:
 * the ciphertext cannot have been made by it), KEY_PENDING_DELETION,
 * KEY_MATERIAL_NOT_IMPORTED (that imported material was deleted or expired,
 * or the key was pending import), KEY_DISABLED. Pending deletion, pending
 * import, disabled is the order in which Decrypt itself refuses.
 */
export class DecryptabilityQuery {
  constructor(
    private readonly states: AsOfStates,
    private readonly options: LedgerQueryOptions,
  ) {}

  async one(item: DecryptabilityItem): Promise<Decryptability> {
    await this.states.catchUp();
    return this.decide(item);
  }

  /** Each blob with its own time. */
  async items(items: DecryptabilityItem[]): Promise<Decryptability[]> {
    if (items.length > MAX_DECRYPTABILITY_BATCH)
      throw new DomainError(
        'Validation',
        `At most ${MAX_DECRYPTABILITY_BATCH} ciphertexts per batch, got ${items.length}`,
      );
    await this.states.catchUp();
    const results: Decryptability[] = [];
    for (const item of items) results.push(await this.decide(item));
    return results;
  }

  private decide(item: DecryptabilityItem): Promise<Decryptability> | Decryptability {
    const { ciphertextBlob, asOf, keyId: namedKeyId } = item;
    const at = timeOf(asOf);
    const asOfIso = asOf.toISOString();
    const region = checkRegion(item.region) ?? this.options.region;
    // An RSA ciphertext does not name its key: with a keyId, the key's state at asOf answers (see rsaDecryptability).
    if (namedKeyId !== undefined) {
      const { ref } = regionalKey(this.options, namedKeyId, region);
      const rsa = (key: KeyAggregate) => rsaDecryptability(key, ciphertextBlob, asOfIso);
      const known = this.states.fromCache(ref, at);
      if (known !== undefined && known !== null && isRsaKeySpec(known.keySpec)) return rsa(known);
      if (known === undefined)
        return this.states
          .stateAt(ref, at)
          .then((key) => (key && isRsaKeySpec(key.keySpec) ? rsa(key) : this.decide({ ciphertextBlob, asOf, region })));
    }
    let parsed: ParsedCiphertext;
    try {
      parsed = parseCiphertext(ciphertextBlob);
    } catch (error) {
      if (error instanceof InvalidCiphertextError)
        return {
          decryptable: false,
          reason: 'INVALID_CIPHERTEXT',
          keyId: null,
          keyMaterialId: null,
          region,
          asOf: asOfIso,
          keyState: null,
        };
      throw error;
    }
    const { keyId, keyMaterialId } = parsed;
    const finish = (key: KeyAggregate | undefined): Decryptability => {
      const [reason, keyState] = refusalOf(key, keyMaterialId);
      return { decryptable: reason === 'DECRYPTABLE', reason, keyId, keyMaterialId, region, asOf: asOfIso, keyState };
    };
    // The ciphertext names its key by id: the key of that id in the region asked about.
    const ref = regionalId(keyId, region, this.options.region);
    // The common case (asking about now) needs no await: a batch of 1000 stays synchronous.
    const known = this.states.fromCache(ref, at);
    if (known !== undefined) return finish(known ?? undefined);
    return this.states.stateAt(ref, at).then(finish);
  }
}

/** The reason (the one rule Decrypt refuses by) and the key state shown with it. */
function refusalOf(key: KeyAggregate | undefined, keyMaterialId: string): [DecryptabilityReason, string | null] {
  const keyState = !key || !key.exists ? null : key.deleted ? 'Deleted' : keyStateOf(key);
  return [decryptRefusal(key, keyMaterialId) ?? 'DECRYPTABLE', keyState];
}
