// Reading SAML 1.1 and 2.0 assertions into the model (structure only), and verifying them (signature first,
// then structure). Anything this model cannot represent faithfully is a ModelError rather than a guess.
import { CONFIRMATION_METHOD, NS } from "../namespaces.ts";
import { parseXsDateTime } from "../clock.ts";
import { ModelError, attr, children, isElement, optionalChild, requiredChild, textOf } from "../xml/dom.ts";
import { raw } from "../xml/writer.ts";
import { excC14n } from "../dsig/c14n.ts";
import { verifyEnvelopedSignature, type TrustAnchor, type VerifyFailure, type VerifyPolicy } from "../dsig/verify.ts";
import type { ParsedAssertion, SamlAttribute, SubjectConfirmation } from "./model.ts";

function time(el: Element, name: string, required: true): number;
function time(el: Element, name: string, required: false): number | undefined;
function time(el: Element, name: string, required: boolean): number | undefined {
  const v = attr(el, name);
  if (v === undefined) {
    if (required) throw new ModelError(`${el.localName} lacks ${name}`, name);
    return undefined;
  }
  const t = parseXsDateTime(v);
  if (t === undefined) throw new ModelError(`${el.localName}/@${name} is not an xs:dateTime: ${JSON.stringify(v.slice(0, 64))}`, name);
  return t;
}

function requiredAttr(el: Element, name: string): string {
  const v = attr(el, name);
  if (v === undefined || v === "") throw new ModelError(`${el.localName} lacks ${name}`, name);
  return v;
}

/** Element children, refusing non-whitespace text between them (mixed content is not part of these schemas). */
function elementKids(el: Element): Element[] {
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (!isElement(c) && (c.nodeType === 3 || c.nodeType === 4) && /\S/.test((c as CharacterData).data)) {
      throw new ModelError(`unexpected text inside ${el.localName}`, el.localName);
    }
  }
  return children(el);
}

function keyInfoNode(keyInfo: Element) {
  // Each child canonicalized on its own carries the declarations it needs, so the pieces stand alone.
  return raw(children(keyInfo).map((c) => excC14n(c)).join(""));
}

/**
 * Audience restrictions, the one-time-use condition and any other conditions of a Conditions element. SAML 2.0
 * allows at most one OneTimeUse (core §2.5.1.5); SAML 1.1's DoNotCacheCondition may repeat.
 */
function readConditions(
  cond: Element,
  ns: string,
  restrictionName: string,
  oneTimeName: string,
  oneTimeMayRepeat: boolean,
): { restrictions: string[][]; otherConditions: string[]; oneTimeUse: boolean } {
  const restrictions: string[][] = [];
  const otherConditions: string[] = [];
  let oneTimeUse = false;
  for (const c of elementKids(cond)) {
    if (c.namespaceURI === ns && c.localName === restrictionName) {
      const auds = elementKids(c).map((x) => {
        if (x.namespaceURI !== ns || x.localName !== "Audience") throw new ModelError(`unexpected ${x.localName} in ${restrictionName}`, x.localName);
        return textOf(x);
      });
      if (auds.length === 0) throw new ModelError(`${restrictionName} without Audience`, "Audience");
      restrictions.push(auds);
    } else if (c.namespaceURI === ns && c.localName === oneTimeName) {
      if (oneTimeUse && !oneTimeMayRepeat) throw new ModelError(`more than one ${oneTimeName}`, oneTimeName);
      oneTimeUse = true;
    } else {
      otherConditions.push(`{${c.namespaceURI ?? ""}}${c.localName}`);
    }
  }
  return { restrictions, otherConditions, oneTimeUse };
}

function audiencesOf(restrictions: string[][]): string[] {
  if (restrictions.length === 0) return [];
  return restrictions.slice(1).reduce((acc, r) => acc.filter((a) => r.includes(a)), [...new Set(restrictions[0])]);
}

// ---- SAML 2.0 -----------------------------------------------------------------------------------------------

