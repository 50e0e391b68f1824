// WS-Federation 1.2 federation metadata (§3, digest §5.7): build a (signed) document, read one into the few facts a
// federation partner needs, and check one against the schema's shape and the signing rules (F35–F47). Pure.
import { DSIG, NS } from "../namespaces.ts";
import { signCanonicalEnveloped, type SignatureOptions, type SigningKey } from "../dsig/sign.ts";
import { trustAnchorFromCert, verifyEnvelopedSignature, type TrustAnchor, type VerifyPolicy } from "../dsig/verify.ts";
import { parseXsDateTime, toXsDateTime } from "../clock.ts";
import { ModelError, attr, children, isElement } from "../xml/dom.ts";
import { parseXml, XmlError } from "../xml/safe-parse.ts";
import { el, serialize, type XElement, type XNode } from "../xml/writer.ts";

/** Well-known publication path (§3.2.2) and the AD FS alias (digest §5.7). */
export const FEDERATION_METADATA_PATH = "/FederationMetadata/2007-06/FederationMetadata.xml";
export const ADFS_METADATA_ALIAS_PATH = "/adfs/ls/federationmetadata/2007-06/federationmetadata.xml";

/** protocolSupportEnumeration as AD FS publishes it: WS-Trust 1.3, February 2005 and WS-Federation. */
export const FEDERATION_PROTOCOLS = [NS.wst13, NS.wst2005, NS.fed].join(" ");

export type FedRoleType = "SecurityTokenServiceType" | "ApplicationServiceType" | "PseudonymServiceType" | "AttributeServiceType";
const FED_ROLE_TYPES: readonly string[] = ["SecurityTokenServiceType", "ApplicationServiceType", "PseudonymServiceType", "AttributeServiceType"];

// ---- build --------------------------------------------------------------------------------------------------

export interface MetadataClaimType {
  uri: string;
  displayName?: string;
  description?: string;
  optional?: boolean;
}

export interface SecurityTokenServiceRoleSpec {
  /** Token-signing certificates (DER), each published as KeyDescriptor use="signing" (rollover: several). */
  signingCertificates: Buffer[];
  tokenTypes?: string[];
  claimTypesOffered?: MetadataClaimType[];
  /** WS-Trust endpoint addresses (at least one, F40). */
  securityTokenServiceEndpoints: string[];
  passiveRequestorEndpoints?: string[];
  serviceDisplayName?: string;
  protocolSupportEnumeration?: string;
}

export interface ApplicationServiceRoleSpec {
  encryptionCertificates?: Buffer[];
  claimTypesRequested?: MetadataClaimType[];
  targetScopes?: string[];
  /** At least one (F41). */
  applicationServiceEndpoints: string[];
  passiveRequestorEndpoints?: string[];
  serviceDisplayName?: string;
  protocolSupportEnumeration?: string;
}

export interface FederationMetadataSpec {
  /** xs:ID of md:EntityDescriptor, referenced by the signature. */
  id: string;
  entityId: string;
  validUntil?: number;
  securityTokenServices?: SecurityTokenServiceRoleSpec[];
  applications?: ApplicationServiceRoleSpec[];
}

function keyDescriptor(use: "signing" | "encryption", der: Buffer): XElement {
  return el("md:KeyDescriptor", { use }, el("ds:KeyInfo", [el("ds:X509Data", [el("ds:X509Certificate", [der.toString("base64")])])]));
}

function claimType(c: MetadataClaimType): XElement {
  return el(
    "auth:ClaimType",
    { Uri: c.uri, Optional: c.optional === undefined ? undefined : String(c.optional) },
    ...(c.displayName !== undefined ? [el("auth:DisplayName", [c.displayName])] : []),
    ...(c.description !== undefined ? [el("auth:Description", [c.description])] : []),
  );
}

function endpoints(qname: string, addresses: string[] | undefined): XElement[] {
  return (addresses ?? []).map((a) => el(qname, [el("wsa:EndpointReference", [el("wsa:Address", [a])])]));
}

function roleDescriptor(type: FedRoleType, attrs: { protocolSupportEnumeration?: string; serviceDisplayName?: string }, kids: XNode[]): XElement {
  return el(
    "md:RoleDescriptor",
    {
      "xsi:type": `fed:${type}`,
      protocolSupportEnumeration: attrs.protocolSupportEnumeration ?? FEDERATION_PROTOCOLS,
      ServiceDisplayName: attrs.serviceDisplayName,
    },
    ...kids,
  );
}

