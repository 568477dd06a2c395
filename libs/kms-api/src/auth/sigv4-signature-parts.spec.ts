import { describe, expect, it } from 'vitest';
import { KmsError } from '../protocol/kms-error.js';
import { parseAmzDate, parseCredential, readSignatureParts } from './sigv4-signature-parts.js';

// Where a request carries its signature, and the form of each part: every refusal by its exact text and type.

const CREDENTIAL = 'AKIAKEYLEDGERTEST01/20260301/us-east-1/kms/aws4_request';
const SIGNATURE = 'ab'.repeat(32);
const HEADER = `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=${SIGNATURE}`;
const PRESIGNED =
  'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAKEYLEDGERTEST01%2F20260301%2Fus-east-1%2Fkms%2Faws4_request' +
  `&X-Amz-Date=20260301T120000Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIGNATURE}`;

function refusal(fn: () => unknown): { type: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (!KmsError.is(e)) throw e;
    return { type: e.type, message: e.message };
  }
  throw new Error('expected a KmsError');
}
const incomplete = (message: string) => ({ type: 'IncompleteSignatureException', message });
const fromHeader = (authorization: string) => () =>
  readSignatureParts({ authorization, 'x-amz-date': '20260301T120000Z' }, '');

describe('readSignatureParts: the Authorization header', () => {
  it('given a well-formed header, then its three parameters and X-Amz-Date are read', () => {
    expect(fromHeader(HEADER)()).toEqual({
      credentialText: CREDENTIAL,
      signedHeadersText: 'host;x-amz-date',
      signatureText: SIGNATURE,
      amzDate: '20260301T120000Z',
    });
  });

  it('given parameters in another order, with spaces, a trailing comma, an = in a value and one unknown', () => {
    const parts = fromHeader(
      `AWS4-HMAC-SHA256 Signature=a=b ,Extra=1,  SignedHeaders=host,Credential=${CREDENTIAL},`,
    )();
    expect(parts).toEqual({
      credentialText: CREDENTIAL,
      signedHeadersText: 'host',
      signatureText: 'a=b',
      amzDate: '20260301T120000Z',
    });
  });

  it('given another algorithm, with or without parameters, then it is named in the refusal', () => {
    expect(refusal(fromHeader('Bearer abc'))).toEqual(
      incomplete("Unsupported AWS 'algorithm': 'Bearer'. Only AWS4-HMAC-SHA256 is accepted."),
    );
    expect(refusal(fromHeader('AWS4-HMAC-SHA1'))).toEqual(
      incomplete("Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'. Only AWS4-HMAC-SHA256 is accepted."),
    );
  });

  it('given a parameter without =, then it is named; given the algorithm alone, then that is the parameter', () => {
    expect(refusal(fromHeader(`${HEADER}, Foo`))).toEqual(
      incomplete("Authorization header parameter 'Foo' is not of the form 'name=value'."),
    );
    expect(refusal(fromHeader('AWS4-HMAC-SHA256'))).toEqual(
      incomplete("Authorization header parameter 'AWS4-HMAC-SHA256' is not of the form 'name=value'."),
    );
  });

  it('given parameters missing, then each missing one is named, in one text', () => {
    expect(refusal(fromHeader('AWS4-HMAC-SHA256 Extra=1'))).toEqual(
      incomplete(
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter." +
          " Authorization header requires 'SignedHeaders' parameter.",
      ),
    );
    expect(refusal(fromHeader(`AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, Signature=${SIGNATURE}`))).toEqual(
      incomplete("Authorization header requires 'SignedHeaders' parameter."),
    );
    expect(refusal(fromHeader(`AWS4-HMAC-SHA256 SignedHeaders=host, Signature=${SIGNATURE}`))).toEqual(
      incomplete("Authorization header requires 'Credential' parameter."),
    );
  });

  it('given no X-Amz-Date header, then the header names what it needs', () => {
    expect(refusal(() => readSignatureParts({ authorization: HEADER }, ''))).toEqual(
      incomplete("Authorization header requires existence of a 'X-Amz-Date' header."),
    );
  });

  it('given a header and a presigned query together, then only one mechanism is allowed', () => {
    expect(
      refusal(() => readSignatureParts({ authorization: HEADER, 'x-amz-date': '20260301T120000Z' }, PRESIGNED)),
    ).toEqual(
      incomplete(
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header ' +
          'should be specified.',
      ),
    );
  });

  it('given no signature anywhere, or an empty Authorization header, then the token is missing', () => {
    const missing = { type: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' };
    expect(refusal(() => readSignatureParts({}, 'a=1'))).toEqual(missing);
    expect(refusal(() => readSignatureParts({ authorization: '' }, ''))).toEqual(missing);
  });
});

describe('readSignatureParts: a presigned URL', () => {
  it('given every parameter, then the parts, the expiry and the parsed query are read', () => {
    const parts = readSignatureParts({ authorization: '' }, PRESIGNED);
    expect(parts).toMatchObject({
      credentialText: CREDENTIAL,
      signedHeadersText: 'host',
      signatureText: SIGNATURE,
      amzDate: '20260301T120000Z',
      expiresSeconds: 600,
    });
    expect(parts.params?.map((p) => p.rawKey)).toEqual([
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-Expires',
      'X-Amz-SignedHeaders',
      'X-Amz-Signature',
    ]);
  });

  it('given parameters missing, then each missing one is named', () => {
    expect(refusal(() => readSignatureParts({}, `X-Amz-Signature=${SIGNATURE}`))).toEqual(
      incomplete(
        "Presigned request requires the query parameters 'X-Amz-Algorithm', 'X-Amz-Credential', " +
          "'X-Amz-SignedHeaders', 'X-Amz-Date', 'X-Amz-Expires'.",
      ),
    );
    expect(refusal(() => readSignatureParts({}, PRESIGNED.replace('&X-Amz-Expires=600', '')))).toEqual(
      incomplete("Presigned request requires the query parameters 'X-Amz-Expires'."),
    );
  });

  it('given another algorithm, then it is named', () => {
    expect(refusal(() => readSignatureParts({}, PRESIGNED.replace('HMAC-SHA256', 'HMAC-SHA1')))).toEqual(
      incomplete("Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'. Only AWS4-HMAC-SHA256 is accepted."),
    );
  });

  it('given X-Amz-Expires from 1 to 604,800 seconds, then it is read; outside, or not digits, then refused', () => {
    const expires = (value: string) => () => readSignatureParts({}, PRESIGNED.replace('X-Amz-Expires=600', value));
    expect(expires('X-Amz-Expires=1')().expiresSeconds).toBe(1);
    expect(expires('X-Amz-Expires=604800')().expiresSeconds).toBe(604800);
    for (const bad of ['0', '604801', '1234567', '12345678', '1e3', '-5', 'x1', '1x', '']) {
      expect(refusal(expires(`X-Amz-Expires=${bad}`))).toEqual(
        incomplete(`X-Amz-Expires must be an integer from 1 to 604800, got '${bad}'.`),
      );
    }
  });
});

describe('parseCredential', () => {
  it('given a well-formed scope, then its four parts are read', () => {
    expect(parseCredential(CREDENTIAL)).toEqual({
      accessKeyId: 'AKIAKEYLEDGERTEST01',
      date: '20260301',
      region: 'us-east-1',
      service: 'kms',
    });
  });

  it('given four or six elements, then it asks for exactly five', () => {
    for (const text of ['AKIA/20260301/us-east-1/kms', 'AKIA/20260301/us-east-1/kms/aws4_request/x']) {
      expect(refusal(() => parseCredential(text))).toEqual(
        incomplete(
          'Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, ' +
            `got '${text}'`,
        ),
      );
    }
  });

  it('given no access key id, a date not of eight digits, or another terminator, then each is named', () => {
    expect(refusal(() => parseCredential('/20260301/us-east-1/kms/aws4_request'))).toEqual(
      incomplete('Credential must name an access key id.'),
    );
    for (const date of ['2026031', '202603011', '2026-3-1', 'x20260301']) {
      expect(refusal(() => parseCredential(`AKIA/${date}/us-east-1/kms/aws4_request`))).toEqual(
        incomplete(`Credential date must be in the form YYYYMMDD, got '${date}'.`),
      );
    }
    expect(refusal(() => parseCredential('AKIA/20260301/us-east-1/kms/aws5_request'))).toEqual(
      incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."),
    );
  });
});

describe('parseAmzDate', () => {
  it('given ISO-8601 basic format, then the instant it names', () => {
    expect(parseAmzDate('20260301T120000Z')).toBe(Date.UTC(2026, 2, 1, 12, 0, 0));
    expect(parseAmzDate('20241231T235959Z')).toBe(Date.UTC(2024, 11, 31, 23, 59, 59));
    // The same text again (served from the last one read), then another: each its own instant.
    expect(parseAmzDate('20241231T235959Z')).toBe(Date.UTC(2024, 11, 31, 23, 59, 59));
    expect(parseAmzDate('20260301T120000Z')).toBe(Date.UTC(2026, 2, 1, 12, 0, 0));
  });

  it('given each field at its last valid value, then it is read; one past it, then NaN', () => {
    const valid = ['20260131T000000Z', '20261201T000000Z', '20240229T000000Z', '20260430T000000Z'];
    for (const text of [...valid, '20260101T230000Z', '20260101T005900Z', '20260101T000059Z']) {
      expect(parseAmzDate(text), text).toBe(
        Date.UTC(+text.slice(0, 4), +text.slice(4, 6) - 1, +text.slice(6, 8), +text.slice(9, 11), +text.slice(11, 13)) +
          +text.slice(13, 15) * 1000,
      );
    }
    const invalid = ['20260132T000000Z', '20261301T000000Z', '20260001T000000Z', '20260100T000000Z'];
    invalid.push('20260229T000000Z', '20260431T000000Z', '20260101T240000Z', '20260101T006000Z', '20260101T000060Z');
    for (const text of invalid) expect(parseAmzDate(text), text).toBeNaN();
  });

  it('given another form, then NaN, twice over', () => {
    for (const text of ['2026-03-01T12:00:00Z', '20260301T120000', 'x20260301T120000Z', '20260301T120000Zx']) {
      expect(parseAmzDate(text), text).toBeNaN();
      expect(parseAmzDate(text), text).toBeNaN();
    }
  });
});