function confirmation20(sc: Element): { c: SubjectConfirmation; uri: string; keyInfo?: Element } {
  const uri = requiredAttr(sc, "Method");
  const kids = elementKids(sc);
  for (const k of kids) {
    if (!(k.namespaceURI === NS.saml2 && k.localName === "SubjectConfirmationData")) {
      throw new ModelError(`unsupported ${k.localName} in SubjectConfirmation (BaseID/NameID/EncryptedID are not modelled)`, k.localName);
    }
  }
  if (kids.length > 1) throw new ModelError("more than one SubjectConfirmationData", "SubjectConfirmationData");
  const data = kids[0];
  const m = CONFIRMATION_METHOD["2.0"];
  if (uri === m.bearer) {
    return {
      uri,
      c: {
        method: "bearer",
        notOnOrAfter: data ? time(data, "NotOnOrAfter", false) : undefined,
        recipient: data ? attr(data, "Recipient") : undefined,
      },
    };
  }
  if (uri === m.holderOfKey) {
    if (!data) throw new ModelError("holder-of-key confirmation without SubjectConfirmationData", "SubjectConfirmationData");
    const type = attr(data, "type", NS.xsi);
    if (type !== undefined) {
      const [p, local] = type.includes(":") ? (type.split(":", 2) as [string, string]) : [null, type];
      const ns = data.lookupNamespaceURI(p);
      if (ns !== NS.saml2 || local !== "KeyInfoConfirmationDataType") {
        throw new ModelError(`holder-of-key SubjectConfirmationData has xsi:type ${type}`, "SubjectConfirmationData");
      }
    }
    const keyInfos = children(data, NS.ds, "KeyInfo");
    if (keyInfos.length === 0) throw new ModelError("holder-of-key confirmation without ds:KeyInfo", "KeyInfo");
    if (keyInfos.length > 1) throw new ModelError("more than one ds:KeyInfo in a holder-of-key confirmation", "KeyInfo");
    const ki = keyInfos[0]!;
    return { uri, c: { method: "holder-of-key", keyInfo: keyInfoNode(ki) }, keyInfo: ki };
  }
  if (uri === m.senderVouches) return { uri, c: { method: "sender-vouches" } };
  throw new ModelError(`unsupported confirmation method ${uri}`, "SubjectConfirmation");
}

