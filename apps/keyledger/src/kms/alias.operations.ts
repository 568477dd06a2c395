import { Inject, Injectable } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ChangeAliasCommand } from '../aliases/alias-commands.js';
import type { KeyledgerConfig } from '../config/keyledger-config.js';
import { CONFIG } from '../infrastructure/tokens.js';
import { ListAliasesQuery } from '../keys/key-queries.js';
import { aliasEntry, pageFields } from './aws-responses.js';
import type { OperationFamily } from './operation-table.js';
import { scopeIn } from '../regions/request-region.js';

export type AliasOperation = 'CreateAlias' | 'UpdateAlias' | 'DeleteAlias' | 'ListAliases';

/** Aliases: each name is a stream of its own, pointing at one key. */
@Injectable()
export class AliasOperations {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CONFIG) private readonly config: KeyledgerConfig,
  ) {}

  readonly handlers: OperationFamily<AliasOperation> = {
    CreateAlias: async (input, context) => {
      await this.commands.execute(
        new ChangeAliasCommand(
          { type: 'CreateAlias', aliasName: input.AliasName, targetKeyId: input.TargetKeyId },
          context,
        ),
      );
      return {};
    },
    UpdateAlias: async (input, context) => {
      await this.commands.execute(
        new ChangeAliasCommand(
          { type: 'UpdateAlias', aliasName: input.AliasName, targetKeyId: input.TargetKeyId },
          context,
        ),
      );
      return {};
    },
    DeleteAlias: async (input, context) => {
      await this.commands.execute(new ChangeAliasCommand({ type: 'DeleteAlias', aliasName: input.AliasName }, context));
      return {};
    },
    ListAliases: async (input, context) => {
      const listed = await this.queries.execute(
        new ListAliasesQuery(context.region, input.KeyId, input.Limit, input.Marker),
      );
      const scope = scopeIn(this.config, context.region);
      return { Aliases: listed.items.map((a) => aliasEntry(a, scope)), ...pageFields(listed) };
    },
  };
}
