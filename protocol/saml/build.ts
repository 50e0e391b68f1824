// Building SAML 1.1 and 2.0 assertions with the canonical writer, so signAssertion can take the fast signing path.
// Attribute values are written without xsi:type: a QName in content (xs:string) names a prefix that exc-c14n
// does not see as used, and verifiers that canonicalize the assertion elsewhere would then lose its declaration.
import { CONFIRMATION_METHOD } from "../namespaces.ts";
import { toXsDateTime } from "../clock.ts";
import { el, serialize, type XElement, type XNode } from "../xml/writer.ts";
import { signCanonicalEnveloped, signCanonicalEnvelopedAsync, type SignatureOptions, type SigningKey } from "../dsig/sign.ts";
import type { AssertionSpec, SamlAttribute, SubjectConfirmation } from "./model.ts";

export class SamlBuildError extends Error {
  override readonly name = "SamlBuildError";
}

const NCNAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

function time(ms: number, what: string): string {
  if (!Number.isFinite(ms)) throw new SamlBuildError(`${what} is not a time`);
  return toXsDateTime(ms);
}

function check(spec: AssertionSpec): void {
  if (!NCNAME.test(spec.id)) throw new SamlBuildError(`assertion ID ${JSON.stringify(spec.id)} is not an NCName (xs:ID)`);
  if (!spec.issuer) throw new SamlBuildError("issuer must not be empty");
  if (!spec.subject.nameId) throw new SamlBuildError("subject NameID must not be empty");
}

function methodUri(version: AssertionSpec["version"], c: SubjectConfirmation): string {
  const m = CONFIRMATION_METHOD[version];
  return c.method === "bearer" ? m.bearer : c.method === "holder-of-key" ? m.holderOfKey : m.senderVouches;
}

// ---- SAML 2.0 -----------------------------------------------------------------------------------------------

function subjectConfirmation20(c: SubjectConfirmation): XElement {
  const method = methodUri("2.0", c);
  if (c.method === "bearer") {
    const data =
      c.notOnOrAfter !== undefined || c.recipient !== undefined
        ? [
            el("saml2:SubjectConfirmationData", {
              NotOnOrAfter: c.notOnOrAfter !== undefined ? time(c.notOnOrAfter, "bearer NotOnOrAfter") : undefined,
              Recipient: c.recipient,
            }),
          ]
        : [];
    return el("saml2:SubjectConfirmation", { Method: method }, ...data);
  }
  if (c.method === "holder-of-key") {
    // SAML 2.0 profiles §3.1: KeyInfoConfirmationDataType with one ds:KeyInfo per key.
    return el(
      "saml2:SubjectConfirmation",
      { Method: method },
      el("saml2:SubjectConfirmationData", { "xsi:type": "saml2:KeyInfoConfirmationDataType" }, el("ds:KeyInfo", [c.keyInfo])),
    );
  }
  return el("saml2:SubjectConfirmation", { Method: method });
}

function attribute20(a: SamlAttribute): XElement {
  return el(
    "saml2:Attribute",
    { Name: a.name, NameFormat: a.nameFormatOrNamespace },
    ...a.values.map((v) => el("saml2:AttributeValue", [v])),
  );
}

function build20(spec: AssertionSpec): { unsigned: XElement; insertAt: number } {
  const kids: XNode[] = [
    el("saml2:Issuer", [spec.issuer]),
    el("saml2:Subject", [
      el("saml2:NameID", { Format: spec.subject.format }, spec.subject.nameId),
      subjectConfirmation20(spec.confirmation),
    ]),
    el(
      "saml2:Conditions",
      { NotBefore: time(spec.notBefore, "NotBefore"), NotOnOrAfter: time(spec.notOnOrAfter, "NotOnOrAfter") },
      ...(spec.audiences.length ? [el("saml2:AudienceRestriction", spec.audiences.map((a) => el("saml2:Audience", [a])))] : []),
    ),
  ];
  if (spec.authn) {
    kids.push(
      el(
        "saml2:AuthnStatement",
        { AuthnInstant: time(spec.authn.instant, "AuthnInstant") },
        el("saml2:AuthnContext", [el("saml2:AuthnContextClassRef", [spec.authn.method])]),
      ),
    );
  }
  if (spec.attributes.length) kids.push(el("saml2:AttributeStatement", spec.attributes.map(attribute20)));
  const unsigned = el(
    "saml2:Assertion",
    { ID: spec.id, IssueInstant: time(spec.issueInstant, "IssueInstant"), Version: "2.0" },
    ...kids,
  );
  // Schema order: Issuer, Signature?, Subject, ...
  return { unsigned, insertAt: 1 };
}

