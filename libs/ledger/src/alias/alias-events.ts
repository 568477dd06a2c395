export interface AliasCreated {
  type: 'AliasCreated';
  data: { aliasName: string; aliasArn: string; targetKeyId: string; createdAt: string };
}

export interface AliasMoved {
  type: 'AliasMoved';
  data: { aliasName: string; fromKeyId: string; toKeyId: string; movedAt: string };
}

export interface AliasDeleted {
  type: 'AliasDeleted';
  data: { aliasName: string; targetKeyId: string; deletedAt: string };
}

export type AliasEvent = AliasCreated | AliasMoved | AliasDeleted;
export type AliasEventType = AliasEvent['type'];

export const ALIAS_EVENT_TYPES: readonly AliasEventType[] = ['AliasCreated', 'AliasMoved', 'AliasDeleted'];
