import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** v1 checkpoints: HMAC key = rootKey.deriveKey(checkpointKeyPurpose). */
export const checkpointKeyPurpose = 'keyledger/ledger-checkpoint/v1';
/** v2 checkpoints: the Ed25519 private key's 32-byte seed = rootKey.deriveKey(checkpointSigningKeyPurpose). */
export const checkpointSigningKeyPurpose = 'keyledger/ledger-checkpoint-signing/ed25519/v2';

/** What derives purpose keys from the root key (the crypto library's RootKeyProvider). */
export interface PurposeKeySource {
  deriveKey(purpose: string): Buffer;
}

// RFC 8410 PKCS#8 wrapping of a raw Ed25519 seed: how node:crypto imports one.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The keys checkpoints are signed and checked with. The holder of the root key
 * has all of them: the v1 MAC key (old checkpoints) and the Ed25519 pair (new
 * ones). An auditor has only the public key: enough to check every v2
 * checkpoint, not to forge one, and nothing that opens key material.
 */
export class CheckpointKeys {
  /** Hex SHA-256 of the public key's SPKI DER: names the key in each signature. */
  readonly keyId: string;

  private constructor(
    readonly publicKey: KeyObject,
    readonly privateKey: KeyObject | undefined,
    readonly macKey: Buffer | undefined,
  ) {
    this.keyId = createHash('sha256')
      .update(publicKey.export({ format: 'der', type: 'spki' }))
      .digest('hex');
  }

  static fromRootKey(root: PurposeKeySource): CheckpointKeys {
    const seed = root.deriveKey(checkpointSigningKeyPurpose);
    const privateKey = createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
    return new CheckpointKeys(createPublicKey(privateKey), privateKey, root.deriveKey(checkpointKeyPurpose));
  }

  /** From a PEM (SPKI) public key, as `GET /v1/audit/public-key` and `keyledger verify` print it. */
  static fromPublicKeyPem(pem: string): CheckpointKeys {
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch {
      throw new Error('the public key is not a PEM public key');
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('the public key is not an Ed25519 key');
    return new CheckpointKeys(key, undefined, undefined);
  }

  get canSign(): boolean {
    return this.privateKey !== undefined;
  }

  publicKeyPem(): string {
    return this.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }
}
