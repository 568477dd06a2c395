import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  verify,
  type KeyObject,
} from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boto3Json, boto3Python } from './support/python-sdk.js';
import { ADMIN, startKeyledger, type Harness } from './support/keyledger-harness.js';

/**
 * The key family through boto3, as a Python user drives it: every answer and error is printed as JSON, and
 * the signatures, public keys and secrets are checked here with node:crypto.
 */
const BOTO3_KEY_FAMILY = `
import sys, json, base64, hashlib, boto3, botocore.exceptions
url, access, secret, peer_public = sys.argv[1:5]
kms = boto3.client('kms', region_name='us-east-1', endpoint_url=url, aws_access_key_id=access,
                   aws_secret_access_key=secret)
b64 = lambda data: base64.b64encode(data).decode()
def refused(call):
    try:
        call()
        return None
    except botocore.exceptions.ClientError as e:
        return [e.response['Error']['Code'], e.response['Error']['Message']]
def create(spec, usage):
    return kms.create_key(KeySpec=spec, KeyUsage=usage)['KeyMetadata']
message = b'signed through boto3'
out = {'signing': {}}
for spec, algorithm in [('RSA_2048', 'RSASSA_PSS_SHA_256'), ('ECC_NIST_P384', 'ECDSA_SHA_384'),
                        ('ECC_SECG_P256K1', 'ECDSA_SHA_256'), ('ECC_NIST_EDWARDS25519', 'ED25519_SHA_512'),
                        ('ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512')]:
    key = create(spec, 'SIGN_VERIFY')
    sign = lambda data, kind: kms.sign(KeyId=key['KeyId'], Message=data, MessageType=kind,
                                       SigningAlgorithm=algorithm)['Signature']
    check = lambda data, kind, signature: kms.verify(KeyId=key['KeyId'], Message=data, MessageType=kind,
                                                      Signature=signature, SigningAlgorithm=algorithm)['SignatureValid']
    digest = hashlib.new('sha' + algorithm[-3:], message).digest()
    case = {'algorithms': key['SigningAlgorithms']}
    if algorithm == 'ED25519_PH_SHA_512':
        case['rawRefused'] = refused(lambda: sign(message, 'RAW'))
    else:
        raw = sign(message, 'RAW')
        case['raw'] = b64(raw)
        case['rawVerified'] = check(message, 'RAW', raw)
    if algorithm != 'ED25519_SHA_512':
        signed = sign(digest, 'DIGEST')
        case['digest'] = b64(signed)
        case['digestVerified'] = check(digest, 'DIGEST', signed)
        case['rawAsDigest'] = None if algorithm.startswith('ED25519') else check(digest, 'DIGEST', raw)
        case['tampered'] = refused(lambda: check(hashlib.new('sha' + algorithm[-3:], b'x').digest(), 'DIGEST', signed))
    public = kms.get_public_key(KeyId=key['KeyId'])
    case['publicKey'] = b64(public['PublicKey'])
    case['publicKeySpec'] = public['KeySpec']
    out['signing'][algorithm] = case

rsa = create('RSA_2048', 'ENCRYPT_DECRYPT')
blob = kms.encrypt(KeyId=rsa['KeyId'], Plaintext=b'enveloped', EncryptionAlgorithm='RSAES_OAEP_SHA_256')['CiphertextBlob']
out['oaep'] = {
    'algorithms': rsa['EncryptionAlgorithms'],
    'decrypted': kms.decrypt(KeyId=rsa['KeyId'], CiphertextBlob=blob,
                             EncryptionAlgorithm='RSAES_OAEP_SHA_256')['Plaintext'].decode(),
    'tooLarge': refused(lambda: kms.encrypt(KeyId=rsa['KeyId'], Plaintext=b'x' * 191,
                                            EncryptionAlgorithm='RSAES_OAEP_SHA_256')),
}
signer = create('ECC_NIST_P256', 'SIGN_VERIFY')
out['wrongUsage'] = [signer['Arn'], refused(lambda: kms.encrypt(KeyId=signer['KeyId'], Plaintext=b'x'))]
out['incompatible'] = refused(lambda: create('RSA_2048', 'KEY_AGREEMENT'))
out['shortDigest'] = refused(lambda: kms.sign(KeyId=signer['KeyId'], Message=b'\\x01' * 20, MessageType='DIGEST',
                                              SigningAlgorithm='ECDSA_SHA_256'))

hmac = create('HMAC_256', 'GENERATE_VERIFY_MAC')
mac = kms.generate_mac(KeyId=hmac['KeyId'], Message=message, MacAlgorithm='HMAC_SHA_256')['Mac']
out['mac'] = {
    'algorithms': hmac['MacAlgorithms'],
    'valid': kms.verify_mac(KeyId=hmac['KeyId'], Message=message, MacAlgorithm='HMAC_SHA_256', Mac=mac)['MacValid'],
    'wrong': refused(lambda: kms.verify_mac(KeyId=hmac['KeyId'], Message=b'other', MacAlgorithm='HMAC_SHA_256',
                                            Mac=mac)),
}

wrapping = kms.create_key()['KeyMetadata']
context = {'purpose': 'boto3 data key pair'}
pair = kms.generate_data_key_pair(KeyId=wrapping['KeyId'], KeyPairSpec='ECC_NIST_P256', EncryptionContext=context)
opened = kms.decrypt(CiphertextBlob=pair['PrivateKeyCiphertextBlob'], EncryptionContext=context)['Plaintext']
bare = kms.generate_data_key_pair_without_plaintext(KeyId=wrapping['KeyId'], KeyPairSpec='RSA_2048')
out['dataKeyPair'] = {
    'privateKey': b64(pair['PrivateKeyPlaintext']), 'publicKey': b64(pair['PublicKey']),
    'opened': opened == pair['PrivateKeyPlaintext'], 'spec': pair['KeyPairSpec'],
    'withoutPlaintext': sorted(bare.keys()), 'withoutContext': refused(
        lambda: kms.decrypt(CiphertextBlob=pair['PrivateKeyCiphertextBlob'])),
}

agreement = create('ECC_NIST_P256', 'KEY_AGREEMENT')
derived = kms.derive_shared_secret(KeyId=agreement['KeyId'], KeyAgreementAlgorithm='ECDH',
                                   PublicKey=base64.b64decode(peer_public))
out['ecdh'] = {
    'algorithms': agreement['KeyAgreementAlgorithms'], 'secret': b64(derived['SharedSecret']),
    'publicKey': b64(kms.get_public_key(KeyId=agreement['KeyId'])['PublicKey']),
}
print(json.dumps(out))
`;