/** The unsigned md:EntityDescriptor, children in schema order (RoleDescriptorType, then §3.1.2.1, then endpoints). */
export function buildFederationMetadata(spec: FederationMetadataSpec): XElement {
  const roles: XElement[] = [];
  for (const s of spec.securityTokenServices ?? []) {
    roles.push(
      roleDescriptor("SecurityTokenServiceType", s, [
        ...s.signingCertificates.map((c) => keyDescriptor("signing", c)),
        ...(s.tokenTypes?.length ? [el("fed:TokenTypesOffered", s.tokenTypes.map((t) => el("fed:TokenType", { Uri: t })))] : []),
        ...(s.claimTypesOffered?.length ? [el("fed:ClaimTypesOffered", s.claimTypesOffered.map(claimType))] : []),
        ...endpoints("fed:SecurityTokenServiceEndpoint", s.securityTokenServiceEndpoints),
        ...endpoints("fed:PassiveRequestorEndpoint", s.passiveRequestorEndpoints),
      ]),
    );
  }
  for (const a of spec.applications ?? []) {
    roles.push(
      roleDescriptor("ApplicationServiceType", a, [
        ...(a.encryptionCertificates ?? []).map((c) => keyDescriptor("encryption", c)),
        ...(a.claimTypesRequested?.length ? [el("fed:ClaimTypesRequested", a.claimTypesRequested.map(claimType))] : []),
        ...(a.targetScopes?.length ? [el("fed:TargetScopes", a.targetScopes.map((t) => el("wsa:EndpointReference", [el("wsa:Address", [t])])))] : []),
        ...endpoints("fed:ApplicationServiceEndpoint", a.applicationServiceEndpoints),
        ...endpoints("fed:PassiveRequestorEndpoint", a.passiveRequestorEndpoints),
      ]),
    );
  }
  return el(
    "md:EntityDescriptor",
    { ID: spec.id, entityID: spec.entityId, validUntil: spec.validUntil === undefined ? undefined : toXsDateTime(spec.validUntil) },
    ...roles,
  );
}

const ROOT_START = "<md:EntityDescriptor";

/**
 * xsi:type="fed:…" is a QName inside an attribute value, which the canonical writer cannot see, so it would not
 * declare `fed` where the RoleDescriptor can resolve it (F37). Declare it on the root. Exclusive c14n drops a
 * declaration no element or attribute name uses, so this changes neither the digest nor the signature.
 */
function declareFedOnRoot(xml: string): string {
  if (!xml.startsWith(ROOT_START)) throw new Error("internal: unexpected metadata serialization");
  return `${ROOT_START} xmlns:fed="${NS.fed}"${xml.slice(ROOT_START.length)}`;
}

/** The document as text: signed (enveloped signature first, rsa-sha256 + exc-c14n by default) when a key is given. */
export function serializeFederationMetadata(spec: FederationMetadataSpec, signing?: { key: SigningKey; options?: SignatureOptions }): string {
  const unsigned = buildFederationMetadata(spec);
  const xml = signing
    ? signCanonicalEnveloped({ unsigned, id: spec.id, insertAt: 0, key: signing.key, options: signing.options })
    : serialize(unsigned);
  return `<?xml version="1.0" encoding="utf-8"?>${declareFedOnRoot(xml)}`;
}

// ---- parse --------------------------------------------------------------------------------------------------

export interface SecurityTokenServiceRole {
  element: Element;
  protocolSupportEnumeration: string[];
  signingCertificates: Buffer[];
  tokenTypes: string[];
  claimTypesOffered: string[];
  securityTokenServiceEndpoints: string[];
  passiveRequestorEndpoints: string[];
}

export interface ApplicationServiceRole {
  element: Element;
  protocolSupportEnumeration: string[];
  encryptionCertificates: Buffer[];
  claimTypesRequested: string[];
  applicationServiceEndpoints: string[];
  passiveRequestorEndpoints: string[];
}

export interface FederationMetadata {
  element: Element;
  id?: string;
  entityId: string;
  validUntil?: number;
  /** A ds:Signature is a direct child of the entity descriptor (or of the EntitiesDescriptor holding it). */
  signed: boolean;
  securityTokenServices: SecurityTokenServiceRole[];
  applications: ApplicationServiceRole[];
}

