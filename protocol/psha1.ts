// WS-Trust computed key (digest §2.3, §4.4.4): the TLS 1.0 P_SHA1 function with the requestor's entropy as the
// HMAC secret and the issuer's entropy as the seed. Swapping the two is the classic interoperability bug.
import { createHmac } from "node:crypto";

/** Smallest key and entropy accepted: 128 bits (below that a symmetric proof key is not worth having). */
export const PSHA1_MIN_BITS = 128;
/** Largest key size in bits and entropy size in bytes: 16 Ki (an implementation limit against resource abuse, not spec). */
export const PSHA1_MAX_KEY_BITS = 16 * 1024;
export const PSHA1_MAX_ENTROPY_BYTES = 16 * 1024;

/**
 * P_SHA1(secret, seed) truncated to keySizeBits. keySizeBits must be a multiple of 8 in [128, 16384]; secret and
 * seed must each be 16 bytes to 16 KiB. Anything else is a RangeError (the STS maps it to a fault).
 */
export function psha1(secret: Buffer, seed: Buffer, keySizeBits: number): Buffer {
  if (!Number.isInteger(keySizeBits) || keySizeBits % 8 !== 0) {
    throw new RangeError(`PSHA1 key size ${keySizeBits} is not a whole number of bytes`);
  }
  if (keySizeBits < PSHA1_MIN_BITS || keySizeBits > PSHA1_MAX_KEY_BITS) {
    throw new RangeError(`PSHA1 key size ${keySizeBits} bits is outside [${PSHA1_MIN_BITS}, ${PSHA1_MAX_KEY_BITS}]`);
  }
  for (const [name, b] of [["secret (requestor entropy)", secret], ["seed (issuer entropy)", seed]] as const) {
    if (b.length * 8 < PSHA1_MIN_BITS || b.length > PSHA1_MAX_ENTROPY_BYTES) {
      throw new RangeError(`PSHA1 ${name} is ${b.length} bytes; 16 to ${PSHA1_MAX_ENTROPY_BYTES} are accepted`);
    }
  }
  const want = keySizeBits / 8;
  const out = Buffer.alloc(want);
  let a: Buffer = seed; // A(0)
  let filled = 0;
  while (filled < want) {
    a = createHmac("sha1", secret).update(a).digest(); // A(i)
    const block = createHmac("sha1", secret).update(a).update(seed).digest();
    filled += block.copy(out, filled, 0, Math.min(block.length, want - filled));
  }
  return out;
}
