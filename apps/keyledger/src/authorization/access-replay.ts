import { StreamNotFoundError, type EventStore, type RecordedEvent } from '@keyledger/event-store';
import {
  DomainError,
  evaluateAuthorization,
  evolveDirectory,
  evolveKey,
  evolveKeyAccess,
  identityPoliciesOf,
  initialDirectoryState,
  initialKeyAccess,
  initialKeyState,
  keyStreamName,
  PRINCIPALS_STREAM,
  whoCould,
  type AuthorizationDecision,
  type DirectoryEntry,
  type KeyAccess,
  type KeyAggregate,
  type KeyEvent,
  type PrincipalAccess,
  type PrincipalDirectoryChanged,
  type ReviewedPrincipal,
} from '@keyledger/ledger';
import { eventTimeMs, toCsv } from '@keyledger/read-models';

/**
 * "Who could", as of any time: the key's stream and the principals stream replayed up to the time asked,
 * then the pure evaluator. Nothing is read from a mutable table: a past answer is the fold of the events
 * recorded before that time.
 */
export interface KeyAccessAsOf {
  key: KeyAggregate;
  access: KeyAccess;
  principals: readonly DirectoryEntry[];
}

export interface SimulateQuestion {
  principal: string;
  action: string;
  /** The key's ledger id in its region (a home-region key's is its key id). */
  keyId: string;
  encryptionContext?: Record<string, string>;
  sourceIp?: string;
  asOf: number;
}

export interface AccessReviewRow {
  principal: string;
  principalArn: string;
  keyArn: string;
  operation: string;
  decision: 'ALLOWED' | 'CONDITIONAL';
  /** The statements (Sid, or #index without one) and grant ids of every way in, ways apart by ` | `. */
  allowedBy: string;
}

export const ACCESS_REVIEW_COLUMNS = ['principal', 'principalArn', 'keyArn', 'operation', 'decision', 'allowedBy'];

export interface KeyAccessAnswer {
  asOf: string;
  keyArn: string;
  policy: string;
  grants: KeyAccess['grants'];
  principals: PrincipalAccess[];
}

export class AccessReplay {
  constructor(private readonly store: EventStore) {}

  private async read(stream: string): Promise<RecordedEvent[]> {
    try {
      return await this.store.readStream(stream);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  async directoryAt(asOf: number): Promise<readonly DirectoryEntry[]> {
    let state = initialDirectoryState();
    for (const event of await this.read(PRINCIPALS_STREAM)) {
      if (eventTimeMs(event) > asOf) break;
      if (event.type === 'PrincipalDirectoryChanged') {
        state = evolveDirectory(state, { type: event.type, data: event.data } as unknown as PrincipalDirectoryChanged);
      }
    }
    return state.principals;
  }

  /** `keyRef`: the key's ledger id in its region, as regionalId makes it (a home-region key's is its key id). */
  async keyAt(keyRef: string, asOf: number): Promise<KeyAccessAsOf> {
    let key = initialKeyState();
    let access = initialKeyAccess();
    for (const event of await this.read(keyStreamName(keyRef))) {
      if (eventTimeMs(event) > asOf) break;
      const fact = { type: event.type, data: event.data } as unknown as KeyEvent;
      key = evolveKey(key, fact);
      access = evolveKeyAccess(access, fact);
    }
    if (!key.exists)
      throw new DomainError('NotFound', `Key '${keyRef}' did not exist at ${new Date(asOf).toISOString()}`);
    return { key, access, principals: await this.directoryAt(asOf) };
  }

  async whoCould(keyRef: string, asOf: number): Promise<KeyAccessAnswer> {
    const { key, access, principals } = await this.keyAt(keyRef, asOf);
    return {
      asOf: new Date(asOf).toISOString(),
      keyArn: key.arn,
      policy: access.policyText,
      grants: access.grants,
      principals: whoCould(
        { arn: key.arn, accountId: access.accountId, policy: access.policy, grants: access.grants },
        principals.map(reviewed),
      ),
    };
  }

  /** Every principal × key × operation it could call, as of a time: the periodic access review (of one region). */
  async accessReview(asOf: number, region?: string): Promise<AccessReviewRow[]> {
    const streams = new Map<string, RecordedEvent[]>();
    for (const event of await this.store.readAll()) {
      if (!event.streamName.startsWith(keyStreamName('')) || eventTimeMs(event) > asOf) continue;
      const list = streams.get(event.streamName);
      if (list) list.push(event);
      else streams.set(event.streamName, [event]);
    }
    const principals = (await this.directoryAt(asOf)).map(reviewed);
    const rows: AccessReviewRow[] = [];
    for (const events of streams.values()) {
      let key = initialKeyState();
      let access = initialKeyAccess();
      for (const event of events) {
        const fact = { type: event.type, data: event.data } as unknown as KeyEvent;
        key = evolveKey(key, fact);
        access = evolveKeyAccess(access, fact);
      }
      if (!key.exists || key.deleted || (region !== undefined && key.region !== region)) continue;
      const answers = whoCould(
        { arn: key.arn, accountId: access.accountId, policy: access.policy, grants: access.grants },
        principals,
      );
      for (const principal of answers) {
        for (const op of principal.operations) {
          rows.push({
            principal: principal.name,
            principalArn: principal.principalArn,
            keyArn: key.arn,
            operation: op.action,
            decision: op.decision,
            allowedBy: op.allowedBy
              .map((way) =>
                way
                  .map((r) => (r.kind === 'grant' ? `grant:${r.grantId}` : `${r.policy}:${r.sid ?? `#${r.index}`}`))
                  .join(' + '),
              )
              .join(' | '),
          });
        }
      }
    }
    return rows.sort((a, b) => (a.principal + a.keyArn + a.operation < b.principal + b.keyArn + b.operation ? -1 : 1));
  }

  async simulate(question: SimulateQuestion): Promise<AuthorizationDecision> {
    const { key, access, principals } = await this.keyAt(question.keyId, question.asOf);
    const entry = principals.find((p) => p.name === question.principal || p.arn === question.principal);
    const principalArn = entry?.arn ?? question.principal;
    const action = question.action.startsWith('kms:') ? question.action : `kms:${question.action}`;
    return evaluateAuthorization({
      request: {
        principalArn,
        accountId: access.accountId,
        action,
        resource: key.arn,
        currentTime: question.asOf,
        ...(question.encryptionContext === undefined ? {} : { encryptionContext: question.encryptionContext }),
        ...(question.sourceIp === undefined ? {} : { sourceIp: question.sourceIp }),
        encryptionAlgorithm: action === 'kms:Encrypt' || action === 'kms:Decrypt' ? 'SYMMETRIC_DEFAULT' : undefined,
        keyOrigin: key.origin,
        keySpec: key.keySpec,
        keyUsage: key.keyUsage,
      },
      keyPolicy: access.policy,
      // A principal absent from the directory at that time had no identity policy.
      identityPolicies: entry === undefined ? [] : compiled(entry),
      grants: access.grants,
      complete: true,
    });
  }
}

export const accessReviewCsv = (rows: AccessReviewRow[]): string =>
  toCsv(rows as unknown as Array<Record<string, unknown>>, ACCESS_REVIEW_COLUMNS);

function compiled(entry: DirectoryEntry) {
  const policies = identityPoliciesOf(entry);
  // A recorded directory was valid when it was loaded; a policy that no longer parses allows nothing.
  return policies instanceof DomainError ? [] : policies;
}

const reviewed = (entry: DirectoryEntry): ReviewedPrincipal => ({
  name: entry.name,
  principalArn: entry.arn,
  identityPolicies: compiled(entry),
});