function parse20(a: Element): ParsedAssertion {
  if (attr(a, "Version") !== "2.0") throw new ModelError(`Version is ${attr(a, "Version") ?? "absent"}, not 2.0`, "Version");
  const id = requiredAttr(a, "ID");
  const issueInstant = time(a, "IssueInstant", true);
  const kids = elementKids(a);
  const issuerEl = kids[0];
  if (!issuerEl || issuerEl.namespaceURI !== NS.saml2 || issuerEl.localName !== "Issuer") {
    throw new ModelError("the first child of a SAML 2.0 Assertion must be Issuer", "Issuer");
  }
  const issuer = textOf(issuerEl);
  if (!issuer) throw new ModelError("Issuer is empty", "Issuer");
  let i = 1;
  const sigs = kids.filter((k) => k.namespaceURI === NS.ds && k.localName === "Signature");
  if (sigs.length > 1) throw new ModelError("more than one ds:Signature", "Signature");
  if (sigs.length === 1) {
    if (kids[1] !== sigs[0]) throw new ModelError("ds:Signature must follow Issuer", "Signature");
    i = 2;
  }
  const rest = kids.slice(i);
  const order = ["Subject", "Conditions", "Advice", "Statement", "AuthnStatement", "AuthzDecisionStatement", "AttributeStatement"];
  let last = 0;
  for (const k of rest) {
    if (k.namespaceURI !== NS.saml2) throw new ModelError(`unexpected ${k.localName} in Assertion`, k.localName);
    const pos = order.indexOf(k.localName);
    if (pos < 0) throw new ModelError(`unexpected ${k.localName} in Assertion`, k.localName);
    const rank = Math.min(pos, 3); // statements share one rank
    if (rank < last) throw new ModelError(`${k.localName} is out of schema order`, k.localName);
    last = rank;
  }

  const subjectEl = requiredChild(a, NS.saml2, "Subject");
  const subjectKids = elementKids(subjectEl);
  const nameIdEl = subjectKids[0];
  if (!nameIdEl || nameIdEl.namespaceURI !== NS.saml2 || nameIdEl.localName !== "NameID") {
    throw new ModelError("Subject must start with NameID (BaseID and EncryptedID are not modelled)", "NameID");
  }
  const nameId = textOf(nameIdEl);
  const scs = subjectKids.slice(1);
  for (const k of scs) {
    if (k.namespaceURI !== NS.saml2 || k.localName !== "SubjectConfirmation") throw new ModelError(`unexpected ${k.localName} in Subject`, k.localName);
  }
  if (scs.length === 0) throw new ModelError("Subject has no SubjectConfirmation", "SubjectConfirmation");
  if (scs.length > 1) throw new ModelError("more than one SubjectConfirmation is not modelled", "SubjectConfirmation");
  const conf = confirmation20(scs[0]!);

  const cond = requiredChild(a, NS.saml2, "Conditions");
  const { restrictions, otherConditions, oneTimeUse } = readConditions(cond, NS.saml2, "AudienceRestriction", "OneTimeUse", false);

  const authnEls = children(a, NS.saml2, "AuthnStatement");
  if (authnEls.length > 1) throw new ModelError("more than one AuthnStatement is not modelled", "AuthnStatement");
  let authn: ParsedAssertion["authn"];
  if (authnEls[0]) {
    const ctx = requiredChild(authnEls[0], NS.saml2, "AuthnContext");
    const ref = optionalChild(ctx, NS.saml2, "AuthnContextClassRef") ?? optionalChild(ctx, NS.saml2, "AuthnContextDeclRef");
    if (!ref) throw new ModelError("AuthnContext has neither AuthnContextClassRef nor AuthnContextDeclRef", "AuthnContext");
    authn = { method: textOf(ref), instant: time(authnEls[0], "AuthnInstant", true) };
  }

  const attributes: SamlAttribute[] = [];
  for (const st of children(a, NS.saml2, "AttributeStatement")) {
    for (const at of elementKids(st)) {
      if (at.namespaceURI !== NS.saml2 || at.localName !== "Attribute") {
        throw new ModelError(`${at.localName} in AttributeStatement is not modelled (EncryptedAttribute)`, at.localName);
      }
      const values = elementKids(at).map((v) => {
        if (v.namespaceURI !== NS.saml2 || v.localName !== "AttributeValue") throw new ModelError(`unexpected ${v.localName} in Attribute`, v.localName);
        return textOf(v);
      });
      attributes.push({ name: requiredAttr(at, "Name"), values, nameFormatOrNamespace: attr(at, "NameFormat") });
    }
  }

  return {
    version: "2.0",
    id,
    issuer,
    issueInstant,
    subject: { nameId, format: attr(nameIdEl, "Format") },
    confirmation: conf.c,
    confirmationMethodUri: conf.uri,
    confirmationKeyInfo: conf.keyInfo,
    notBefore: time(cond, "NotBefore", true),
    notOnOrAfter: time(cond, "NotOnOrAfter", true),
    audiences: audiencesOf(restrictions),
    audienceRestrictions: restrictions,
    oneTimeUse,
    otherConditions,
    authn,
    attributes,
    element: a,
    hasSignature: sigs.length === 1,
  };
}

// ---- SAML 1.1 -----------------------------------------------------------------------------------------------

interface Subject11 {
  nameId: string;
  format?: string;
  c: SubjectConfirmation;
  uri?: string;
  keyInfo?: Element;
  key: string;
}

