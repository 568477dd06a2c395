import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { sealMaterial, type MaterialBinding, type ShredVault } from '@keyledger/crypto';
import { SHRED_VAULT } from '../infrastructure/tokens.js';

interface ShredKey {
  id: string;
  key: Buffer;
}

/** Shred keys made per durable commit of the vault. */
const BATCH = 64;

/**
 * Fresh shred keys, made durable in batches before anyone gets one.
 *
 * Every new backing key needs its shred key on disk before the event that names
 * it is appended (else a crash could leave an event whose material nothing can
 * open). Creating one per operation made each CreateKey or rotation pay two
 * durable commits, the vault's and the ledger's; taking one from a batch that
 * is already durable leaves one. Keys never handed out are destroyed at
 * shutdown; a crash leaves at most one batch of unused random keys that wrap
 * nothing.
 */
@Injectable()
export class ShredKeyPool implements OnApplicationShutdown {
  private ready: ShredKey[] = [];

  constructor(@Inject(SHRED_VAULT) private readonly vault: ShredVault) {}

  private take(): ShredKey {
    if (this.ready.length === 0) {
      const ids = Array.from({ length: BATCH }, () => `pool/${randomUUID()}`);
      this.ready = this.vault.createMany(ids);
    }
    return this.ready.pop()!;
  }

  /**
   * Seals `secret` under a fresh shred key and zeroes both: what is left is the
   * sealed form, to be recorded in an event, and the shred key's id.
   */
  seal(secret: Buffer, binding: MaterialBinding): { shredKeyId: string; sealed: string } {
    const shredKey = this.take();
    try {
      return { shredKeyId: shredKey.id, sealed: sealMaterial(secret, shredKey.key, binding) };
    } finally {
      secret.fill(0);
      shredKey.key.fill(0);
    }
  }

  /** A shred key taken for a change that was then refused: it must not open anything later. */
  discard(shredKeyId: string): void {
    this.vault.destroy([shredKeyId]);
  }

  onApplicationShutdown(): void {
    if (this.ready.length === 0) return;
    for (const { key } of this.ready) key.fill(0);
    this.vault.destroy(this.ready.map((k) => k.id));
    this.ready = [];
  }
}
