import { Inject, Injectable } from '@nestjs/common';
import {
  DEFAULT_POLICY_NAME,
  DomainError,
  grantTokenFor,
  parseGrantToken,
  policyNameError,
  type GrantConstraints,
  type GrantRecord,
  regionOf,
} from '@keyledger/ledger';
import { KeyStateCache } from '@keyledger/key-store';
import { randomBytes } from 'node:crypto';
import { KeyAccessCache } from '../authorization/key-access-cache.js';
import { KeyAccessCommands } from '../authorization/key-access-commands.js';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { KeyResolver } from '../keys/key-resolver.js';
import { page } from '../ledger/paging.js';
import { pageFields } from './aws-responses.js';
import type { OperationFamily } from './operation-table.js';

export type KeyAccessOperation =
  | 'GetKeyPolicy'
  | 'PutKeyPolicy'
  | 'ListKeyPolicies'
  | 'CreateGrant'
  | 'ListGrants'
  | 'ListRetirableGrants'
  | 'RetireGrant'
  | 'RevokeGrant';

const dryRun = () => new DomainError('DryRun', 'The request would have succeeded, but the DryRun option is set.');
const unsupported = (member: string) =>
  new DomainError('Unsupported', `${member} is not supported: Keyledger has no AWS service principals.`);

/** AWS's GrantListEntry. */
function grantEntry(keyArn: string, grant: GrantRecord) {
  return {
    KeyId: keyArn,
    GrantId: grant.grantId,
    Name: grant.name ?? undefined,
    CreationDate: new Date(grant.createdAt),
    GranteePrincipal: grant.granteePrincipal,
    RetiringPrincipal: grant.retiringPrincipal ?? undefined,
    IssuingAccount: grant.issuingAccount,
    Operations: grant.operations,
    Constraints: grant.constraints ?? undefined,
  };
}