function subject11(subjectEl: Element): Subject11 {
  const kids = elementKids(subjectEl);
  const nameEl = kids[0];
  if (!nameEl || nameEl.namespaceURI !== NS.saml11 || nameEl.localName !== "NameIdentifier") {
    throw new ModelError("Subject must start with NameIdentifier", "NameIdentifier");
  }
  const nameId = textOf(nameEl);
  const format = attr(nameEl, "Format");
  const rest = kids.slice(1);
  if (rest.length > 1 || (rest[0] && (rest[0].namespaceURI !== NS.saml11 || rest[0].localName !== "SubjectConfirmation"))) {
    throw new ModelError("unexpected content in Subject", "Subject");
  }
  const sc = rest[0];
  let c: SubjectConfirmation = { method: "bearer" };
  let uri: string | undefined;
  let keyInfo: Element | undefined;
  if (sc) {
    const methods = children(sc, NS.saml11, "ConfirmationMethod");
    if (methods.length !== 1) throw new ModelError(`SubjectConfirmation holds ${methods.length} ConfirmationMethods; exactly one is modelled`, "ConfirmationMethod");
    uri = textOf(methods[0]!);
    const m = CONFIRMATION_METHOD["1.1"];
    const kis = children(sc, NS.ds, "KeyInfo");
    if (kis.length > 1) throw new ModelError("more than one ds:KeyInfo in SubjectConfirmation", "KeyInfo");
    if (uri === m.bearer) c = { method: "bearer" };
    else if (uri === m.senderVouches) c = { method: "sender-vouches" };
    else if (uri === m.holderOfKey) {
      if (!kis[0]) throw new ModelError("holder-of-key confirmation without ds:KeyInfo", "KeyInfo");
      keyInfo = kis[0];
      c = { method: "holder-of-key", keyInfo: keyInfoNode(keyInfo) };
    } else throw new ModelError(`unsupported confirmation method ${uri}`, "ConfirmationMethod");
  }
  // Subjects of all statements must agree (MS-MWBF); compare what the model keeps plus the KeyInfo bytes.
  const key = JSON.stringify([nameId, format ?? null, uri ?? null, keyInfo ? excC14n(keyInfo) : null]);
  return { nameId, format, c, uri, keyInfo, key };
}

function parse11(a: Element): ParsedAssertion {
  if (attr(a, "MajorVersion") !== "1" || attr(a, "MinorVersion") !== "1") {
    throw new ModelError(`version ${attr(a, "MajorVersion") ?? "?"}.${attr(a, "MinorVersion") ?? "?"} is not SAML 1.1`, "MinorVersion");
  }
  const id = requiredAttr(a, "AssertionID");
  const issuer = requiredAttr(a, "Issuer");
  const issueInstant = time(a, "IssueInstant", true);
  const kids = elementKids(a);
  const sigs = kids.filter((k) => k.namespaceURI === NS.ds && k.localName === "Signature");
  if (sigs.length > 1) throw new ModelError("more than one ds:Signature", "Signature");
  if (sigs.length === 1 && kids[kids.length - 1] !== sigs[0]) throw new ModelError("ds:Signature must be the last child in SAML 1.1", "Signature");
  const body = kids.filter((k) => !sigs.includes(k));
  const known = ["Conditions", "Advice", "AuthenticationStatement", "AttributeStatement", "AuthorizationDecisionStatement", "Statement", "SubjectStatement"];
  let last = 0;
  for (const k of body) {
    const pos = k.namespaceURI === NS.saml11 ? known.indexOf(k.localName) : -1;
    if (pos < 0) throw new ModelError(`unexpected ${k.localName} in Assertion`, k.localName);
    const rank = Math.min(pos, 2);
    if (rank < last) throw new ModelError(`${k.localName} is out of schema order`, k.localName);
    last = rank;
  }

  const cond = requiredChild(a, NS.saml11, "Conditions");
  const { restrictions, otherConditions, oneTimeUse } = readConditions(cond, NS.saml11, "AudienceRestrictionCondition", "DoNotCacheCondition", true);

  const subjects: Subject11[] = [];
  const authnEls = children(a, NS.saml11, "AuthenticationStatement");
  if (authnEls.length > 1) throw new ModelError("more than one AuthenticationStatement is not modelled", "AuthenticationStatement");
  let authn: ParsedAssertion["authn"];
  if (authnEls[0]) {
    subjects.push(subject11(requiredChild(authnEls[0], NS.saml11, "Subject")));
    authn = { method: requiredAttr(authnEls[0], "AuthenticationMethod"), instant: time(authnEls[0], "AuthenticationInstant", true) };
  }
  const attributes: SamlAttribute[] = [];
  for (const st of children(a, NS.saml11, "AttributeStatement")) {
    const stKids = elementKids(st);
    const subj = stKids[0];
    if (!subj || subj.namespaceURI !== NS.saml11 || subj.localName !== "Subject") throw new ModelError("AttributeStatement must start with Subject", "Subject");
    subjects.push(subject11(subj));
    for (const at of stKids.slice(1)) {
      if (at.namespaceURI !== NS.saml11 || at.localName !== "Attribute") throw new ModelError(`unexpected ${at.localName} in AttributeStatement`, at.localName);
      const values = elementKids(at).map((v) => {
        if (v.namespaceURI !== NS.saml11 || v.localName !== "AttributeValue") throw new ModelError(`unexpected ${v.localName} in Attribute`, v.localName);
        return textOf(v);
      });
      attributes.push({ name: requiredAttr(at, "AttributeName"), values, nameFormatOrNamespace: requiredAttr(at, "AttributeNamespace") });
    }
  }
  const first = subjects[0];
  if (!first) throw new ModelError("the assertion has no statement with a Subject", "Subject");
  if (subjects.some((s) => s.key !== first.key)) throw new ModelError("the statements' Subjects differ", "Subject");

  return {
    version: "1.1",
    id,
    issuer,
    issueInstant,
    subject: { nameId: first.nameId, format: first.format },
    confirmation: first.c,
    confirmationMethodUri: first.uri,
    confirmationImplicit: first.uri === undefined ? true : undefined,
    confirmationKeyInfo: first.keyInfo,
    notBefore: time(cond, "NotBefore", true),
    notOnOrAfter: time(cond, "NotOnOrAfter", true),
    audiences: audiencesOf(restrictions),
    audienceRestrictions: restrictions,
    oneTimeUse,
    otherConditions,
    authn,
    attributes,
    element: a,
    hasSignature: sigs.length === 1,
  };
}

