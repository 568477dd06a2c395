import { Inject, Injectable, Logger } from '@nestjs/common';
import { createSecretKey, type KeyObject } from 'node:crypto';
import {
  generateBackingKey,
  generatedKeyMaterialId,
  generateHmacKey,
  generateKeyPairFor,
  openMaterial,
  privateKeyFromDer,
  publicKeyFromDer,
  SealedMaterialError,
  ShredVaultError,
  type KeyPairSpec,
  type ShredVault,
} from '@keyledger/crypto';
import { DamagedEventError } from '@keyledger/event-store';
import {
  bareId,
  DomainError,
  HMAC_KEY_BYTES,
  isAsymmetricKeySpec,
  isHmacKeySpec,
  type BackingKey,
  type NewBackingKey,
  type ServedKeySpec,
} from '@keyledger/ledger';
import { SHRED_VAULT } from '../infrastructure/tokens.js';
import { LedgerRepository } from '@keyledger/key-store';
import { ShredKeyPool } from './shred-key-pool.js';

interface OpenedMaterial {
  /** Every sealing has its own shred key: the id names the sealed form the material came from. */
  shredKeyId: string;
  material: KeyObject;
}

/** Secret material (AES or HMAC bytes) or a key pair's private key (PKCS#8 DER). */
export type MaterialKind = 'secret' | 'private';

/**
 * Makes, opens and destroys backing key material. Opened material is cached by
 * key material id because opening costs a vault read and an AES-GCM unwrap per
 * request; the cache is checked against the sealed form the replayed state
 * names (by its shred key), and evicted when material is destroyed. The sealed
 * form is read from the event that recorded it. It is held as a KeyObject:
 * one native copy per backing key, where passing bytes to hkdfSync made a new
 * one per request; the unwrapped bytes are zeroed at once. A key pair's public
 * key is read from its event, in the clear, and cached the same way.
 */
@Injectable()
export class BackingKeys {
  private readonly opened = new Map<string, OpenedMaterial>();
  private readonly logger = new Logger('BackingKeys');
  private readonly publicKeys = new Map<string, OpenedMaterial>();

  constructor(
    @Inject(SHRED_VAULT) private readonly vault: ShredVault,
    private readonly shredKeys: ShredKeyPool,
    private readonly repository: LedgerRepository,
  ) {}

  generate(keyId: string): NewBackingKey {
    const keyMaterialId = generatedKeyMaterialId();
    const { shredKeyId, sealed } = this.shredKeys.seal(generateBackingKey(), { keyId, keyMaterialId });
    return { keyMaterialId, shredKeyId, sealedMaterial: sealed };
  }

  /**
   * Material for a key of any spec: an AES key, HMAC bytes of the spec's length, or a key
   * pair whose private key is sealed and whose public key is recorded in the clear. Key
   * pairs are made off the event loop (RSA-4096 takes a while).
   */
  async generateFor(keyId: string, spec: ServedKeySpec): Promise<NewBackingKey> {
    if (spec === 'SYMMETRIC_DEFAULT') return this.generate(keyId);
    const keyMaterialId = generatedKeyMaterialId();
    if (isHmacKeySpec(spec)) {
      const { shredKeyId, sealed } = this.shredKeys.seal(generateHmacKey(HMAC_KEY_BYTES[spec]), {
        keyId,
        keyMaterialId,
      });
      return { keyMaterialId, shredKeyId, sealedMaterial: sealed };
    }
    if (!isAsymmetricKeySpec(spec)) throw new RangeError(`no material for key spec ${spec}`);
    const pair = await generateKeyPairFor(spec as KeyPairSpec);
    const { shredKeyId, sealed } = this.shredKeys.seal(pair.privateKeyDer, { keyId, keyMaterialId });
    return { keyMaterialId, shredKeyId, sealedMaterial: sealed, publicKey: pair.publicKeyDer.toString('base64') };
  }

  /**
   * The same material sealed anew under a shred key of its own: what a multi-Region replica holds, so
   * that destroying one replica's copy leaves the others'. `keyId` is the source's ledger id.
   */
  async copy(keyId: string, backing: BackingKey, spec: ServedKeySpec): Promise<NewBackingKey> {
    const pair = isAsymmetricKeySpec(spec);
    const material = await this.open(keyId, backing, pair ? 'private' : 'secret');
    const bytes = pair ? material.export({ format: 'der', type: 'pkcs8' }) : material.export();
    try {
      const binding = { keyId: bareId(keyId), keyMaterialId: backing.keyMaterialId };
      const { shredKeyId, sealed } = this.shredKeys.seal(bytes, binding);
      const publicKey = pair ? await this.repository.publicKey(keyId, backing) : undefined;
      return {
        keyMaterialId: backing.keyMaterialId,
        shredKeyId,
        sealedMaterial: sealed,
        ...(publicKey === undefined ? {} : { publicKey }),
      };
    } finally {
      bytes.fill(0);
    }
  }

