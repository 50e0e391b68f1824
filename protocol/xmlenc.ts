// xenc:EncryptedKey for symmetric proof keys (WS-Trust SymmetricKey, SAML holder-of-key): the key is wrapped for
// the recipient's certificate with RSA-OAEP (SHA-1, MGF1-SHA-1) and the certificate is named by its SHA-1
// thumbprint (WSS 1.1 ThumbprintSHA1), the form WCF/WIF and CXF exchange.
import { X509Certificate, constants, privateDecrypt, publicEncrypt, type KeyObject } from "node:crypto";
import { DSIG, NS, WSS } from "./namespaces.ts";
import { ModelError, attr, children, requiredChild, textOf } from "./xml/dom.ts";
import { el, type XElement } from "./xml/writer.ts";
import { thumbprintSha1 } from "./x509/certificate.ts";

/** RSA-PKCS#1 v1.5 key transport: refused (Bleichenbacher padding oracles). */
export const RSA_1_5 = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";

export class XmlEncError extends Error {
  override readonly name = "XmlEncError";
}

/** Wrap `key` for the holder of `recipientCertDer`. */
export function encryptKeyForCertificate(key: Buffer, recipientCertDer: Buffer, opts: { id?: string } = {}): XElement {
  if (key.length === 0) throw new XmlEncError("empty key");
  const publicKey = new X509Certificate(recipientCertDer).publicKey;
  if (publicKey.asymmetricKeyType !== "rsa") throw new XmlEncError("the recipient certificate has no RSA key");
  const cipher = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, key);
  return el(
    "xenc:EncryptedKey",
    { Id: opts.id },
    el("xenc:EncryptionMethod", { Algorithm: DSIG.rsaOaepMgf1p }, el("ds:DigestMethod", { Algorithm: DSIG.sha1 })),
    el("ds:KeyInfo", [
      el("wsse:SecurityTokenReference", [
        el(
          "wsse:KeyIdentifier",
          { ValueType: WSS.thumbprintSHA1, EncodingType: WSS.base64Binary },
          thumbprintSha1(recipientCertDer).toString("base64"),
        ),
      ]),
    ]),
    el("xenc:CipherData", [el("xenc:CipherValue", [cipher.toString("base64")])]),
  );
}

/** The ThumbprintSHA1 the EncryptedKey names its recipient by, when it does (to pick the right private key). */
export function encryptedKeyThumbprint(encryptedKey: Element): Buffer | undefined {
  const ki = children(encryptedKey, NS.ds, "KeyInfo")[0];
  if (!ki) return undefined;
  for (const str of children(ki, NS.wsse, "SecurityTokenReference")) {
    for (const kid of children(str, NS.wsse, "KeyIdentifier")) {
      if (attr(kid, "ValueType") === WSS.thumbprintSHA1) return Buffer.from(textOf(kid).replace(/\s+/g, ""), "base64");
    }
  }
  return undefined;
}

/**
 * Unwrap an xenc:EncryptedKey with the recipient's private key. Only rsa-oaep-mgf1p with SHA-1 is accepted (the
 * algorithm this module writes and WS-Trust peers use); rsa-1_5 is refused. Throws ModelError for malformed
 * structure and XmlEncError when decryption fails.
 */
export function decryptEncryptedKey(encryptedKey: Element, privateKey: KeyObject): Buffer {
  if (encryptedKey.namespaceURI !== NS.xenc || encryptedKey.localName !== "EncryptedKey") {
    throw new ModelError(`not an xenc:EncryptedKey: ${encryptedKey.localName}`, encryptedKey.localName);
  }
  const method = requiredChild(encryptedKey, NS.xenc, "EncryptionMethod");
  const alg = attr(method, "Algorithm");
  if (alg === RSA_1_5) throw new XmlEncError("rsa-1_5 key transport is refused");
  if (alg !== DSIG.rsaOaepMgf1p) throw new XmlEncError(`unsupported key transport ${alg ?? "(none)"}`);
  for (const c of children(method)) {
    if (c.namespaceURI === NS.ds && c.localName === "DigestMethod") {
      if (attr(c, "Algorithm") !== DSIG.sha1) throw new XmlEncError(`unsupported OAEP digest ${attr(c, "Algorithm") ?? "(none)"}`);
    } else if (c.namespaceURI === NS.xenc && c.localName === "OAEPparams") {
      throw new XmlEncError("OAEPparams are not supported");
    } else {
      throw new ModelError(`unexpected ${c.localName} in EncryptionMethod`, c.localName);
    }
  }
  const cipherData = requiredChild(encryptedKey, NS.xenc, "CipherData");
  const value = textOf(requiredChild(cipherData, NS.xenc, "CipherValue")).replace(/\s+/g, "");
  if (!value || !/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) throw new ModelError("CipherValue is not base64", "CipherValue");
  try {
    return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, Buffer.from(value, "base64"));
  } catch {
    throw new XmlEncError("the EncryptedKey does not decrypt with this key");
  }
}
