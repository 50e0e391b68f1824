// SAML 2.0 protocol Responses for the Web SSO POST binding (issue 5 §1): build one around a signed (or unsigned)
// assertion, optionally signing the Response itself; and take one apart strictly for a consumer.
//
// The POST profile requires the assertion OR the enclosing Response to be signed. The consumer side therefore has
// two paths, chosen only by what verified:
//   * the Response carries an enveloped signature (a direct ds:Signature child): it must verify with the pinned
//     anchors and reference the Response's own, document-unique ID, and the Response must be the document element.
//     Everything in the document is then covered; the single assertion (a direct child of that Response) may be
//     unsigned, and SamlConsumer runs its other checks on it (a signature on the assertion, if present, is still
//     verified);
//   * otherwise the Response is only an envelope and SamlConsumer requires the assertion's own signature.
// In both paths the document holds exactly one assertion and no EncryptedAssertion, so no unsigned assertion can
// ride next to (or be swapped for) a signed one: wrapping attacks have nothing to hide behind.
import { serializeDom } from "../xml/dom-serialize.ts";
import { decodeBase64Strict } from "../base64.ts";
import { toXsDateTime } from "../clock.ts";
import { signElementEnveloped, type SignatureOptions, type SigningKey } from "../dsig/sign.ts";
import { verifyEnvelopedSignature, type TrustAnchor, type VerifyFailure, type VerifyPolicy } from "../dsig/verify.ts";
import { NS } from "../namespaces.ts";
import { ModelError, attr, children, descendants, textOf } from "../xml/dom.ts";
import { XmlError, parseXml } from "../xml/safe-parse.ts";
import { escapeAttr, escapeText } from "../xml/writer.ts";
import { SamlConsumer, REJECTION_RULES, type ConsumeResult, type ConsumerOptions, type Consumed, type ConsumerRule, type RejectionCode } from "./consume.ts";

export const SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol";
export const STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";

const ID = /^[A-Za-z_][A-Za-z0-9._-]*$/;

// ---- building ---------------------------------------------------------------------------------------------------

export interface ResponseSpec {
  id: string;
  issueInstant: number;
  /** The ACS URL the Response is posted to (required by the binding when the Response is signed). */
  destination?: string;
  inResponseTo?: string;
  /** The IdP's entity id (omitted: no Issuer element). */
  issuer?: string;
  /** Top-level StatusCode (default Success). */
  status?: string;
  /** The assertion(s), serialized (usually one signed assertion). */
  assertions: string[];
}

export class ResponseBuildError extends Error {
  override readonly name = "ResponseBuildError";
}

function unsignedResponseXml(spec: ResponseSpec): string {
  if (!ID.test(spec.id)) throw new ResponseBuildError(`Response ID ${JSON.stringify(spec.id)} is not an NCName`);
  if (spec.inResponseTo !== undefined && !ID.test(spec.inResponseTo)) throw new ResponseBuildError("InResponseTo is not an NCName");
  return (
    `<samlp:Response xmlns:samlp="${SAMLP}" ID="${escapeAttr(spec.id)}" Version="2.0" IssueInstant="${toXsDateTime(spec.issueInstant)}"` +
    (spec.destination !== undefined ? ` Destination="${escapeAttr(spec.destination)}"` : "") +
    (spec.inResponseTo !== undefined ? ` InResponseTo="${escapeAttr(spec.inResponseTo)}"` : "") +
    ">" +
    (spec.issuer !== undefined ? `<saml2:Issuer xmlns:saml2="${NS.saml2}">${escapeText(spec.issuer)}</saml2:Issuer>` : "") +
    `<samlp:Status><samlp:StatusCode Value="${escapeAttr(spec.status ?? STATUS_SUCCESS)}"/></samlp:Status>` +
    spec.assertions.join("") +
    "</samlp:Response>"
  );
}

/**
 * A samlp:Response around the assertion(s). With `sign`, the Response carries an enveloped signature (exc-c14n,
 * RSA-SHA256 by default, one Reference to #ID) placed after Issuer, as the schema orders it; the assertions keep
 * their own signatures (an assertion signed with exc-c14n stays valid inside the signed Response).
 */
export function buildResponse(spec: ResponseSpec, sign?: { key: SigningKey; options?: SignatureOptions }): string {
  const xml = unsignedResponseXml(spec);
  if (!sign) return xml;
  const doc = parseXml(xml);
  const root = doc.documentElement!;
  const issuer = children(root, NS.saml2, "Issuer")[0];
  signElementEnveloped(doc, root, "ID", sign.key, sign.options, issuer ? issuer.nextSibling : root.firstChild);
  return serializeDom(root);
}

/** The POST binding's form value: base64 of the UTF-8 Response. */
export function encodeSamlResponse(xml: string): string {
  return Buffer.from(xml, "utf8").toString("base64");
}

// ---- consuming --------------------------------------------------------------------------------------------------

export type ResponseRejectionCode =
  | "not-a-response"
  | "malformed"
  | "bad-version"
  | "encrypted-assertion"
  | "no-assertion"
  | "signature-wrapping"
  | "bad-response-signature"
  | "status-not-success"
  | "no-destination"
  | "wrong-destination"
  | "wrong-issuer";