  /** Destroys the shred key of a backing key that was generated but never recorded. */
  discard(backingKey: NewBackingKey): void {
    this.shredKeys.discard(backingKey.shredKeyId);
  }

  /**
   * The material of a backing key the replayed state allows; refuses one whose shred key is gone.
   * `keyId` is the key's ledger id (regional: its stream); the sealing names the bare key id.
   */
  async open(keyId: string, backing: BackingKey, kind: MaterialKind = 'secret'): Promise<KeyObject> {
    const cacheKey = `${keyId}/${backing.keyMaterialId}`;
    if (!backing.hasMaterial) throw unavailable(keyId, backing.keyMaterialId);
    const cached = this.opened.get(cacheKey);
    if (cached && cached.shredKeyId === backing.shredKeyId) return cached.material;
    let sealed: string | undefined;
    let shredKey: Buffer | undefined;
    try {
      sealed = await this.repository.sealedMaterial(keyId, backing);
      shredKey = sealed === undefined ? undefined : this.vault.get(backing.shredKeyId);
    } catch (error) {
      throw this.damaged(keyId, backing.keyMaterialId, error);
    }
    if (!shredKey) throw unavailable(keyId, backing.keyMaterialId);
    try {
      let bytes: Buffer;
      try {
        bytes = openMaterial(sealed!, shredKey, { keyId: bareId(keyId), keyMaterialId: backing.keyMaterialId });
      } catch (error) {
        throw this.damaged(keyId, backing.keyMaterialId, error);
      }
      const material = kind === 'private' ? privateKeyFromDer(bytes) : createSecretKey(bytes);
      bytes.fill(0);
      this.opened.set(cacheKey, { shredKeyId: backing.shredKeyId, material });
      return material;
    } finally {
      shredKey.fill(0);
    }
  }

  /**
   * Damage (a ledger event that no longer parses, a sealed form or vault entry that
   * no longer opens) answers KMSInvalidStateException, a 400: the SDKs retry a 500,
   * and no retry can mend a damaged ledger. AWS's KeyUnavailableException is a 500
   * that invites retries, and KMSInternalException says the same. The operator gets
   * the file and position in the log; the client gets no detail of the damage.
   */
  private damaged(keyId: string, keyMaterialId: string, error: unknown): Error {
    if (!(
      error instanceof DamagedEventError ||
      error instanceof SealedMaterialError ||
      error instanceof ShredVaultError
    ))
      return error instanceof Error ? error : new Error(String(error));
    this.logger.error(`key material ${keyMaterialId} of key ${keyId} cannot be opened: ${error.message}`);
    return new DomainError(
      'InvalidState',
      `The key material ${keyMaterialId} of key ${keyId} cannot be used: its stored record is damaged. Retrying will not help; the operator must restore it.`,
    );
  }

  /** A key pair's public key, from its event: no unsealing, so it serves even a key whose use is refused. */
  async publicKey(keyId: string, backing: BackingKey): Promise<KeyObject> {
    const cacheKey = `${keyId}/${backing.keyMaterialId}`;
    const cached = this.publicKeys.get(cacheKey);
    if (cached && cached.shredKeyId === backing.shredKeyId) return cached.material;
    const recorded = await this.repository.publicKey(keyId, backing);
    if (recorded === undefined) throw unavailable(keyId, backing.keyMaterialId);
    const material = publicKeyFromDer(Buffer.from(recorded, 'base64'));
    this.publicKeys.set(cacheKey, { shredKeyId: backing.shredKeyId, material });
    return material;
  }

  /** Real deletion: the shred keys go, so the sealed material kept in the events can never be opened again. */
  destroy(keyId: string, shredKeyIds: readonly string[]): void {
    this.vault.destroy(shredKeyIds);
    // A KeyObject cannot be zeroed from JavaScript: dropping the last reference frees its native copy.
    for (const cacheKey of this.opened.keys()) if (cacheKey.startsWith(`${keyId}/`)) this.opened.delete(cacheKey);
  }
}

const unavailable = (keyId: string, keyMaterialId: string) =>
  new DomainError('InvalidState', `The key material ${keyMaterialId} of key ${keyId} is not available.`);
