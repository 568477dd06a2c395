/** The ledger API's answers, as the console reads them (see /v1/openapi.json). */

export interface Actor {
  principal: string;
  accessKeyId: string | null;
  sourceAddress: string | null;
}

export interface LedgerEvent {
  id: string;
  streamName?: string;
  type: string;
  revision: string;
  position: string;
  recordedAt: string;
  time: string | null;
  actor: Actor | null;
  requestId: string | null;
  data: Record<string, unknown>;
}

export interface AuditPage {
  events: LedgerEvent[];
  nextCursor: string | null;
}

export interface KeyMaterialAsOf {
  keyMaterialId: string;
  state: string;
  origin: string;
  createdAt: string;
  importState: string | null;
  validTo: string | null;
}

export interface KeyStateAsOf {
  keyId: string;
  arn: string;
  asOf: string;
  keyState: string;
  enabled: boolean;
  origin: string;
  description: string;
  rotationEnabled: boolean;
  rotationPeriodInDays: number | null;
  nextRotationDate: string | null;
  deletionDate: string | null;
  currentKeyMaterialId: string | null;
  keyMaterials: KeyMaterialAsOf[];
  aliases: string[];
  createdAt: string;
  deletedAt: string | null;
  keySpec?: string;
  keyUsage?: string;
  tags: Array<{ TagKey: string; TagValue: string }>;
}

export interface InventoryKey {
  keyId: string;
  arn: string;
  aliases: string[];
  description: string;
  origin: string;
  keyState: string;
  createdAt: string;
  rotationEnabled: boolean;
  rotationPeriodInDays: number | null;
  lastRotatedAt: string | null;
  nextRotationDate: string | null;
  keyMaterialCount: number;
  currentKeyMaterialAgeDays: number | null;
  deletionDate: string | null;
  keySpec?: string;
  keyUsage?: string;
  region?: string;
  lastUsedAt?: string | null;
  lastOperation?: string | null;
}

export interface InventoryReport {
  asOf: string;
  /** Absent from servers from before the inventory had last use. */
  usageTrackingStartedAt?: string | null;
  keys: InventoryKey[];
}

export interface Decryptability {
  decryptable: boolean;
  reason: string;
  keyId: string | null;
  keyMaterialId: string | null;
  /** The region the question was asked in (absent from older servers). */
  region?: string;
  asOf: string;
  keyState: string | null;
}

export interface VerifyResult {
  ok: boolean;
  eventsChecked?: number;
  streamsChecked?: number;
  checkpoints?: number;
  lastCheckpoint?: Record<string, unknown> | null;
  [field: string]: unknown;
}

/** /v1/keys/{id}/usage: uses grouped by the dimensions asked for. */
export interface UsageGroup {
  principal?: string;
  operation?: string;
  keyMaterialId?: string | null;
  day?: string;
  count: number;
  refused: number;
  firstAt: string;
  lastAt: string;
}

export interface UsageReport {
  from: string;
  to: string;
  trackingStartedAt: string | null;
  totals: { count: number; refused: number };
  groups: UsageGroup[];
}

export interface BackingKeyUse {
  keyMaterialId: string;
  state: string;
  current: boolean;
  lastUse: { at: string; operation: string; principal: string; requestId: string } | null;
  count: number;
  refused: number;
  principals: number;
}

/** /v1/keys/{mrk}/replication: every member of a multi-Region key as of a time, the primary first. */
export interface ReplicaBackingKey {
  keyMaterialId: string;
  heldSince: string;
  state: string;
  current: boolean;
  hasMaterial: boolean;
}

export interface ReplicationMember {
  region: string;
  arn: string;
  multiRegionKeyType: 'PRIMARY' | 'REPLICA';
  keyState: string;
  createdAt: string;
  deletedAt: string | null;
  backingKeys: ReplicaBackingKey[];
}

export interface ReplicationAsOf {
  keyId: string;
  asOf: string;
  primaryRegion: string;
  members: ReplicationMember[];
}