/** Who may use a key: its policy (one, named `default`) and its grants. */
@Injectable()
export class KeyAccessOperations {
  constructor(
    private readonly keys: KeyResolver,
    private readonly access: KeyAccessCache,
    private readonly commands: KeyAccessCommands,
    private readonly cache: KeyStateCache,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  readonly handlers: OperationFamily<KeyAccessOperation> = {
    GetKeyPolicy: async (input, context) => {
      const nameError = policyNameError(input.PolicyName);
      if (nameError) throw nameError;
      const access = await this.accessOf(input.KeyId, context.region);
      return { Policy: access.policyText, PolicyName: DEFAULT_POLICY_NAME };
    },
    PutKeyPolicy: async (input, context) => {
      await this.commands.putKeyPolicy(
        input.KeyId,
        {
          policy: input.Policy,
          ...(input.PolicyName === undefined ? {} : { policyName: input.PolicyName }),
          ...(input.BypassPolicyLockoutSafetyCheck === undefined
            ? {}
            : { bypass: input.BypassPolicyLockoutSafetyCheck }),
        },
        context,
      );
      return {};
    },
    ListKeyPolicies: async (input, context) => {
      await this.keys.resolve(input.KeyId, { allowAlias: false, region: context.region });
      const listed = page([DEFAULT_POLICY_NAME], input.Limit, input.Marker);
      return { PolicyNames: listed.items, ...pageFields(listed) };
    },
    CreateGrant: async (input, context) => {
      if (input.GranteeServicePrincipal !== undefined) throw unsupported('GranteeServicePrincipal');
      if (input.RetiringServicePrincipal !== undefined) throw unsupported('RetiringServicePrincipal');
      if (input.Constraints?.SourceArn !== undefined) throw unsupported('Constraints.SourceArn');
      if (input.GranteePrincipal === undefined) throw new DomainError('Validation', 'GranteePrincipal is required.');
      const { keyId } = await this.keys.resolve(input.KeyId, { allowAlias: false, region: context.region });
      const constraints: GrantConstraints | undefined =
        input.Constraints === undefined
          ? undefined
          : {
              ...(input.Constraints.EncryptionContextEquals === undefined
                ? {}
                : { EncryptionContextEquals: input.Constraints.EncryptionContextEquals }),
              ...(input.Constraints.EncryptionContextSubset === undefined
                ? {}
                : { EncryptionContextSubset: input.Constraints.EncryptionContextSubset }),
            };
      const created = await this.commands.createGrant(
        keyId,
        {
          granteePrincipal: input.GranteePrincipal,
          operations: input.Operations,
          ...(input.RetiringPrincipal === undefined ? {} : { retiringPrincipal: input.RetiringPrincipal }),
          ...(constraints === undefined ? {} : { constraints }),
          ...(input.Name === undefined ? {} : { name: input.Name }),
        },
        context,
        input.DryRun === true,
      );
      // A fresh token on every call, as AWS gives, even when a same-named grant is returned again.
      const token = grantTokenFor(keyId, created.grantId, randomBytes(12).toString('hex'));
      return { GrantToken: token, GrantId: created.grantId };
    },
    ListGrants: async (input, context) => {
      if (input.GranteeServicePrincipal !== undefined) throw unsupported('GranteeServicePrincipal');
      const key = await this.keys.resolve(input.KeyId, { allowAlias: false, region: context.region });
      const access = await this.access.accessAt(key.ref, key.revision);
      const grants = access.grants.filter(
        (g) =>
          (input.GrantId === undefined || g.grantId === input.GrantId) &&
          (input.GranteePrincipal === undefined || g.granteePrincipal === input.GranteePrincipal),
      );
      const listed = page(grants, input.Limit, input.Marker);
      return { Grants: listed.items.map((g) => grantEntry(key.state.arn, g)), ...pageFields(listed) };
    },
    ListRetirableGrants: async (input, context) => {
      if (input.RetiringServicePrincipal !== undefined) throw unsupported('RetiringServicePrincipal');
      const retiring = input.RetiringPrincipal;
      if (retiring === undefined) throw new DomainError('Validation', 'RetiringPrincipal is required.');
      const entries = [];
      for (const keyId of this.cache.keyIds()) {
        // Grants of the request's region only, as AWS lists them.
        if (regionOf(keyId, this.config.region) !== context.region) continue;
        const key = this.cache.key(keyId);
        if (key === undefined || !key.state.exists || key.state.deleted) continue;
        const access = await this.access.accessAt(keyId, key.revision);
        for (const g of access.grants) if (g.retiringPrincipal === retiring) entries.push(grantEntry(key.state.arn, g));
      }
      const listed = page(entries, input.Limit, input.Marker);
      return { Grants: listed.items, ...pageFields(listed) };
    },
    RetireGrant: async (input, context) => {
      const { keyId, grantId } = await this.retiredGrant(input, context.region);
      if (input.DryRun === true) throw dryRun();
      await this.commands.retireGrant(keyId, grantId, context);
      return {};
    },
    RevokeGrant: async (input, context) => {
      if (input.DryRun === true) {
        await this.keys.resolve(input.KeyId, { allowAlias: false, region: context.region });
        throw dryRun();
      }
      await this.commands.revokeGrant(input.KeyId, input.GrantId, context);
      return {};
    },
  };

  private async accessOf(keyIdInput: string, region: string) {
    const key = await this.keys.resolve(keyIdInput, { allowAlias: false, region });
    return this.access.accessAt(key.ref, key.revision);
  }

  /** RetireGrant names its grant by token, or by key and grant id. */
  private async retiredGrant(input: { GrantToken?: string; KeyId?: string; GrantId?: string }, region: string) {
    if (input.GrantToken !== undefined) {
      const token = parseGrantToken(input.GrantToken);
      if (token instanceof DomainError) throw token;
      const { keyId } = await this.keys.resolve(token.keyId, { allowAlias: false, region });
      return { keyId, grantId: token.grantId };
    }
    if (input.KeyId === undefined || input.GrantId === undefined)
      throw new DomainError('Validation', 'Either GrantToken, or both KeyId and GrantId, must be specified.');
    const { keyId } = await this.keys.resolve(input.KeyId, { allowAlias: false, region });
    return { keyId, grantId: input.GrantId };
  }
}
