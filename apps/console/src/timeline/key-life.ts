import { keyOfStream } from '../key-ref.js';
import type { LedgerEvent } from '../types.js';

/** A key's history, read from its events into what the timeline draws. Pure: no DOM, no requests. */

export interface Span {
  from: number;
  to: number;
}

export interface MaterialLane extends Span {
  keyMaterialId: string;
  origin: 'generated' | 'imported' | 'replicated';
  /** When this backing key was the one new ciphertexts used. */
  current: Span[];
  ended: 'deleted' | 'expired' | 'key deleted' | null;
}

export interface StateBand extends Span {
  state: string;
}

export interface AliasLane {
  aliasName: string;
  spans: Span[];
}

/** A grant from its creation to its retirement or revocation (or the end of the timeline while it lasts). */
export interface GrantLane extends Span {
  grantId: string;
  name: string | null;
  grantee: string;
  operations: string[];
  ended: 'retired' | 'revoked' | null;
}

export interface Marker {
  at: number;
  kind: 'alias' | 'policy' | 'grant' | 'rotation' | 'other';
  label: string;
  /** The principal whose request made the change (null when the ledger has none: the server's own doing). */
  actor: string | null;
}

export interface KeyLife extends Span {
  materials: MaterialLane[];
  states: StateBand[];
  aliases: AliasLane[];
  grants: GrantLane[];
  markers: Marker[];
}

const timeOf = (event: LedgerEvent): number => Date.parse(event.time ?? event.recordedAt);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

const STATE_AFTER: Record<string, string> = {
  KeyEnabled: 'Enabled',
  KeyDisabled: 'Disabled',
  KeyDeletionScheduled: 'PendingDeletion',
  // AWS puts a key whose deletion was cancelled into Disabled.
  KeyDeletionCanceled: 'Disabled',
  KeyDeleted: 'Deleted',
};

