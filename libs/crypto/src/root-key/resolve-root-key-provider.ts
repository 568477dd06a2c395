import { FileRootKeyProvider } from './file-root-key-provider.js';
import type { RootKeyProvider } from './root-key-provider.js';
import { StaticRootKeyProvider } from './static-root-key-provider.js';

/** The configured key (`KEYLEDGER_ROOT_KEY`) wins; otherwise `<dataDir>/root.key`, created on first start. */
export function resolveRootKeyProvider(options: {
  dataDir: string;
  rootKeyBase64?: string | undefined;
  /** Set when a new key file must not be made: what already exists that the old key wrapped. */
  refuseToCreate?: string | undefined;
}): RootKeyProvider {
  const configured = options.rootKeyBase64;
  if (configured !== undefined && configured.trim() !== '') return StaticRootKeyProvider.fromBase64(configured);
  return FileRootKeyProvider.openOrCreate(options.dataDir, { refuseToCreate: options.refuseToCreate });
}
