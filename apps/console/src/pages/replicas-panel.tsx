import { ledgerJson, pathPart } from '../api.js';
import { Section, shortId, Shown, useLoad, When } from '../components.js';
import { keyHref } from '../key-link.js';
import type { KeyRef } from '../key-ref.js';
import { primaryOf, replicaGaps, type ReplicaGap } from '../replication/replica-gaps.js';
import type { ReplicaBackingKey, ReplicationAsOf, ReplicationMember } from '../types.js';
import '../replication/replicas.css';

const isMultiRegion = (keyId: string) => keyId.startsWith('mrk-');

/**
 * A multi-Region key's primary and replicas side by side, as of the time cursor: each region's state, the backing
 * keys it held (the current one marked), and what a replica lacks that its primary has.
 */
export function ReplicasPanel({ keyRef, here, asOf }: { keyRef: KeyRef; here: string; asOf: string }) {
  const replication = useLoad(
    (signal) =>
      isMultiRegion(keyRef.keyId)
        ? ledgerJson<ReplicationAsOf>(`keys/${pathPart(keyRef.keyId)}/replication`, { query: { asOf }, signal })
        : Promise.resolve(null),
    [keyRef.keyId, asOf],
  );
  if (!isMultiRegion(keyRef.keyId)) return null;
  return (
    <Section title="Regions, side by side" id="replicas">
      <Shown load={replication}>{(answer) => answer !== null && <Members answer={answer} here={here} />}</Shown>
    </Section>
  );
}

function Members({ answer, here }: { answer: ReplicationAsOf; here: string }) {
  const primary = primaryOf(answer.members, answer.primaryRegion);
  return (
    <>
      <p class="muted small">
        As of <When iso={answer.asOf} />: primary in {answer.primaryRegion}, {answer.members.length - 1} replica
        {answer.members.length === 2 ? '' : 's'}.
      </p>
      <ul class="replicas" aria-label="Regions of this multi-Region key">
        {answer.members.map((member) => (
          <li
            key={member.region}
            class={`replica${member.region === here ? ' here' : ''}`}
            data-region={member.region}
            aria-current={member.region === here ? 'page' : undefined}
          >
            <Member keyId={answer.keyId} member={member} primary={primary} here={member.region === here} />
          </li>
        ))}
      </ul>
    </>
  );
}

function Member(props: { keyId: string; member: ReplicationMember; primary: ReplicationMember | null; here: boolean }) {
  const { keyId, member, primary, here } = props;
  const role = member.multiRegionKeyType === 'PRIMARY' ? 'Primary' : 'Replica';
  return (
    <>
      <h3>
        {here ? (
          member.region
        ) : (
          <a href={keyHref({ keyId, region: member.region })} title={`Open the ${member.region} key`}>
            {member.region}
          </a>
        )}{' '}
        <span class="pill">{role}</span>
        {here && <span class="muted small"> (this page)</span>}
      </h3>
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <span class={`pill state-${member.keyState}`} data-testid="replica-state">
            {member.keyState}
          </span>
        </dd>
        <dt>Created</dt>
        <dd>
          <When iso={member.createdAt} />
        </dd>
        {member.deletedAt !== null && (
          <>
            <dt>Deleted</dt>
            <dd>
              <When iso={member.deletedAt} />
            </dd>
          </>
        )}
      </dl>
      <h4>
        Backing keys: <span data-testid="replica-backing-count">{member.backingKeys.length}</span>
      </h4>
      <ul class="materials" aria-label={`Backing keys in ${member.region}`}>
        {member.backingKeys.map((b) => (
          <BackingKey key={b.keyMaterialId} backingKey={b} />
        ))}
      </ul>
      {primary !== null && member !== primary && <Gaps gaps={replicaGaps(primary, member)} region={member.region} />}
    </>
  );
}

function BackingKey({ backingKey: b }: { backingKey: ReplicaBackingKey }) {
  return (
    <li data-key-material-id={b.keyMaterialId} class={b.current ? 'current' : undefined}>
      <abbr class="mono" title={b.keyMaterialId} tabIndex={0} aria-label={`Backing key ${b.keyMaterialId}`}>
        {shortId(b.keyMaterialId, 12)}
      </abbr>{' '}
      {b.current && <span class="pill current">current</span>}
      {!b.hasMaterial && <span class="pill gone">material destroyed</span>}
      <div class="muted small">
        held since <When iso={b.heldSince} />
      </div>
    </li>
  );
}

function Gaps({ gaps, region }: { gaps: ReplicaGap[]; region: string }) {
  return (
    <div class="gaps" data-testid="replica-gaps">
      <h4>Missing here, against the primary</h4>
      {gaps.length === 0 ? (
        <p class="ok small">Nothing: {region} holds every backing key of the primary.</p>
      ) : (
        <ul aria-label={`Missing in ${region}`}>
          {gaps.map((gap) => (
            <li key={`${gap.kind}-${gap.keyMaterialId}`} data-gap={gap.kind}>
              <GapText gap={gap} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function GapText({ gap }: { gap: ReplicaGap }) {
  const id = (keyMaterialId: string) => (
    <abbr class="mono" title={keyMaterialId}>
      {shortId(keyMaterialId, 12)}
    </abbr>
  );
  if (gap.kind === 'not-held') return <>Backing key {id(gap.keyMaterialId)} never arrived</>;
  if (gap.kind === 'material-gone') return <>Backing key {id(gap.keyMaterialId)}: its material here is destroyed</>;
  return (
    <>
      The primary encrypts with {id(gap.keyMaterialId)}; here the current one is{' '}
      {gap.here === null ? 'none' : id(gap.here)}
    </>
  );
}