/** The model of a SAML 1.1 or 2.0 assertion element (structure only; no signature check). ModelError when malformed. */
export function parseAssertion(el: Element): ParsedAssertion {
  if (el.localName === "Assertion" && el.namespaceURI === NS.saml2) return parse20(el);
  if (el.localName === "Assertion" && el.namespaceURI === NS.saml11) return parse11(el);
  throw new ModelError(`not a SAML assertion: {${el.namespaceURI ?? ""}}${el.localName}`, el.localName);
}

export type AssertionVerifyResult =
  | {
      ok: true;
      assertion: ParsedAssertion;
      anchor: TrustAnchor;
      signatureAlgorithm: string;
      digestAlgorithm: string;
      signature: Element;
    }
  | VerifyFailure;

/**
 * Verify the assertion's enveloped signature against the anchors, then read its structure. The model is built from
 * the very element the signature covers. A malformed (but validly signed) assertion is a "bad-structure" failure.
 * Time window, audience, issuer and replay checks are the consumer's (digest §6 checklist).
 */
export function verifyAssertion(el: Element, anchors: TrustAnchor[], policy?: VerifyPolicy): AssertionVerifyResult {
  if (!(el.localName === "Assertion" && (el.namespaceURI === NS.saml2 || el.namespaceURI === NS.saml11))) {
    return { ok: false, code: "bad-structure", reason: `not a SAML assertion: ${el.localName}` };
  }
  const v = verifyEnvelopedSignature(el, anchors, policy);
  if (!v.ok) return v;
  try {
    const assertion = parseAssertion(el);
    return { ok: true, assertion, anchor: v.anchor, signatureAlgorithm: v.signatureAlgorithm, digestAlgorithm: v.digestAlgorithm, signature: v.signature };
  } catch (e) {
    if (e instanceof ModelError) return { ok: false, code: "bad-structure", reason: e.message };
    throw e;
  }
}
