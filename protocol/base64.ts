// Strict xs:base64Binary decoding. Buffer.from(s, "base64") silently skips junk and accepts truncated input, which
// would let a malformed BinarySecret or Nonce through as some other key; everything here is checked first.

// XML whitespace may separate characters (line-wrapped certificates are common); nothing else may.
const XML_SPACE = /[ \t\r\n]+/g;
const SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decode base64 text; undefined when it is not canonical xs:base64Binary (bad characters, padding, or trailing bits). */
export function decodeBase64Strict(text: string): Buffer | undefined {
  const s = text.replace(XML_SPACE, "");
  if (!SHAPE.test(s)) return undefined;
  const out = Buffer.from(s, "base64");
  // Non-zero bits in the last quantum's padding are outside the xs:base64Binary lexical space.
  if (out.toString("base64") !== s) return undefined;
  return out;
}
