/** Injection tokens for what the repository takes that is not a class of ours. */
export const CLOCK = Symbol('Clock');
export const EVENT_STORE = Symbol('EventStore');
