// Minimal DER (X.690) encoder and reader: just what certificate generation needs. Encoders return complete TLVs
// as Buffers so that structures compose by concatenation.

export class DerError extends Error {
  override readonly name = "DerError";
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A TLV with the given (single-byte) tag. */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function sequence(...items: Buffer[]): Buffer {
  return tlv(TAG.sequence, Buffer.concat(items));
}

/** SET OF: DER requires the encodings sorted as octet strings (X.690 11.6). */
export function set(...items: Buffer[]): Buffer {
  const sorted = [...items].sort(Buffer.compare);
  return tlv(TAG.set, Buffer.concat(sorted));
}

/**
 * INTEGER. A number or bigint is encoded in two's complement; a Buffer is taken as an unsigned big-endian magnitude
 * (a serial number, an RSA modulus) and gets a leading zero when its top bit is set.
 */
export function integer(v: number | bigint | Buffer): Buffer {
  if (Buffer.isBuffer(v)) {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    let mag = v.subarray(i);
    if (mag.length === 0) mag = Buffer.from([0]);
    if ((mag[0] ?? 0) & 0x80) mag = Buffer.concat([Buffer.from([0]), mag]);
    return tlv(TAG.integer, mag);
  }
  const n = BigInt(v);
  // Smallest two's-complement width that holds n, then the bytes of n mod 2^(8*width).
  let width = 1;
  while (n < -(1n << BigInt(8 * width - 1)) || n >= 1n << BigInt(8 * width - 1)) width++;
  let u = n < 0n ? n + (1n << BigInt(8 * width)) : n;
  const bytes: number[] = [];
  for (let i = 0; i < width; i++) {
    bytes.unshift(Number(u & 0xffn));
    u >>= 8n;
  }
  return tlv(TAG.integer, Buffer.from(bytes));
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map((p) => {
    if (!/^\d+$/.test(p)) throw new DerError(`bad OID ${dotted}`);
    return BigInt(p);
  });
  if (parts.length < 2) throw new DerError(`bad OID ${dotted}`);
  const [a, b] = parts as [bigint, bigint];
  if (a > 2n || (a < 2n && b > 39n)) throw new DerError(`bad OID ${dotted}`);
  const arcs = [a * 40n + b, ...parts.slice(2)];
  const out: number[] = [];
  for (const arc of arcs) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) group.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...group);
  }
  return tlv(TAG.oid, Buffer.from(out));
}

export function utf8String(s: string): Buffer {
  return tlv(TAG.utf8String, Buffer.from(s, "utf8"));
}

export function printableString(s: string): Buffer {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s)) throw new DerError("not a PrintableString");
  return tlv(TAG.printableString, Buffer.from(s, "ascii"));
}

export function ia5String(s: string): Buffer {
  if (!/^[\x00-\x7f]*$/.test(s)) throw new DerError("not an IA5String");
  return tlv(TAG.ia5String, Buffer.from(s, "ascii"));
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

function checkTime(ms: number): Date {
  const d = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(d.getTime())) throw new DerError("bad time");
  return d;
}

/** UTCTime YYMMDDHHMMSSZ (whole seconds, as DER requires). Only years 1950–2049. */
export function utcTime(ms: number): Buffer {
  const d = checkTime(ms);
  const y = d.getUTCFullYear();
  if (y < 1950 || y > 2049) throw new DerError("UTCTime covers 1950-2049 only");
  const s = `${pad(y % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  return tlv(TAG.utcTime, Buffer.from(s, "ascii"));
}

/** GeneralizedTime YYYYMMDDHHMMSSZ (whole seconds; DER forbids a trailing zero fraction, so none is written). */
export function generalizedTime(ms: number): Buffer {
  const d = checkTime(ms);
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) throw new DerError("year out of range");
  const s = `${pad(y, 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  return tlv(TAG.generalizedTime, Buffer.from(s, "ascii"));
}

/** X.509 Time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
export function x509Time(ms: number): Buffer {
  const y = checkTime(ms).getUTCFullYear();
  return y >= 1950 && y <= 2049 ? utcTime(ms) : generalizedTime(ms);
}

export function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  if (unusedBits < 0 || unusedBits > 7 || (bytes.length === 0 && unusedBits !== 0)) throw new DerError("bad BIT STRING");
  return tlv(TAG.bitString, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

/** A named-bit BIT STRING (KeyUsage): bit 0 is the most significant bit; DER drops trailing zero bits. */
export function namedBits(bits: number[]): Buffer {
  if (bits.length === 0) return bitString(Buffer.alloc(0));
  const max = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(max / 8) + 1);
  for (const b of bits) bytes[b >> 3] = (bytes[b >> 3] ?? 0) | (0x80 >> (b & 7));
  return bitString(bytes, 7 - (max & 7));
}

export function octetString(bytes: Buffer): Buffer {
  return tlv(TAG.octetString, bytes);
}

export function boolean(v: boolean): Buffer {
  return tlv(TAG.boolean, Buffer.from([v ? 0xff : 0x00]));
}

export function nullValue(): Buffer {
  return tlv(TAG.null, Buffer.alloc(0));
}

/** [n] EXPLICIT: a constructed context-specific tag wrapping a complete TLV. */
export function explicit(n: number, inner: Buffer): Buffer {
  if (n < 0 || n > 30) throw new DerError("context tag out of range");
  return tlv(0xa0 | n, inner);
}

/** [n] IMPLICIT primitive: the content of a primitive value under a context-specific tag. */
export function implicitPrimitive(n: number, content: Buffer): Buffer {
  if (n < 0 || n > 30) throw new DerError("context tag out of range");
  return tlv(0x80 | n, content);
}

// ---- reader ------------------------------------------------------------------------------------------------

export interface DerNode {
  tag: number;
  /** Offset of the tag byte in the buffer. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just after the content. */
  end: number;
}

/** Read the TLV at `offset` (single-byte tags, definite lengths only, as DER requires). */
export function readTlv(buf: Buffer, offset = 0, limit = buf.length): DerNode {
  if (offset + 2 > limit) throw new DerError("truncated TLV");
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte tags are not supported");
  let len = buf[offset + 1]!;
  let p = offset + 2;
  if (len & 0x80) {
    const nBytes = len & 0x7f;
    if (nBytes === 0 || nBytes > 4) throw new DerError("unsupported length encoding");
    if (p + nBytes > limit) throw new DerError("truncated length");
    len = 0;
    for (let i = 0; i < nBytes; i++) len = len * 256 + buf[p + i]!;
    p += nBytes;
  }
  if (p + len > limit) throw new DerError("TLV overruns its container");
  return { tag, start: offset, contentStart: p, end: p + len };
}

/** The child TLVs of a constructed node. */
export function readChildren(buf: Buffer, node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let p = node.contentStart; p < node.end; ) {
    const c = readTlv(buf, p, node.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

export function tlvBytes(buf: Buffer, node: DerNode): Buffer {
  return buf.subarray(node.start, node.end);
}

export function contentBytes(buf: Buffer, node: DerNode): Buffer {
  return buf.subarray(node.contentStart, node.end);
}

/** Decode an OID's content octets to dotted form. */
export function decodeOid(content: Buffer): string {
  const arcs: bigint[] = [];
  let v = 0n;
  for (const b of content) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0n;
    }
  }
  if (arcs.length === 0) throw new DerError("empty OID");
  const first = arcs[0]!;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join(".");
}