/** {ns}local of an xsi:type value, resolved against the namespaces in scope of `e`; undefined when unresolvable. */
export function resolveXsiType(e: Element): { ns: string; local: string } | undefined {
  const v = attr(e, "type", NS.xsi)?.trim();
  if (!v) return undefined;
  const i = v.indexOf(":");
  const prefix = i < 0 ? null : v.slice(0, i);
  const local = i < 0 ? v : v.slice(i + 1);
  const ns = e.lookupNamespaceURI(prefix);
  return ns ? { ns, local } : undefined;
}

function fedRoleType(e: Element): FedRoleType | undefined {
  const t = resolveXsiType(e);
  return t && t.ns === NS.fed && FED_ROLE_TYPES.includes(t.local) ? (t.local as FedRoleType) : undefined;
}

function certificates(role: Element, uses: (string | undefined)[]): Buffer[] {
  const out: Buffer[] = [];
  for (const kd of children(role, NS.md, "KeyDescriptor")) {
    if (!uses.includes(attr(kd, "use"))) continue;
    for (const ki of children(kd, NS.ds, "KeyInfo"))
      for (const xd of children(ki, NS.ds, "X509Data"))
        for (const c of children(xd, NS.ds, "X509Certificate")) out.push(Buffer.from((c.textContent ?? "").replace(/\s+/g, ""), "base64"));
  }
  return out;
}

const WSA_NS = [NS.wsa, NS.wsa2004];

function addresses(role: Element, local: string): string[] {
  const out: string[] = [];
  for (const ep of children(role, NS.fed, local))
    for (const epr of children(ep, WSA_NS, "EndpointReference"))
      for (const a of children(epr, WSA_NS, "Address")) out.push((a.textContent ?? "").trim());
  return out;
}

function uris(role: Element, list: string, item: string, ns: string): string[] {
  const out: string[] = [];
  for (const l of children(role, NS.fed, list)) for (const t of children(l, ns, item)) {
    const u = attr(t, "Uri");
    if (u) out.push(u);
  }
  return out;
}

function tokens(s: string | undefined): string[] {
  return (s ?? "").split(/\s+/).filter(Boolean);
}

function entityOf(root: Element, entityId?: string): Element {
  if (root.namespaceURI === NS.md && root.localName === "EntityDescriptor") return root;
  const holders = root.namespaceURI === NS.md && root.localName === "EntitiesDescriptor" ? [root] : root.namespaceURI === NS.fed && root.localName === "FederationMetadata" ? [root] : [];
  for (const h of holders) {
    const found = children(h, NS.md, "EntityDescriptor").find((e) => entityId === undefined || attr(e, "entityID") === entityId);
    if (found) return found;
  }
  throw new ModelError(`no md:EntityDescriptor${entityId ? ` for ${entityId}` : ""} in {${root.namespaceURI ?? ""}}${root.localName}`, root.localName);
}

/** Read a metadata document (safe parser, no DTD) into its roles. ModelError when there is no entity descriptor. */
export function parseFederationMetadata(input: string | Uint8Array | Document, opts: { entityId?: string } = {}): FederationMetadata {
  const doc = typeof input === "object" && "documentElement" in input ? input : parseXml(input);
  const entity = entityOf(doc.documentElement!, opts.entityId);
  const entityId = attr(entity, "entityID");
  if (!entityId) throw new ModelError("md:EntityDescriptor lacks entityID", "EntityDescriptor");
  const isSigned = (e: Element) => children(e, NS.ds, "Signature").length > 0;
  const parent = entity.parentNode && isElement(entity.parentNode) ? entity.parentNode : undefined;
  const out: FederationMetadata = {
    element: entity,
    id: attr(entity, "ID"),
    entityId,
    validUntil: parseXsDateTime(attr(entity, "validUntil") ?? ""),
    signed: isSigned(entity) || (!!parent && isSigned(parent)),
    securityTokenServices: [],
    applications: [],
  };
  for (const role of children(entity, NS.md, "RoleDescriptor")) {
    const type = fedRoleType(role);
    const pse = tokens(attr(role, "protocolSupportEnumeration"));
    if (type === "SecurityTokenServiceType") {
      out.securityTokenServices.push({
        element: role,
        protocolSupportEnumeration: pse,
        // SAML metadata: a KeyDescriptor without use serves both purposes.
        signingCertificates: certificates(role, ["signing", undefined]),
        tokenTypes: uris(role, "TokenTypesOffered", "TokenType", NS.fed),
        claimTypesOffered: uris(role, "ClaimTypesOffered", "ClaimType", NS.auth),
        securityTokenServiceEndpoints: addresses(role, "SecurityTokenServiceEndpoint"),
        passiveRequestorEndpoints: addresses(role, "PassiveRequestorEndpoint"),
      });
    } else if (type === "ApplicationServiceType") {
      out.applications.push({
        element: role,
        protocolSupportEnumeration: pse,
        encryptionCertificates: certificates(role, ["encryption", undefined]),
        claimTypesRequested: uris(role, "ClaimTypesRequested", "ClaimType", NS.auth),
        applicationServiceEndpoints: addresses(role, "ApplicationServiceEndpoint"),
        passiveRequestorEndpoints: addresses(role, "PassiveRequestorEndpoint"),
      });
    }
  }
  return out;
}

