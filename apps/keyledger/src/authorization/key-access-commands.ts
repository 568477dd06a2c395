import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  decideCreateGrant,
  decidePutKeyPolicy,
  decideRetireGrant,
  decideRevokeGrant,
  DomainError,
  evolveKey,
  evolveKeyAccess,
  initialKeyAccess,
  initialKeyState,
  type Clock,
  type CreateGrantOutcome,
  type GrantConstraints,
  type KeyAccess,
  type KeyAccessEvent,
  type KeyAggregate,
  type KeyEvent,
  type PolicyCaller,
} from '@keyledger/ledger';
import { CLOCK } from '../infrastructure/tokens.js';
import { KeyResolver } from '../keys/key-resolver.js';
import { LedgerRepository } from '@keyledger/key-store';
import type { RequestContext } from '../ledger/request-context.js';
import { Authorizer, type Caller } from './authorizer.js';

/** A key's lifecycle and who may use it, folded together so one load answers both. */
export interface KeyWithAccess {
  key: KeyAggregate;
  access: KeyAccess;
}

export const keyWithAccessFold = {
  initial: (): KeyWithAccess => ({ key: initialKeyState(), access: initialKeyAccess() }),
  evolve: (state: KeyWithAccess, event: KeyEvent | KeyAccessEvent): KeyWithAccess => ({
    key: evolveKey(state.key, event as KeyEvent),
    access: evolveKeyAccess(state.access, event),
  }),
};

export interface NewGrant {
  granteePrincipal: string;
  retiringPrincipal?: string;
  operations: string[];
  constraints?: GrantConstraints;
  name?: string;
}

/** 64 hex characters, as AWS's grant ids. */
const newGrantId = (): string => randomBytes(32).toString('hex');

function callerOf(context: RequestContext): Caller {
  const caller = context.authorization?.caller;
  // Every KMS request is authorised at the edge before its handler runs; a missing caller is a wiring mistake.
  if (caller === undefined) throw new Error('key access command without an authorised caller');
  return caller;
}

/**
 * The commands that change who may use a key: PutKeyPolicy, CreateGrant, RetireGrant, RevokeGrant. Each
 * takes the one command path (resolve the id once, load the key's stream, decide, append with the loaded
 * revision, bounded retry) and records a hash-chained event with the actor and request id.
 */