/** The requirement ids each Response-level refusal enforces (closest catalogue entries). */
export const RESPONSE_REJECTION_RULES: Record<ResponseRejectionCode, string[]> = {
  "not-a-response": ["F22"],
  malformed: ["SAML-NO-DTD"],
  "bad-version": ["SAML-VERSION"],
  "encrypted-assertion": [],
  "no-assertion": ["F22"],
  "signature-wrapping": ["SAML-SIG-COVERS"],
  "bad-response-signature": ["SAML-SIGNED"],
  "status-not-success": [],
  "no-destination": ["SAML-SC-BEARER-DATA"],
  "wrong-destination": ["SAML-SC-BEARER-DATA"],
  "wrong-issuer": ["SAML-ISSUER-TRUSTED"],
};

export interface ResponseCheckOptions {
  anchors: TrustAnchor[];
  /** ACS URL(s) a Destination may name. */
  destinations: readonly string[];
  policy?: VerifyPolicy;
  /**
   * Defect switch (the harness RP's accept-xsw): other assertions anywhere in the document are tolerated and the
   * first direct-child assertion is processed. Never on in a correct consumer.
   */
  allowOtherAssertions?: boolean;
}

export interface CheckedResponse {
  ok: true;
  response: Element;
  /** The one assertion to process (a direct child of the Response). */
  assertion: Element;
  /** The Response's own signature verified: the assertion lies inside the element it covers. */
  responseSigned: boolean;
  id: string;
  destination?: string;
  inResponseTo?: string;
  issuer?: string;
}

export interface ResponseRejected {
  ok: false;
  code: ResponseRejectionCode | RejectionCode;
  rules: string[];
  reason: string;
}

class ResponseRejection extends Error {
  constructor(
    readonly code: ResponseRejectionCode,
    message: string,
  ) {
    super(message);
  }
}

function refuse(code: ResponseRejectionCode, reason: string): never {
  throw new ResponseRejection(code, reason);
}

function contains(ancestor: Node, node: Node): boolean {
  for (let p: Node | null = node; p; p = p.parentNode) if (p === ancestor) return true;
  return false;
}

function short(s: string, n = 200): string {
  return JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s);
}

function samlIssuerOf(a: Element): string | undefined {
  const el = children(a, NS.saml2, "Issuer")[0];
  return el ? textOf(el) : undefined;
}

/**
 * Parse and check a Response for a consumer (structure, the assertion to process, the Response signature,
 * Status, Destination, Issuer). The assertion itself is not judged here: hand `assertion` to SamlConsumer (the
 * SamlResponseConsumer below does both).
 */
export function checkResponse(input: string | Document, o: ResponseCheckOptions): CheckedResponse | ResponseRejected {
  try {
    return runCheck(input, o);
  } catch (e) {
    if (e instanceof ResponseRejection) return { ok: false, code: e.code, rules: RESPONSE_REJECTION_RULES[e.code], reason: e.message };
    if (e instanceof XmlError || e instanceof ModelError) return { ok: false, code: "malformed", rules: RESPONSE_REJECTION_RULES.malformed, reason: e.message };
    throw e;
  }
}

const VERIFY_TO_RESPONSE: Partial<Record<VerifyFailure["code"], ResponseRejectionCode>> = {
  "multiple-signatures": "signature-wrapping",
  "reference-mismatch": "signature-wrapping",
  "duplicate-id": "signature-wrapping",
};