const message = Buffer.from('signed through boto3');
const spki = (base64: string) => createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
const sig = (base64: string) => Buffer.from(base64, 'base64');

describe('the key family through boto3 (the AWS SDK for Python)', () => {
  let h: Harness;
  let python: string | undefined;
  let peer: { privateKey: KeyObject; publicKey: KeyObject };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the script's JSON, checked field by field
  let out: any;

  beforeAll(async () => {
    h = await startKeyledger();
    python = await boto3Python();
    peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const peerPublic = peer.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    out = await boto3Json(python, BOTO3_KEY_FAMILY, [h.url, ADMIN.accessKeyId, ADMIN.secretAccessKey, peerPublic]);
  });
  afterAll(() => h.close());

  it('Sign and Verify, RAW and DIGEST: node:crypto verifies what boto3 got, with the key from GetPublicKey', () => {
    const { signing } = out;
    const pss = signing.RSASSA_PSS_SHA_256;
    expect(pss.publicKeySpec).toBe('RSA_2048');
    const pssKey = { key: spki(pss.publicKey), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    for (const signature of [pss.raw, pss.digest]) expect(verify('sha256', message, pssKey, sig(signature))).toBe(true);
    for (const [algorithm, hash] of [
      ['ECDSA_SHA_384', 'sha384'],
      ['ECDSA_SHA_256', 'sha256'],
    ]) {
      const key = spki(signing[algorithm].publicKey);
      expect(verify(hash, message, key, sig(signing[algorithm].raw))).toBe(true);
      expect(verify(hash, message, key, sig(signing[algorithm].digest))).toBe(true);
    }
    const pure = signing.ED25519_SHA_512;
    expect(pure.algorithms).toEqual(['ED25519_SHA_512', 'ED25519_PH_SHA_512']);
    expect(verify(null, message, spki(pure.publicKey), sig(pure.raw))).toBe(true);
    const ph = signing.ED25519_PH_SHA_512;
    const raw32 = spki(ph.publicKey).export({ format: 'der', type: 'spki' }).subarray(-32);
    const digest = createHash('sha512').update(message).digest();
    expect(ed25519ph.verify(sig(ph.digest), digest, raw32)).toBe(true);
    // AWS: ED25519_PH_SHA_512 requires MessageType DIGEST.
    expect(ph.rawRefused).toEqual([
      'ValidationException',
      'MessageType RAW is not valid for signing algorithm ED25519_PH_SHA_512.',
    ]);

    for (const algorithm of ['RSASSA_PSS_SHA_256', 'ECDSA_SHA_384', 'ECDSA_SHA_256', 'ED25519_PH_SHA_512']) {
      const { rawVerified, digestVerified, rawAsDigest, tampered } = signing[algorithm];
      expect({ algorithm, rawVerified, digestVerified, tampered }).toEqual({
        algorithm,
        rawVerified: algorithm === 'ED25519_PH_SHA_512' ? undefined : true,
        digestVerified: true,
        // botocore reports AWS's empty message as an empty string.
        tampered: ['KMSInvalidSignatureException', ''],
      });
      expect(rawAsDigest).toBe(algorithm === 'ED25519_PH_SHA_512' ? null : true);
    }
    expect(pure.rawVerified).toBe(true);
  });

  it('RSA OAEP Encrypt/Decrypt, and AWS error texts as boto3 reports them', () => {
    expect(out.oaep).toEqual({
      algorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'],
      decrypted: 'enveloped',
      tooLarge: [
        'ValidationException',
        'Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.',
      ],
    });
    const [arn, wrongUsage] = out.wrongUsage;
    expect(wrongUsage).toEqual([
      'InvalidKeyUsageException',
      `${arn} key usage is SIGN_VERIFY which is not valid for Encrypt.`,
    ]);
    expect(out.incompatible).toEqual([
      'ValidationException',
      'KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048',
    ]);
    expect(out.shortDigest).toEqual(['ValidationException', 'Digest is invalid length for algorithm ECDSA_SHA_256.']);
  });

  it('GenerateMac and VerifyMac; a wrong MAC is KMSInvalidMacException with an empty message', () => {
    expect(out.mac).toEqual({ algorithms: ['HMAC_SHA_256'], valid: true, wrong: ['KMSInvalidMacException', ''] });
  });

  it('GenerateDataKeyPair: a PKCS#8 private key matching its public key, sealed under the encryption context', () => {
    const pair = out.dataKeyPair;
    expect(pair).toMatchObject({ spec: 'ECC_NIST_P256', opened: true });
    const privateKey = createPrivateKey({ key: sig(pair.privateKey), format: 'der', type: 'pkcs8' });
    expect(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })).toEqual(sig(pair.publicKey));
    // KeyMaterialId too, as newer API versions answer.
    expect(pair.withoutPlaintext).toEqual(
      expect.arrayContaining(['KeyPairSpec', 'PrivateKeyCiphertextBlob', 'PublicKey']),
    );
    expect(pair.withoutPlaintext).not.toContain('PrivateKeyPlaintext');
    expect(pair.withoutContext[0]).toBe('InvalidCiphertextException');
  });

  it('DeriveSharedSecret equals crypto.diffieHellman on the same key pair', () => {
    expect(out.ecdh.algorithms).toEqual(['ECDH']);
    const secret = diffieHellman({ privateKey: peer.privateKey, publicKey: spki(out.ecdh.publicKey) });
    expect(sig(out.ecdh.secret)).toEqual(secret);
  });
});
