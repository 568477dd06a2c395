/** Who asked for a change, recorded with every event it caused. Never a secret: the access key id only. */
export interface Actor {
  principal: string;
  accessKeyId: string | null;
  sourceAddress: string | null;
}

export interface EventMetadata {
  actor: Actor;
  requestId: string;
  time: string;
  [key: string]: unknown;
}

/** The actor of changes Keyledger makes by itself when they fall due. */
export const SCHEDULER_ACTOR: Actor = { principal: 'keyledger:scheduler', accessKeyId: null, sourceAddress: null };