function runCheck(input: string | Document, o: ResponseCheckOptions): CheckedResponse {
  const doc = typeof input === "string" ? parseXml(input) : input;
  const r = doc.documentElement;
  if (!r || r.namespaceURI !== SAMLP || r.localName !== "Response") {
    refuse("not-a-response", `the document element is ${r ? `{${r.namespaceURI ?? ""}}${r.localName}` : "absent"}, not samlp:Response`);
  }
  if (attr(r, "Version") !== "2.0") refuse("bad-version", `Response Version is ${attr(r, "Version") ?? "absent"}, not 2.0`);
  const id = attr(r, "ID");
  if (!id) refuse("malformed", "the Response has no ID");
  if (!attr(r, "IssueInstant")) refuse("malformed", "the Response has no IssueInstant");

  // No encrypted assertions (this consumer holds no decryption key): refused, never skipped over.
  const encrypted = descendants(doc, NS.saml2, "EncryptedAssertion");
  if (encrypted.length) refuse("encrypted-assertion", "EncryptedAssertion is not supported by this consumer (send the assertion unencrypted)");

  // Exactly one assertion in the whole document, a direct child of the Response.
  const all = [...descendants(doc, NS.saml2, "Assertion"), ...descendants(doc, NS.saml11, "Assertion")];
  const direct = children(r, NS.saml2, "Assertion");
  let assertion: Element;
  if (o.allowOtherAssertions) {
    if (!direct.length) refuse("no-assertion", "the Response holds no assertion");
    assertion = direct[0]!;
  } else {
    if (all.length === 0) refuse("no-assertion", "the Response holds no assertion");
    if (all.length > 1) refuse("signature-wrapping", `the document holds ${all.length} assertions; a Response must carry exactly one`);
    if (direct.length !== 1 || direct[0] !== all[0]) refuse("signature-wrapping", "the assertion is not a direct child of the Response");
    assertion = direct[0]!;
  }

  // The Response signature: only a direct ds:Signature child counts; when present it must verify and cover the
  // Response (its own unique ID), which is the document element and so holds the assertion.
  const sigs = children(r, NS.ds, "Signature");
  let responseSigned = false;
  if (sigs.length) {
    const v = verifyEnvelopedSignature(r, o.anchors, o.policy);
    if (!v.ok) refuse(VERIFY_TO_RESPONSE[v.code] ?? "bad-response-signature", `Response signature: ${v.reason}`);
    if (!contains(r, assertion)) refuse("signature-wrapping", "the assertion lies outside the signed Response");
    responseSigned = true;
  }

  // Status: top-level StatusCode must be Success.
  const status = children(r, SAMLP, "Status");
  if (status.length !== 1) refuse("malformed", `the Response carries ${status.length} Status elements`);
  const code = children(status[0]!, SAMLP, "StatusCode")[0];
  const value = code ? attr(code, "Value") : undefined;
  if (value !== STATUS_SUCCESS) refuse("status-not-success", `Status is ${value ?? "(no StatusCode)"}, not Success`);

  // Destination: the ACS URL it was posted to; a signed Response must carry it (bindings §3.5.5.2).
  const destination = attr(r, "Destination");
  if (destination === undefined) {
    if (responseSigned) refuse("no-destination", "a signed Response must name its Destination");
  } else if (!o.destinations.includes(destination)) {
    refuse("wrong-destination", `Destination ${short(destination)} is not this consumer's ACS URL`);
  }

  // Issuer: when present, the assertion's issuer.
  const issuers = children(r, NS.saml2, "Issuer");
  if (issuers.length > 1) refuse("malformed", "the Response carries more than one Issuer");
  const issuer = issuers[0] ? textOf(issuers[0]) : undefined;
  if (issuer !== undefined) {
    const ai = assertion.namespaceURI === NS.saml2 ? samlIssuerOf(assertion) : undefined;
    if (ai !== issuer) refuse("wrong-issuer", `Response Issuer ${short(issuer)} differs from the assertion's ${short(ai ?? "(none)")}`);
  }

  return { ok: true, response: r, assertion, responseSigned, id, destination, inResponseTo: attr(r, "InResponseTo"), issuer };
}

export type ResponseConsumeResult = (Consumed & { responseSigned: boolean; inResponseTo?: string }) | ResponseRejected;

export interface ResponseConsumerOptions extends ConsumerOptions {
  /** ACS URL(s) a Destination may name (default: the consumer's recipients). */
  destinations?: readonly string[];
}

/**
 * A SAML 2.0 Web SSO consumer: checkResponse, then SamlConsumer on the one assertion. Two SamlConsumers share one
 * replay cache: the strict one (assertion signature required) for an unsigned Response, and one without
 * "signature-required" used only once the Response signature verified (a signature the assertion does carry is
 * still checked). Every other rule (and every rule a defect switches off) is the same in both.
 */
export class SamlResponseConsumer {
  private readonly strict: SamlConsumer;
  private readonly covered: SamlConsumer;

  constructor(private readonly options: ResponseConsumerOptions) {
    this.strict = new SamlConsumer(options);
    const off = new Set<ConsumerRule>(options.off ?? []);
    off.add("signature-required");
    // Copy the options with their accessors (a recipients getter keeps reading the live value), then override.
    const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(options)) as ResponseConsumerOptions;
    Object.defineProperty(copy, "replayCache", { value: this.strict.replayCache, enumerable: true });
    Object.defineProperty(copy, "off", { value: off, enumerable: true });
    this.covered = new SamlConsumer(copy);
  }

  private get off(): ReadonlySet<ConsumerRule> {
    return this.strict.off;
  }

  consume(input: string | Document): ResponseConsumeResult {
    const o = this.options;
    const checked = checkResponse(input, {
      anchors: o.anchors,
      destinations: o.destinations ?? o.recipients ?? [],
      policy: { allowSha1: this.off.has("strong-algorithms"), requireKeyInfoMatch: !this.off.has("anchors-only") },
      allowOtherAssertions: this.off.has("signature-covers"),
    });
    if (!checked.ok) return checked;
    const r: ConsumeResult = (checked.responseSigned ? this.covered : this.strict).consume(checked.assertion);
    if (!r.ok) return { ok: false, code: r.code, rules: REJECTION_RULES[r.code], reason: r.reason };
    return { ...r, responseSigned: checked.responseSigned, inResponseTo: checked.inResponseTo };
  }
}

/** Decode a POSTed SAMLResponse form value (strict base64; line breaks allowed); undefined when it is not base64. */
export function decodeSamlResponse(value: string): string | undefined {
  const bytes = decodeBase64Strict(value);
  return bytes ? bytes.toString("utf8") : undefined;
}