export function keyLife(keyId: string, events: readonly LedgerEvent[], now: number): KeyLife {
  const sorted = [...events].sort((a, b) => timeOf(a) - timeOf(b) || Number(a.position) - Number(b.position));
  const created = sorted.find((e) => e.type === 'KeyCreated');
  const first = created ?? sorted[0];
  const from = first ? timeOf(first) : now;
  // A multi-Region replica deleted and made again lives twice on one stream: the timeline ends only when the
  // last life did.
  const lastCreated = sorted.findLast((e) => e.type === 'KeyCreated');
  const deleted = sorted.findLast((e) => e.type === 'KeyDeleted');
  const ended = deleted !== undefined && (lastCreated === undefined || timeOf(deleted) >= timeOf(lastCreated));
  const to = Math.max(ended ? timeOf(deleted) : now, from + 1);

  /** Every lane drawn, in order; `materials` holds each backing key's latest lane. */
  const lanes: MaterialLane[] = [];
  const materials = new Map<string, MaterialLane>();
  /** When the life the events are in began, and how many backing keys it has had. */
  let lifeStart = from;
  let lifeLanes = 0;
  /** A backing key already drawn in this life; one the key's deletion ended belongs to an earlier life. */
  const drawn = (id: string): boolean => {
    const lane = materials.get(id);
    return lane !== undefined && lane.ended !== 'key deleted';
  };
  const addLane = (lane: MaterialLane): void => {
    lanes.push(lane);
    materials.set(lane.keyMaterialId, lane);
    lifeLanes += 1;
  };
  const states: StateBand[] = [];
  const aliasSpans = new Map<string, Span[]>();
  const grants = new Map<string, GrantLane>();
  const markers: Marker[] = [];
  let current: MaterialLane | null = null;

  const setState = (state: string, at: number) => {
    const last = states.at(-1);
    if (last && last.state === state) return;
    if (last) last.to = at;
    states.push({ state, from: at, to });
  };
  const makeCurrent = (lane: MaterialLane | undefined, at: number) => {
    if (current) current.current.at(-1)!.to = at;
    current = lane ?? null;
    if (lane) lane.current.push({ from: at, to: lane.to });
  };
  const endLane = (id: string | null, at: number, why: MaterialLane['ended']) => {
    const lane = id === null ? undefined : materials.get(id);
    if (!lane || lane.ended !== null) return;
    lane.to = at;
    lane.ended = why;
    for (const span of lane.current) span.to = Math.min(span.to, at);
    if (current === lane) current = null;
  };
  const aliasStart = (name: string, at: number) => {
    const spans = aliasSpans.get(name) ?? [];
    spans.push({ from: at, to });
    aliasSpans.set(name, spans);
  };
  const aliasEnd = (name: string, at: number) => {
    const last = aliasSpans.get(name)?.at(-1);
    if (last && last.to === to) last.to = at;
  };

  const endGrant = (data: Record<string, unknown>, at: number, why: 'retired' | 'revoked') => {
    const lane = grants.get(str(data.grantId) ?? '');
    if (lane && lane.ended === null) Object.assign(lane, { to: at, ended: why });
  };

  for (const event of sorted) {
    const at = timeOf(event);
    const data = event.data;
    const mark = (kind: Marker['kind'], label: string) =>
      markers.push({ at, kind, label, actor: event.actor?.principal ?? null });
    // The answer holds one region's key: its stream is `key-<id>`, or `key-<id>@<region>` outside the home region.
    const isKeyStream = event.streamName === undefined || keyOfStream(event.streamName)?.keyId === keyId;
    const stateAfter = isKeyStream && Object.hasOwn(STATE_AFTER, event.type) ? STATE_AFTER[event.type] : undefined;
    if (event.type === 'KeyCreated') {
      if (event !== created) {
        lifeStart = at;
        lifeLanes = 0;
        mark('other', 'Made again: a new replica on this stream');
      }
      setState(data.origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled', at);
    } else if (event.type === 'KeyMaterialArrived') {
      // A multi-Region replica's backing key, from its primary: held from its arrival, current if the primary's is.
      const id = str(data.keyMaterialId);
      if (id === null || drawn(id)) continue;
      const lane: MaterialLane = { keyMaterialId: id, origin: 'replicated', from: at, to, current: [], ended: null };
      addLane(lane);
      if (data.current !== true) continue;
      makeCurrent(lane, at);
      // What arrives with the replica's creation is its starting set; what arrives later, a rotation.
      if (at > lifeStart) mark('rotation', `Rotated on the primary in ${str(data.fromRegion) ?? '?'}`);
    } else if (event.type === 'KeyMaterialGenerated' || event.type === 'KeyMaterialImported') {
      const id = str(data.keyMaterialId);
      if (id === null || drawn(id)) continue;
      const lane: MaterialLane = {
        keyMaterialId: id,
        origin: event.type === 'KeyMaterialGenerated' ? 'generated' : 'imported',
        from: at,
        to,
        current: [],
        ended: null,
      };
      addLane(lane);
      // The first backing key is current from the start; later ones become current when a rotation says so.
      if (current === null && lifeLanes === 1) makeCurrent(lane, at);
      if (event.type === 'KeyMaterialImported' && states.at(-1)?.state === 'PendingImport') setState('Enabled', at);
    } else if (event.type === 'KeyRotated') {
      makeCurrent(materials.get(str(data.keyMaterialId) ?? ''), at);
      mark('rotation', `Rotated (${str(data.rotationType) ?? 'rotation'})`);
    } else if (event.type === 'KeyMaterialDeleted') {
      endLane(str(data.keyMaterialId), at, 'deleted');
      if (materials.size > 0 && [...materials.values()].every((m) => m.ended !== null)) setState('PendingImport', at);
    } else if (event.type === 'KeyMaterialExpired') {
      endLane(str(data.keyMaterialId), at, 'expired');
      if ([...materials.values()].every((m) => m.ended !== null)) setState('PendingImport', at);
    } else if (stateAfter !== undefined) {
      setState(stateAfter, at);
      if (event.type === 'KeyDeleted')
        for (const lane of materials.values()) endLane(lane.keyMaterialId, at, 'key deleted');
    } else if (event.type === 'AliasCreated') {
      const name = str(data.aliasName) ?? '?';
      aliasStart(name, at);
      mark('alias', `${name} created here`);
    } else if (event.type === 'AliasMoved') {
      const name = str(data.aliasName) ?? '?';
      if (data.toKeyId === keyId) {
        aliasStart(name, at);
        mark('alias', `${name} moved here from ${str(data.fromKeyId) ?? '?'}`);
      } else {
        aliasEnd(name, at);
        mark('alias', `${name} moved to ${str(data.toKeyId) ?? '?'}`);
      }
    } else if (event.type === 'AliasDeleted') {
      const name = str(data.aliasName) ?? '?';
      aliasEnd(name, at);
      mark('alias', `${name} deleted`);
    } else if (event.type === 'KeyPolicyChanged') {
      mark('policy', 'Key policy changed');
    } else if (event.type === 'GrantCreated') {
      const grantId = str(data.grantId) ?? '?';
      const lane: GrantLane = {
        grantId,
        name: str(data.name),
        grantee: str(data.granteePrincipal) ?? '?',
        operations: Array.isArray(data.operations) ? data.operations.map(String) : [],
        from: at,
        to,
        ended: null,
      };
      grants.set(grantId, lane);
      mark('grant', `Grant ${grantId} created for ${lane.grantee}`);
    } else if (event.type === 'GrantRetired' || event.type === 'GrantRevoked') {
      const why = event.type === 'GrantRetired' ? 'retired' : 'revoked';
      endGrant(data, at, why);
      mark('grant', `Grant ${str(data.grantId) ?? '?'} ${why}`);
    }
  }
  return {
    from,
    to,
    materials: lanes,
    states,
    aliases: [...aliasSpans].map(([aliasName, spans]) => ({ aliasName, spans })),
    grants: [...grants.values()],
    markers,
  };
}
