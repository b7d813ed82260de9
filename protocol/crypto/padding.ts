/**
 * Length-hiding padding for small metadata (descriptors, names):
 * u32be(n) || n bytes of data || zero bytes, total a multiple of 256.
 * The ciphertext then reveals only ceil((n + 4) / 256), not n.
 */
import { ProtocolError } from '../errors.ts';
import { readU32be } from './encoding.ts';
import type { Bytes } from './encoding.ts';
import { PAD_BLOCK_BYTES } from './sizes.ts';

const PREFIX_BYTES = 4;

export function padPlaintext(data: Uint8Array): Bytes {
  const padded = new Uint8Array(Math.ceil((data.length + PREFIX_BYTES) / PAD_BLOCK_BYTES) * PAD_BLOCK_BYTES);
  new DataView(padded.buffer).setUint32(0, data.length, false);
  padded.set(data, PREFIX_BYTES);
  return padded;
}

/** Strict: the length must fit and every padding byte must be zero. */
export function unpadPlaintext(padded: Uint8Array): Uint8Array {
  if (padded.length < PAD_BLOCK_BYTES || padded.length % PAD_BLOCK_BYTES !== 0) {
    throw new ProtocolError('INVALID_PAYLOAD', 'padded plaintext has an invalid length');
  }
  const length = readU32be(padded, 0);
  if (length > padded.length - PREFIX_BYTES) {
    throw new ProtocolError('INVALID_PAYLOAD', 'padded plaintext length prefix is too large');
  }
  const end = PREFIX_BYTES + length;
  let nonZero = 0;
  for (let i = end; i < padded.length; i++) nonZero |= padded[i]!;
  if (nonZero !== 0) throw new ProtocolError('INVALID_PAYLOAD', 'padding bytes must be zero');
  return padded.subarray(PREFIX_BYTES, end);
}