// ---- check --------------------------------------------------------------------------------------------------

export type MetadataRequirement = "F35" | "F36" | "F37" | "F38" | "F39" | "F40" | "F41" | "F42" | "F43" | "F44" | "F45" | "F46" | "F47";

export interface MetadataProblem {
  requirement: MetadataRequirement;
  /** error: a schema rule or MUST is broken; warning: a SHOULD/RECOMMENDED one. */
  severity: "error" | "warning";
  message: string;
}

export interface MetadataCheck {
  problems: MetadataProblem[];
  signature: "absent" | "valid" | "invalid";
  /** Which keys the signature was checked with: the caller's anchors, or the document's own signing certificates. */
  verifiedWith?: "trust-anchors" | "own-signing-certificates";
  /** The parsed document when it could be read. */
  metadata?: FederationMetadata;
}

export interface CheckOptions {
  /** Keys the signature must verify with. Without them it is checked against the document's own STS signing
   * certificates, which proves integrity, not origin. */
  anchors?: TrustAnchor[];
  /** Where the document was fetched from (F47 path check, F46 https). */
  url?: string;
  verifyPolicy?: VerifyPolicy;
}

interface Slot {
  ns: string;
  local: string;
  min: number;
  max: number;
  req: MetadataRequirement;
}

const one = (ns: string, local: string, req: MetadataRequirement, min = 0): Slot => ({ ns, local, min, max: 1, req });
const many = (ns: string, local: string, req: MetadataRequirement, min = 0): Slot => ({ ns, local, min, max: Infinity, req });

// md:RoleDescriptorType, then fed:WebServiceDescriptorType (§3.1.2.1), in schema order.
const BASE_SLOTS: Slot[] = [
  one(NS.ds, "Signature", "F39"),
  one(NS.md, "Extensions", "F39"),
  many(NS.md, "KeyDescriptor", "F39"),
  one(NS.md, "Organization", "F39"),
  many(NS.md, "ContactPerson", "F39"),
  one(NS.fed, "LogicalServiceNamesOffered", "F39"),
  one(NS.fed, "TokenTypesOffered", "F39"),
  one(NS.fed, "ClaimDialectsOffered", "F39"),
  one(NS.fed, "ClaimTypesOffered", "F39"),
  one(NS.fed, "ClaimTypesRequested", "F39"),
  one(NS.fed, "AutomaticPseudonyms", "F39"),
  one(NS.fed, "TargetScopes", "F39"),
];

const TYPE_SLOTS: Record<FedRoleType, Slot[]> = {
  SecurityTokenServiceType: [
    many(NS.fed, "SecurityTokenServiceEndpoint", "F40", 1),
    many(NS.fed, "SingleSignOutSubscriptionEndpoint", "F40"),
    many(NS.fed, "SingleSignOutNotificationEndpoint", "F40"),
    many(NS.fed, "PassiveRequestorEndpoint", "F40"),
  ],
  ApplicationServiceType: [
    many(NS.fed, "ApplicationServiceEndpoint", "F41", 1),
    many(NS.fed, "SingleSignOutNotificationEndpoint", "F41"),
    many(NS.fed, "PassiveRequestorEndpoint", "F41"),
  ],
  PseudonymServiceType: [many(NS.fed, "PseudonymServiceEndpoint", "F39", 1), many(NS.fed, "SingleSignOutNotificationEndpoint", "F39")],
  AttributeServiceType: [many(NS.fed, "AttributeServiceEndpoint", "F39", 1), many(NS.fed, "SingleSignOutNotificationEndpoint", "F39")],
};

