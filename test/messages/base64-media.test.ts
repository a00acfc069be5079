import fc from 'fast-check';
import { HttpError } from '../../server/src/http/errors';
import { decodeBase64Media } from '../../server/src/messages/media-input';

/*
 * base64 as people send it, decoded in one pass: both alphabets, padding or none, line breaks, data: URLs.
 * Anything else in the text is a 400, and media over the base64 limit a 413 before it is decoded.
 */

const LIMITS = { maxBytes: 4096, base64MaxBytes: 4096 };
const decoded = (text: string, limits = LIMITS) => decodeBase64Media(text, limits).bytes;
const refusal = (text: string, limits = LIMITS) => {
  try {
    decodeBase64Media(text, limits);
  } catch (error) {
    return error instanceof HttpError ? { status: error.statusCode, message: error.message } : error;
  }
  return undefined;
};

const spellings = (bytes: Uint8Array) => {
  const standard = Buffer.from(bytes).toString('base64');
  const urlSafe = Buffer.from(bytes).toString('base64url');
  return [
    standard,
    urlSafe,
    standard.replace(/=+$/, ''),
    standard.replace(/.{1,76}/g, '$&\r\n'),
    `  ${standard.replace(/.{1,60}/g, '$&\n')}\t`,
    `data:image/png;base64,${standard}`,
    `data:application/pdf;name=a.pdf;base64,${urlSafe}`,
  ];
};

it('decodes every spelling of the same bytes to those bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), (bytes) => {
      for (const text of spellings(bytes)) expect(decoded(text)).toEqual(Buffer.from(bytes));
    }),
  );
});

it('refuses text that is not base64 with a 400, without decoding what Node would skip', () => {
  for (const text of ['', '  \n', 'A', 'QUJD A', 'QUJD=QUJD', 'QQ===', 'QUJD!', 'QUJ\u00e9', 'data:image/png;base64,']) {
    expect([text, refusal(text)]).toEqual([text, { status: 400, message: 'base64 is not valid base64 data' }]);
  }
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 3, maxLength: 300 }),
      fc.constantFrom('!', '*', '.', ':', ',', '\u00ff', '\u2028', '\0'),
      fc.nat(),
      (bytes, garbage, at) => {
        const text = Buffer.from(bytes).toString('base64');
        const position = at % text.length;
        expect(refusal(`${text.slice(0, position)}${garbage}${text.slice(position)}`)).toMatchObject({ status: 400 });
      },
    ),
  );
});

it('answers 413 for media over the limit, naming the setting that limits it and what to do instead', () => {
  const justFits = Buffer.alloc(4096, 7).toString('base64');
  const over = Buffer.alloc(4097, 7).toString('base64');
  expect(decoded(justFits)).toHaveLength(4096);
  expect(refusal(over)).toEqual({ status: 413, message: 'The media is larger than the limit of 4096 bytes (MEDIA_MAX_BYTES)' });
  expect(refusal(over, { maxBytes: 65536, base64MaxBytes: 4096 })).toEqual({
    status: 413,
    message:
      'The media is larger than the limit of 4096 bytes for base64 (MEDIA_BASE64_MAX_BYTES); send files up to 65536 bytes (MEDIA_MAX_BYTES) by url',
  });
  expect(refusal(over.replace(/=+$/, ''))).toMatchObject({ status: 413 });
});
