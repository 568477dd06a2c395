// Bring your own key with node:crypto: make 32 bytes, wrap them under the key's import public key, import.
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  KMSClient,
} from '@aws-sdk/client-kms';

const kms = new KMSClient({ endpoint: process.env.KEYLEDGER_URL ?? 'http://127.0.0.1:8080', region: 'us-east-1' });
const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
const keyId = KeyMetadata.KeyId;

const params = await kms.send(
  new GetParametersForImportCommand({
    KeyId: keyId,
    WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
    WrappingKeySpec: 'RSA_2048',
  }),
);
const material = randomBytes(32); // keep a copy: re-importing it revives old ciphertexts
const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey), format: 'der', type: 'spki' });
const wrapped = publicEncrypt(
  { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
  material,
);
await kms.send(
  new ImportKeyMaterialCommand({
    KeyId: keyId,
    ImportToken: params.ImportToken,
    EncryptedKeyMaterial: wrapped,
    ExpirationModel: 'KEY_MATERIAL_EXPIRES',
    ValidTo: new Date(Date.now() + 90 * 86400e3),
  }),
);

const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('hello') }));
const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob }));
console.log(`${keyId}: imported material encrypts and decrypts '${Buffer.from(Plaintext).toString()}'`);