const ENDPOINT_LOCALS = new Set([
  "SecurityTokenServiceEndpoint",
  "SingleSignOutSubscriptionEndpoint",
  "SingleSignOutNotificationEndpoint",
  "PassiveRequestorEndpoint",
  "ApplicationServiceEndpoint",
  "PseudonymServiceEndpoint",
  "AttributeServiceEndpoint",
]);

const nsName = (ns: string | null) => (ns === NS.md ? "md" : ns === NS.fed ? "fed" : ns === NS.auth ? "auth" : ns === NS.ds ? "ds" : `{${ns ?? ""}}`);
const qname = (e: Element) => `${nsName(e.namespaceURI)}:${e.localName}`;

class Collector {
  readonly problems: MetadataProblem[] = [];
  error(requirement: MetadataRequirement, message: string): void {
    if (this.problems.length < 200) this.problems.push({ requirement, severity: "error", message });
  }
  warning(requirement: MetadataRequirement, message: string): void {
    if (this.problems.length < 200) this.problems.push({ requirement, severity: "warning", message });
  }
}

function checkSequence(role: Element, type: FedRoleType, label: string, out: Collector): void {
  const slots = [...BASE_SLOTS, ...TYPE_SLOTS[type]];
  const counts = new Array<number>(slots.length).fill(0);
  let last = -1;
  let lastName = "";
  for (const c of children(role)) {
    const i = slots.findIndex((s) => s.ns === c.namespaceURI && s.local === c.localName);
    if (i < 0) {
      const sameLocal = slots.find((s) => s.local === c.localName);
      if (sameLocal) out.error(sameLocal.req, `${label}: ${qname(c)} is in namespace ${c.namespaceURI ?? "(none)"}; the schema puts ${c.localName} in ${sameLocal.ns}`);
      else if (c.namespaceURI === NS.md || c.namespaceURI === NS.fed) out.error("F39", `${label}: ${qname(c)} is not allowed in a ${type}`);
      else out.warning("F39", `${label}: unexpected element ${qname(c)}`);
      continue;
    }
    const s = slots[i]!;
    counts[i]!++;
    if (i < last) {
      out.error(s.req, `${label}: ${qname(c)} comes after ${lastName}; the ${type} sequence is ${slots.map((x) => x.local).join(", ")}`);
      continue;
    }
    if (counts[i]! > s.max) out.error(s.req, `${label}: ${qname(c)} occurs more than once (at most ${s.max})`);
    last = i;
    lastName = qname(c);
  }
  slots.forEach((s, i) => {
    if (counts[i]! < s.min) out.error(s.req, `${label}: a ${type} needs at least ${s.min} ${nsName(s.ns)}:${s.local}`);
  });
}

function checkClaimTypes(role: Element, label: string, out: Collector): void {
  for (const list of children(role).filter((c) => c.localName === "ClaimTypesOffered" || c.localName === "ClaimTypesRequested")) {
    const items = children(list);
    if (items.length === 0) out.error("F42", `${label}: ${qname(list)} holds no auth:ClaimType`);
    for (const ct of items) {
      if (ct.namespaceURI !== NS.auth || ct.localName !== "ClaimType") {
        out.error("F42", `${label}: ${list.localName} holds ${ct.localName} in ${ct.namespaceURI ?? "no namespace"}; claim types are auth:ClaimType in ${NS.auth}`);
        continue;
      }
      if (!attr(ct, "Uri")) out.error("F42", `${label}: an auth:ClaimType lacks its required Uri`);
    }
  }
}

function checkEndpoints(role: Element, type: FedRoleType, label: string, out: Collector): void {
  const req: MetadataRequirement = type === "ApplicationServiceType" ? "F41" : type === "SecurityTokenServiceType" ? "F40" : "F39";
  for (const ep of children(role)) {
    if (ep.namespaceURI !== NS.fed || !ENDPOINT_LOCALS.has(ep.localName ?? "")) continue;
    const eprs = children(ep, WSA_NS, "EndpointReference");
    const addrs = eprs.flatMap((e) => children(e, WSA_NS, "Address")).map((a) => (a.textContent ?? "").trim()).filter(Boolean);
    if (eprs.length === 0 || addrs.length < eprs.length) out.error(req, `${label}: ${qname(ep)} must hold wsa:EndpointReference elements with a wsa:Address`);
  }
}

