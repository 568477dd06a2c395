// Create a key, name it, encrypt under the name and decrypt: the AWS SDK with only an endpoint change.
import { CreateAliasCommand, CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';

const kms = new KMSClient({ endpoint: process.env.KEYLEDGER_URL ?? 'http://127.0.0.1:8080', region: 'us-east-1' });

const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'payments' }));
const alias = `alias/payments-${Date.now()}`;
await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata.KeyId }));

const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: alias, Plaintext: Buffer.from('secret') }));
const { Plaintext, KeyId } = await kms.send(new DecryptCommand({ CiphertextBlob }));
console.log(`${alias} -> ${KeyId}: decrypted '${Buffer.from(Plaintext).toString()}'`);
