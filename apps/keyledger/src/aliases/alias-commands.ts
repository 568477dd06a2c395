import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  aliasArnOf,
  decideAlias,
  keyStateOf,
  validateAliasName,
  type AliasTarget,
  type Clock,
} from '@keyledger/ledger';
import { KeyStateCache } from '@keyledger/key-store';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CLOCK, CONFIG } from '../infrastructure/tokens.js';
import { KeyResolver } from '../keys/key-resolver.js';
import { LedgerRepository } from '@keyledger/key-store';
import type { RequestContext } from '../ledger/request-context.js';
import { refIn, scopeIn } from '../regions/request-region.js';
import { aliasesOfKeyIn } from '../regions/regional-listing.js';

export type AliasChange =
  | { type: 'CreateAlias'; aliasName: string; targetKeyId: string }
  | { type: 'UpdateAlias'; aliasName: string; targetKeyId: string }
  | { type: 'DeleteAlias'; aliasName: string };

export class ChangeAliasCommand extends Command<void> {
  constructor(
    readonly change: AliasChange,
    readonly context: RequestContext,
  ) {
    super();
  }
}

/**
 * One stream per alias name makes names unique: the first CreateAlias appends
 * with NO_STREAM, and every concurrent one loses that race and, on retry, sees
 * the alias and answers AlreadyExists.
 */
@CommandHandler(ChangeAliasCommand)
export class ChangeAliasHandler implements ICommandHandler<ChangeAliasCommand, void> {
  constructor(
    private readonly repository: LedgerRepository,
    private readonly keys: KeyResolver,
    private readonly cache: KeyStateCache,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  async execute({ change, context }: ChangeAliasCommand): Promise<void> {
    const nameError = validateAliasName(change.aliasName);
    if (nameError) throw nameError;
    const now = this.clock.now();
    const { region } = context;
    const arn = aliasArnOf(scopeIn(this.config, region), change.aliasName);
    let target: AliasTarget | undefined;
    if (change.type !== 'DeleteAlias') {
      // Aliases point at keys, never at other aliases: AWS takes a key id or key ARN here.
      const key = await this.keys.resolve(change.targetKeyId, { allowAlias: false, region });
      // From the cache: two racing CreateAliases on one key may both pass at 49 (the quota is a bound, not a count).
      const aliasCount = aliasesOfKeyIn(this.cache, this.config, region, key.keyId).length;
      target = { keyId: key.keyId, arn: key.state.arn, keyState: keyStateOf(key.state), aliasCount };
    }
    // Alias names are unique per region: each region's alias is a stream of its own.
    await this.repository.decideOnAlias(
      refIn(this.config, region, change.aliasName),
      (alias) =>
        decideAlias(
          change.type === 'DeleteAlias'
            ? { type: 'DeleteAlias', aliasName: change.aliasName, aliasArn: arn, now }
            : { type: change.type, aliasName: change.aliasName, aliasArn: arn, target: target!, now },
          alias,
        ),
      context,
    );
  }
}