// ---- SAML 1.1 -----------------------------------------------------------------------------------------------

function subject11(spec: AssertionSpec): XElement {
  const c = spec.confirmation;
  const confirmation: XNode[] = [el("saml:ConfirmationMethod", [methodUri("1.1", c)])];
  if (c.method === "holder-of-key") confirmation.push(el("ds:KeyInfo", [c.keyInfo]));
  return el("saml:Subject", [
    el("saml:NameIdentifier", { Format: spec.subject.format }, spec.subject.nameId),
    el("saml:SubjectConfirmation", confirmation),
  ]);
}

/**
 * SAML 1.1 requires AttributeNamespace. When the spec gives none, a claim-type URI is split at its last "/"
 * (namespace + "/" + name), the convention of AD FS and WIF.
 */
function attribute11(a: SamlAttribute): XElement {
  let name = a.name;
  let ns = a.nameFormatOrNamespace;
  if (ns === undefined) {
    const i = name.lastIndexOf("/");
    if (i <= 0 || i === name.length - 1) {
      throw new SamlBuildError(`SAML 1.1 attribute ${name} needs an AttributeNamespace`);
    }
    ns = name.slice(0, i);
    name = name.slice(i + 1);
  }
  return el(
    "saml:Attribute",
    { AttributeName: name, AttributeNamespace: ns },
    ...a.values.map((v) => el("saml:AttributeValue", [v])),
  );
}

function build11(spec: AssertionSpec): { unsigned: XElement; insertAt: number } {
  if (!spec.authn && spec.attributes.length === 0) {
    throw new SamlBuildError("a SAML 1.1 assertion needs at least one statement (authn or attributes)");
  }
  const kids: XNode[] = [
    el(
      "saml:Conditions",
      { NotBefore: time(spec.notBefore, "NotBefore"), NotOnOrAfter: time(spec.notOnOrAfter, "NotOnOrAfter") },
      ...(spec.audiences.length
        ? [el("saml:AudienceRestrictionCondition", spec.audiences.map((a) => el("saml:Audience", [a])))]
        : []),
    ),
  ];
  if (spec.authn) {
    kids.push(
      el(
        "saml:AuthenticationStatement",
        { AuthenticationInstant: time(spec.authn.instant, "AuthenticationInstant"), AuthenticationMethod: spec.authn.method },
        subject11(spec),
      ),
    );
  }
  if (spec.attributes.length) {
    kids.push(el("saml:AttributeStatement", [subject11(spec), ...spec.attributes.map(attribute11)]));
  }
  const unsigned = el(
    "saml:Assertion",
    {
      AssertionID: spec.id,
      IssueInstant: time(spec.issueInstant, "IssueInstant"),
      Issuer: spec.issuer,
      MajorVersion: "1",
      MinorVersion: "1",
    },
    ...kids,
  );
  // SAML 1.1 schema: the Signature comes last.
  return { unsigned, insertAt: kids.length };
}

/** The unsigned assertion and the child index where its ds:Signature belongs. */
export function buildAssertion(spec: AssertionSpec): { unsigned: XElement; insertAt: number } {
  check(spec);
  return spec.version === "2.0" ? build20(spec) : build11(spec);
}

/** Signed assertion (fast path: canonical bytes, one RSA signature). */
export function signAssertion(spec: AssertionSpec, key: SigningKey, options?: SignatureOptions): string {
  const { unsigned, insertAt } = buildAssertion(spec);
  return signCanonicalEnveloped({ unsigned, id: spec.id, insertAt, key, options });
}

/** signAssertion with the RSA operation on the thread pool (same bytes). */
export async function signAssertionAsync(spec: AssertionSpec, key: SigningKey, options?: SignatureOptions): Promise<string> {
  const { unsigned, insertAt } = buildAssertion(spec);
  return signCanonicalEnvelopedAsync({ unsigned, id: spec.id, insertAt, key, options });
}

export function unsignedAssertion(spec: AssertionSpec): string {
  return serialize(buildAssertion(spec).unsigned);
}