@Injectable()
export class KeyAccessCommands {
  constructor(
    private readonly repository: LedgerRepository,
    private readonly keys: KeyResolver,
    private readonly authorizer: Authorizer,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  policyCaller(caller: Caller): PolicyCaller {
    return {
      principalArn: caller.principalArn,
      accountId: caller.accountId,
      identityPolicies: this.authorizer.identityPolicies(caller),
      ...(caller.sourceIp === undefined ? {} : { sourceIp: caller.sourceIp }),
    };
  }

  async putKeyPolicy(
    keyIdInput: string,
    change: { policyName?: string; policy: string; bypass?: boolean },
    context: RequestContext,
  ): Promise<void> {
    // The key's ledger id: its stream in the request's region.
    const { ref: keyId } = await this.keys.resolve(keyIdInput, { allowAlias: false, region: context.region });
    const caller = this.policyCaller(callerOf(context));
    const now = this.clock.now();
    await this.repository.decideOnKeyStream<KeyWithAccess, KeyEvent | KeyAccessEvent>(
      keyId,
      keyWithAccessFold,
      ({ key }) =>
        decidePutKeyPolicy(
          {
            keyArn: key.arn,
            policy: change.policy,
            bypassPolicyLockoutSafetyCheck: change.bypass === true,
            caller,
            now,
            ...(change.policyName === undefined ? {} : { policyName: change.policyName }),
          },
          key,
        ),
      context,
    );
  }

  /** With `dryRun`, everything is decided (grant passing on, limits, names) and nothing appended. */
  async createGrant(
    keyIdInput: string,
    grant: NewGrant,
    context: RequestContext,
    dryRun = false,
  ): Promise<CreateGrantOutcome> {
    // The key's ledger id: its stream in the request's region.
    const { ref: keyId } = await this.keys.resolve(keyIdInput, { allowAlias: false, region: context.region });
    const authorization = context.authorization;
    const caller = callerOf(context);
    // Allowed through a grant of its own and no statement: the new grant can pass on no more than that one.
    const decision = authorization?.decisions[0];
    const viaGrant =
      decision !== undefined && decision.allowingStatements.length === 0 && decision.allowingGrants.length > 0
        ? decision.allowingGrants
        : undefined;
    const grantId = newGrantId();
    const now = this.clock.now();
    let outcome: CreateGrantOutcome | undefined;
    await this.repository.decideOnKeyStream<KeyWithAccess, KeyEvent | KeyAccessEvent>(
      keyId,
      keyWithAccessFold,
      ({ key, access }) => {
        const parent = viaGrant === undefined ? undefined : access.grants.find((g) => viaGrant.includes(g.grantId));
        const decided = decideCreateGrant(
          {
            grantId,
            granteePrincipal: grant.granteePrincipal,
            operations: grant.operations,
            caller: { principalArn: caller.principalArn, accountId: caller.accountId },
            now,
            ...(grant.retiringPrincipal === undefined ? {} : { retiringPrincipal: grant.retiringPrincipal }),
            ...(grant.constraints === undefined ? {} : { constraints: grant.constraints }),
            ...(grant.name === undefined ? {} : { name: grant.name }),
            ...(parent === undefined ? {} : { throughGrant: parent }),
          },
          key,
          access,
        );
        if (decided instanceof DomainError) return decided;
        if (dryRun) return new DomainError('DryRun', 'The request would have succeeded, but the DryRun option is set.');
        outcome = decided;
        return decided.events;
      },
      context,
    );
    return outcome!;
  }

  /** RetireGrant, by key and grant id (a token has been read into both by the caller). */
  async retireGrant(keyIdInput: string, grantId: string, context: RequestContext): Promise<void> {
    const keyId = await this.keys.refOf(keyIdInput, { allowAlias: false, region: context.region });
    const caller = callerOf(context);
    const loaded = await this.repository.loadKey(keyId);
    // The account's permission to retire (kms:RetireGrant through its policies) is judged on the key as loaded.
    const allowedByPolicy =
      loaded !== undefined &&
      loaded.state.exists &&
      (
        await this.authorizer.decide({
          caller,
          operation: 'RetireGrant',
          input: {},
          now: this.clock.now().getTime(),
          key: { keyId, revision: loaded.revision, state: loaded.state, aliases: [] },
        })
      ).every((d) => d.decision === 'ALLOWED');
    const now = this.clock.now();
    await this.repository.decideOnKeyStream<KeyWithAccess, KeyEvent | KeyAccessEvent>(
      keyId,
      keyWithAccessFold,
      ({ key, access }) =>
        decideRetireGrant(
          { grantId, caller: { principalArn: caller.principalArn, accountId: caller.accountId }, allowedByPolicy, now },
          key,
          access,
        ),
      context,
    );
  }

  async revokeGrant(keyIdInput: string, grantId: string, context: RequestContext): Promise<void> {
    // The key's ledger id: its stream in the request's region.
    const { ref: keyId } = await this.keys.resolve(keyIdInput, { allowAlias: false, region: context.region });
    const caller = callerOf(context);
    const now = this.clock.now();
    await this.repository.decideOnKeyStream<KeyWithAccess, KeyEvent | KeyAccessEvent>(
      keyId,
      keyWithAccessFold,
      ({ key, access }) =>
        decideRevokeGrant(
          { grantId, caller: { principalArn: caller.principalArn, accountId: caller.accountId }, now },
          key,
          access,
        ),
      context,
    );
  }
}