function checkKeyDescriptors(role: Element, type: FedRoleType, label: string, out: Collector): void {
  for (const kd of children(role, NS.md, "KeyDescriptor")) {
    const use = attr(kd, "use");
    if (use !== undefined && use !== "signing" && use !== "encryption") out.error("F43", `${label}: KeyDescriptor use="${use}" is neither signing nor encryption`);
  }
  if (type !== "SecurityTokenServiceType") return;
  const certs = certificates(role, ["signing", undefined]);
  if (certs.length === 0) out.error("F43", `${label}: no KeyDescriptor use="signing" with an X509Certificate: relying parties cannot learn the token-signing key`);
}

function checkRole(role: Element, index: number, out: Collector): void {
  let label = `RoleDescriptor #${index + 1}`;
  if (role.namespaceURI !== NS.md) out.error("F37", `${label} is in namespace ${role.namespaceURI ?? "(none)"}; role descriptors are md:RoleDescriptor in ${NS.md}`);
  const raw = attr(role, "type", NS.xsi);
  let type: FedRoleType | undefined;
  if (!raw) out.error("F37", `${label} has no xsi:type naming its federation role`);
  else {
    const t = resolveXsiType(role);
    if (!t) out.error("F37", `${label}: the prefix of xsi:type="${raw}" is not declared in scope`);
    else if (t.ns !== NS.fed) out.error("F37", `${label}: xsi:type="${raw}" resolves to {${t.ns}}${t.local}, not a type in ${NS.fed}`);
    else if (!FED_ROLE_TYPES.includes(t.local)) out.error("F37", `${label}: fed:${t.local} is not a WS-Federation role type`);
    else type = t.local as FedRoleType;
  }
  if (type) label = `${label} (fed:${type})`;
  if (!tokens(attr(role, "protocolSupportEnumeration")).length) out.error("F38", `${label} lacks protocolSupportEnumeration`);
  checkClaimTypes(role, label, out);
  if (!type) return;
  checkSequence(role, type, label, out);
  checkEndpoints(role, type, label, out);
  checkKeyDescriptors(role, type, label, out);
  if (type === "SecurityTokenServiceType" && children(role, NS.fed, "PassiveRequestorEndpoint").length === 0) {
    out.warning("F44", `${label} advertises no PassiveRequestorEndpoint (the sign-in URL of a passive IdP)`);
  }
}

function checkEntity(entity: Element, out: Collector): void {
  if (!attr(entity, "entityID")) out.error("F35", "md:EntityDescriptor lacks entityID");
  const roles = children(entity).filter((c) => c.localName === "RoleDescriptor");
  roles.forEach((r, i) => checkRole(r, i, out));
  if (!roles.some((r) => r.namespaceURI === NS.md && fedRoleType(r))) {
    out.error("F37", "no md:RoleDescriptor with a WS-Federation xsi:type (fed:SecurityTokenServiceType, fed:ApplicationServiceType, …)");
  }
}

