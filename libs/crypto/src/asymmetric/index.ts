export * from './key-pairs.js';
export * from './signing.js';
export * from './rsa-oaep.js';
export * from './hmac.js';
export * from './key-agreement.js';