function checkSignature(root: Element, opts: CheckOptions, metadata: FederationMetadata | undefined, out: Collector): Pick<MetadataCheck, "signature" | "verifiedWith"> {
  const sigs = children(root, NS.ds, "Signature");
  if (sigs.length === 0) {
    const https = opts.url?.startsWith("https:");
    if (!https) out.warning("F46", "the metadata is not signed (and was not fetched over an integrity-protected channel)");
    return { signature: "absent" };
  }
  if (sigs.length > 1) out.error("F45", `the root carries ${sigs.length} ds:Signature elements; one enveloped signature is expected`);
  const sig = sigs[0]!;
  if (children(root)[0] !== sig) out.error("F45", "ds:Signature must be the first child of the root (SAML metadata schema)");
  const si = children(sig, NS.ds, "SignedInfo")[0];
  const id = attr(root, "ID");
  if (!id) out.error("F45", "the signed root has no ID for the Reference to name");
  if (si) {
    const cm = children(si, NS.ds, "CanonicalizationMethod")[0];
    if (!cm || attr(cm, "Algorithm") !== DSIG.excC14n) out.error("F45", `SignedInfo canonicalization must be exclusive c14n (${DSIG.excC14n})`);
    const refs = children(si, NS.ds, "Reference");
    if (refs.length !== 1) out.error("F45", `an enveloped metadata signature holds exactly one Reference (found ${refs.length})`);
    const ref = refs[0];
    if (ref) {
      const uri = attr(ref, "URI");
      if (id && uri !== `#${id}`) out.error("F45", `the Reference URI is ${JSON.stringify(uri ?? null)}, not #${id} (the root's ID)`);
      const algs = children(ref, NS.ds, "Transforms").flatMap((t) => children(t, NS.ds, "Transform")).map((t) => attr(t, "Algorithm") ?? "");
      if (algs.length !== 2 || algs[0] !== DSIG.envelopedSignature || algs[1] !== DSIG.excC14n) {
        out.error("F45", `the transforms must be enveloped-signature then exc-c14n (found ${algs.join(", ") || "none"})`);
      }
    }
  } else out.error("F45", "ds:Signature has no ds:SignedInfo");

  const own = (metadata?.securityTokenServices ?? []).flatMap((s) => s.signingCertificates);
  const anchors: TrustAnchor[] = [];
  const verifiedWith = opts.anchors ? "trust-anchors" : "own-signing-certificates";
  if (opts.anchors) anchors.push(...opts.anchors);
  else for (const der of own) {
    try {
      anchors.push(trustAnchorFromCert(der, "metadata signing certificate"));
    } catch {
      out.error("F43", "a signing KeyDescriptor holds something that is not an X.509 certificate");
    }
  }
  // The shape and the bytes are judged with SHA-1 allowed; a SHA-1 signature is then a separate, weaker finding
  // (no metadata rule mandates an algorithm, but SHA-1 protects little).
  const v = verifyEnvelopedSignature(root, anchors, { allowSha1: true, ...opts.verifyPolicy });
  if (v.ok && (v.signatureAlgorithm === DSIG.rsaSha1 || v.digestAlgorithm === DSIG.sha1)) {
    out.warning("F46", `the metadata signature uses SHA-1 (${v.signatureAlgorithm}, ${v.digestAlgorithm}): it verifies, but protects little`);
  }
  if (!v.ok) {
    out.error("F45", `the signature does not verify with the ${verifiedWith === "trust-anchors" ? "trust anchors" : "document's own signing certificates"}: ${v.code}: ${v.reason}`);
    return { signature: "invalid", verifiedWith };
  }
  return { signature: "valid", verifiedWith };
}

/** Check a federation metadata document; every problem names the requirement (F35–F47) it breaks. */
export function checkFederationMetadata(input: string | Uint8Array, opts: CheckOptions = {}): MetadataCheck {
  const out = new Collector();
  let doc: Document;
  try {
    doc = parseXml(input);
  } catch (e) {
    if (!(e instanceof XmlError)) throw e;
    out.error("F35", `not a readable XML document: ${e.message}`);
    return { problems: out.problems, signature: "absent" };
  }
  const root = doc.documentElement!;
  if (opts.url !== undefined) {
    let path = "";
    try {
      path = new URL(opts.url).pathname;
    } catch {
      path = opts.url;
    }
    if (!path.toLowerCase().endsWith(FEDERATION_METADATA_PATH.toLowerCase())) {
      out.warning("F47", `fetched from ${path}, not the well-known ${FEDERATION_METADATA_PATH}`);
    }
  }
  const isMd = (e: Element, local: string) => e.namespaceURI === NS.md && e.localName === local;
  let entities: Element[];
  if (isMd(root, "EntityDescriptor")) entities = [root];
  else if (isMd(root, "EntitiesDescriptor")) entities = children(root, NS.md, "EntityDescriptor");
  else if (root.namespaceURI === NS.fed && root.localName === "FederationMetadata") {
    out.warning("F36", "the fed:FederationMetadata root is discouraged; use md:EntityDescriptor");
    entities = children(root, NS.md, "EntityDescriptor");
  } else {
    out.error("F35", `the root is ${qname(root)}; federation metadata is rooted at md:EntityDescriptor or md:EntitiesDescriptor`);
    entities = [];
  }
  if (entities.length === 0 && (isMd(root, "EntitiesDescriptor") || root.localName === "FederationMetadata")) out.error("F35", "no md:EntityDescriptor in the document");
  for (const e of entities) checkEntity(e, out);
  let metadata: FederationMetadata | undefined;
  try {
    if (entities.length) metadata = parseFederationMetadata(doc);
  } catch (e) {
    if (!(e instanceof ModelError)) throw e;
  }
  const sig = checkSignature(root, opts, metadata, out);
  return { problems: out.problems, ...sig, metadata };
}
