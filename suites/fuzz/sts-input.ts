// The recipe of one STS fuzz case and its grammar-based generators (fast-check arbitraries). A recipe is plain
// JSON data (saved as is in regression vectors) describing what to send: the RST/RSTC content for 2005, 1.3 or 1.4
// (every RST element of digest §2.1), the requestor's credential and WS-Security header, the WS-Addressing and
// transport actions, then mutations of the serialized message. Times are offsets from "now", so a recipe replayed
// later builds the same message with fresh timestamps.
import fc from "fast-check";
import type { TrustVersion } from "../../protocol/namespaces.ts";
import { BEARER_13_SPELLINGS, CLAIMS_DIALECT, DSIG, NO_PROOF_KEY_2005, TOKEN_TYPES, TRUST } from "../../protocol/namespaces.ts";
import type { SoapVersion } from "../../protocol/soap.ts";
import type { StsTarget } from "../../adapters/sts-target.ts";
import { mutationArb, type XmlMutation } from "./mutators.ts";

export type FuzzBinding = "Issue" | "Validate" | "Renew" | "Cancel" | "KET" | "STSCancel";

export interface RstRecipe {
  binding: FuzzBinding;
  /** "binding": the binding's URI in the version's namespace; "absent": no RequestType (T03); others are wrong. */
  requestType: "binding" | "absent" | "other-version" | "bogus";
  context?: string;
  tokenType?: string;
  /** "registered" etc. name the target's declared relying parties; anything else is used as the address. */
  appliesTo?: { address: string; policy: "wsp" | "wsp15"; addressing: "wsa" | "wsa04" };
  claims?: { dialect?: string; claimTypes: { uri: string; optional?: boolean; value?: string }[] };
  entropy?: { type?: string; valueB64: string };
  /** Seconds from now; created absent = not sent. */
  lifetime?: { createdS?: number; expiresS?: number };
  allowPostdating?: boolean;
  renewing?: { allow?: boolean; ok?: boolean };
  keyType?: string;
  keySize?: number;
  authenticationType?: string;
  algorithms?: { signature?: string; encryption?: string; canonicalization?: string; computedKey?: string; keyWrap?: string; signWith?: string; encryptWith?: string };
  forwardable?: boolean;
  delegatable?: boolean;
  /** OnBehalfOf (any version) or ActAs (1.4) holding an assertion the harness forged (unsigned): never acceptable. */
  delegation?: { kind: "onBehalfOf" | "actAs"; token: "unsigned-saml20" | "unsigned-saml11"; subject: string };
  /** Content of RenewTarget/CancelTarget/ValidateTarget for those bindings. */
  target?: "unsigned-saml20" | "empty";
  useKeyEmpty?: boolean;
  secondaryParameters?: { tokenType?: string; keyType?: string };
  extensions?: { local: string; text: string }[];
  extensionAttribute?: { local: string; value: string };
}

export interface AuthRecipe {
  user: "configured" | "unknown";
  password: "right" | "wrong" | "empty";
  passwordType: "text" | "digest";
  nonce: boolean;
  /** UsernameToken Created shift in seconds (sent when nonce or digest). */
  utCreatedShiftS: number;
  /** Timestamp: absent, or Created shifted by createdShiftS with a lifetime of lifetimeS. */
  timestamp: { createdShiftS: number; lifetimeS: number } | "absent";
}

export interface StsFuzzInput {
  version: TrustVersion;
  soap: SoapVersion;
  body: { kind: "RST"; rst: RstRecipe } | { kind: "RSTC"; rsts: RstRecipe[] };
  auth: AuthRecipe;
  /** wsa:Action: the binding's, another binding's, another version's, or a bogus URI (T18). */
  action: "binding" | "other-binding" | "other-version" | "bogus";
  /** HTTP SOAPAction (1.1) / action parameter (1.2): the same as wsa:Action, absent, or different. */
  transportAction: "same" | "absent" | "other";
  /** Content-Type of the other SOAP version than the envelope's (VersionMismatch). */
  contentType: "matching" | "other-soap-version";
  mutations: XmlMutation[];
  /** Send the message twice (replay); the second answer is the one judged for replay. */
  replay: boolean;
}

const ALG_URIS = [DSIG.rsaSha256, DSIG.rsaSha1, DSIG.excC14n, DSIG.sha256, "http://www.w3.org/2001/04/xmlenc#aes256-cbc", "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p", "urn:wsconform:fuzz:alg"];
const CLAIM_URIS = [
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
  "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
  "urn:wsconform:fuzz:claim",
];

/** Shrinking may fall back to the first (most ordinary) alternative, so counterexamples lose needless oddities. */
const CROSS = { withCrossShrink: true } as const;

/** Values that the target is likely to accept get most of the weight, so that issuing paths are exercised. */
function weighted<T>(common: T, ...others: T[]): fc.Arbitrary<T> {
  return fc.oneof(CROSS, { arbitrary: fc.constant(common), weight: 3 * Math.max(1, others.length) }, ...others.map((o) => ({ arbitrary: fc.constant(o), weight: 1 })));
}

function opt<T>(a: fc.Arbitrary<T>, presentWeight = 1, absentWeight = 3): fc.Arbitrary<T | undefined> {
  return fc.oneof(CROSS, { arbitrary: fc.constant(undefined), weight: absentWeight }, { arbitrary: a, weight: presentWeight });
}

const uriArb = fc.oneof(CROSS, 
  fc.constantFrom("urn:wsconform:fuzz", "http://example.test/x", ""),
  fc.constantFrom("http://rp.example.test/", "https://[::1]/a?b#c", "urn:wsconform:rp:saml20 ", "URN:WSCONFORM:RP:SAML20"),
  fc.string({ maxLength: 12 }).map((s) => `urn:x:${s}`),
);

function keyTypeArb(v: TrustVersion): fc.Arbitrary<string | undefined> {
  const T = TRUST[v];
  const bearer = v === "2005" ? [NO_PROOF_KEY_2005] : [...BEARER_13_SPELLINGS];
  return fc.oneof(CROSS, 
    { arbitrary: fc.constantFrom(...bearer), weight: 6 },
    { arbitrary: fc.constant(T.keyType("SymmetricKey")), weight: 2 },
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: fc.constant(T.keyType("PublicKey")), weight: 1 },
    { arbitrary: uriArb, weight: 1 },
  );
}

function rstArb(v: TrustVersion, target: StsTarget): fc.Arbitrary<RstRecipe> {
  const T = TRUST[v];
  const rp = target.appliesTo;
  const realms = [rp.registered, ...(rp.noEncryption ? [rp.noEncryption] : []), ...(rp.pinnedSaml11 ? [rp.pinnedSaml11] : [])];
  return fc.record(
    {
      binding: fc.oneof(CROSS, { arbitrary: fc.constant<FuzzBinding>("Issue"), weight: 12 }, fc.constantFrom<FuzzBinding>("Validate", "Renew", "Cancel", "KET", "STSCancel")),
      requestType: fc.oneof(CROSS, { arbitrary: fc.constant<RstRecipe["requestType"]>("binding"), weight: 20 }, fc.constantFrom<RstRecipe["requestType"]>("absent", "other-version", "bogus")),
      context: opt(fc.oneof(CROSS, fc.uuid().map((u) => `urn:uuid:${u}`), fc.string({ maxLength: 20 }))),
      tokenType: fc.oneof(CROSS, 
        { arbitrary: fc.constantFrom(TOKEN_TYPES.saml20, TOKEN_TYPES.saml11, TOKEN_TYPES.saml20Alias, TOKEN_TYPES.saml11Alias), weight: 6 },
        { arbitrary: fc.constant(undefined), weight: 2 },
        { arbitrary: fc.constantFrom(TOKEN_TYPES.x509v3, T.statusTokenType), weight: 1 },
        { arbitrary: uriArb, weight: 1 },
      ),
      appliesTo: fc.oneof(CROSS, 
        {
          arbitrary: fc.record({
            address: fc.oneof(CROSS, { arbitrary: fc.constantFrom(...realms), weight: 8 }, { arbitrary: fc.constant(rp.unregistered), weight: 1 }, { arbitrary: uriArb, weight: 1 }),
            policy: weighted<"wsp" | "wsp15">("wsp", "wsp15"),
            addressing: weighted<"wsa" | "wsa04">("wsa", "wsa04"),
          }),
          weight: 12,
        },
        { arbitrary: fc.constant(undefined), weight: 1 },
      ),
      claims: opt(
        fc.record({
          dialect: fc.oneof(CROSS, 
            { arbitrary: fc.constantFrom<string | undefined>(CLAIMS_DIALECT.identity, CLAIMS_DIALECT.authclaims), weight: 4 },
            { arbitrary: fc.constant(undefined), weight: 1 },
            { arbitrary: uriArb, weight: 1 },
          ),
          claimTypes: fc.array(
            fc.record({ uri: fc.constantFrom(...CLAIM_URIS), optional: fc.option(fc.boolean(), { nil: undefined }), value: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }) }, { requiredKeys: ["uri"] }),
            { maxLength: 3 },
          ),
        }),
      ),
      entropy: opt(
        fc.record({
          type: fc.constantFrom<string | undefined>(T.binarySecretType.Nonce, T.binarySecretType.SymmetricKey, undefined, T.binarySecretType.AsymmetricKey, "urn:x"),
          valueB64: fc.oneof(CROSS, { arbitrary: fc.uint8Array({ minLength: 16, maxLength: 64 }), weight: 4 }, fc.uint8Array({ maxLength: 15 })).map((b) => Buffer.from(b).toString("base64")),
        }),
      ),
      lifetime: opt(
        fc.record({
          createdS: fc.option(fc.oneof(CROSS, fc.constant(0), fc.integer({ min: -100_000, max: 200_000 })), { nil: undefined }),
          expiresS: fc.option(fc.oneof(CROSS, fc.constantFrom(600, 3600), fc.integer({ min: -100_000, max: 10_000_000 })), { nil: undefined }),
        }),
      ),
      allowPostdating: opt(fc.constant(true)),
      renewing: opt(fc.record({ allow: fc.option(fc.boolean(), { nil: undefined }), ok: fc.option(fc.boolean(), { nil: undefined }) })),
      keyType: keyTypeArb(v),
      keySize: opt(fc.oneof(CROSS, fc.constantFrom(128, 256, 512), fc.integer({ min: 0, max: 1 << 20 }))),
      authenticationType: opt(fc.constantFrom("urn:oasis:names:tc:SAML:1.0:am:password", "http://docs.oasis-open.org/wsfed/authorization/200706/authntypes/Ssl", "urn:x")),
      algorithms: opt(
        fc.record(
          {
            signature: fc.constantFrom(...ALG_URIS),
            encryption: fc.constantFrom(...ALG_URIS),
            canonicalization: fc.constantFrom(...ALG_URIS),
            computedKey: fc.constantFrom(T.computedKeyPSHA1, ...ALG_URIS),
            keyWrap: fc.constantFrom(...ALG_URIS),
            signWith: fc.constantFrom(...ALG_URIS),
            encryptWith: fc.constantFrom(...ALG_URIS),
          },
          { requiredKeys: [] },
        ),
      ),
      forwardable: opt(fc.boolean()),
      delegatable: opt(fc.boolean()),
      delegation: opt(
        fc.record({
          kind: v === "1.4" ? fc.constantFrom<"onBehalfOf" | "actAs">("onBehalfOf", "actAs") : fc.constant<"onBehalfOf" | "actAs">("onBehalfOf"),
          token: fc.constantFrom<"unsigned-saml20" | "unsigned-saml11">("unsigned-saml20", "unsigned-saml11"),
          subject: fc.constantFrom("bob", "ted", "mallory"),
        }),
        1,
        8,
      ),
      target: fc.constantFrom<RstRecipe["target"]>("unsigned-saml20", "empty"),
      useKeyEmpty: opt(fc.constant(true), 1, 12),
      secondaryParameters: opt(fc.record({ tokenType: fc.constantFrom<string | undefined>(TOKEN_TYPES.saml11, TOKEN_TYPES.saml20, undefined), keyType: keyTypeArb(v) }), 1, 10),
      extensions: opt(fc.array(fc.record({ local: fc.constantFrom("Fuzz", "Extra", "KeySize"), text: fc.string({ maxLength: 8 }) }), { minLength: 1, maxLength: 2 }), 1, 10),
      extensionAttribute: opt(fc.record({ local: fc.constantFrom("fuzz", "Context"), value: fc.string({ maxLength: 8 }) }), 1, 10),
    },
    { requiredKeys: ["binding", "requestType"] },
  );
}

/** RSTs a conforming STS should honour: the valid core the mutators and credential variations start from. */
function plausibleRstArb(v: TrustVersion, target: StsTarget): fc.Arbitrary<RstRecipe> {
  const T = TRUST[v];
  const rp = target.appliesTo;
  return fc.record(
    {
      binding: fc.constant<FuzzBinding>("Issue"),
      requestType: fc.constant<RstRecipe["requestType"]>("binding"),
      context: opt(fc.uuid().map((u) => `urn:uuid:${u}`), 1, 1),
      tokenType: fc.constantFrom<string | undefined>(TOKEN_TYPES.saml20, TOKEN_TYPES.saml11, undefined),
      appliesTo: fc.record({
        address: fc.constantFrom(rp.noEncryption ?? rp.registered, rp.registered),
        policy: weighted<"wsp" | "wsp15">("wsp", "wsp15"),
        addressing: weighted<"wsa" | "wsa04">("wsa", "wsa04"),
      }),
      claims: opt(fc.record({ dialect: fc.constant<string | undefined>(CLAIMS_DIALECT.identity), claimTypes: fc.array(fc.record({ uri: fc.constantFrom(...CLAIM_URIS.slice(0, 2)), optional: fc.constant(true) }), { maxLength: 2 }) })),
      lifetime: opt(fc.record({ createdS: fc.constant(0), expiresS: fc.constantFrom(600, 3600) })),
      renewing: opt(fc.record({ allow: fc.boolean(), ok: fc.constant(false) })),
      keyType: fc.constantFrom(T.keyType("Bearer")),
    },
    { requiredKeys: ["binding", "requestType", "appliesTo", "keyType"] },
  );
}

function authArb(target: StsTarget): fc.Arbitrary<AuthRecipe> {
  const skew = target.clockSkewSeconds;
  const shift = fc.oneof(CROSS, 
    { arbitrary: fc.constant(0), weight: 24 },
    { arbitrary: fc.integer({ min: -skew, max: skew }), weight: 2 },
    // Far outside any reasonable skew window: the credential is then wrong whatever the target's tolerance.
    { arbitrary: fc.oneof(CROSS, fc.integer({ min: -400_000, max: -(3 * skew + 3600) }), fc.integer({ min: 3 * skew + 3600, max: 400_000 })), weight: 2 },
  );
  return fc.record({
    user: fc.oneof(CROSS, { arbitrary: fc.constant<AuthRecipe["user"]>("configured"), weight: 12 }, fc.constant<AuthRecipe["user"]>("unknown")),
    password: fc.oneof(CROSS, { arbitrary: fc.constant<AuthRecipe["password"]>("right"), weight: 12 }, fc.constantFrom<AuthRecipe["password"]>("wrong", "empty")),
    passwordType: fc.oneof(CROSS, { arbitrary: fc.constant<"text" | "digest">("text"), weight: 3 }, fc.constant<"text" | "digest">("digest")),
    nonce: fc.boolean(),
    utCreatedShiftS: shift,
    timestamp: fc.oneof(CROSS, { arbitrary: fc.record({ createdShiftS: shift, lifetimeS: fc.oneof(CROSS, { arbitrary: fc.constant(300), weight: 6 }, fc.integer({ min: -600, max: 100_000 })) }), weight: 24 }, fc.constant<"absent">("absent")),
  });
}

export interface StsArbitraryOptions {
  /** Weight of mutated messages (0..1). */
  mutationRate?: number;
}

/** Recipes for this target: only versions and SOAP versions it declares (its endpoints decide the rest). */
export function stsInputArb(target: StsTarget, o: StsArbitraryOptions = {}): fc.Arbitrary<StsFuzzInput> {
  const versions = target.capabilities.versions.filter((v) => target.endpoint(v, "username"));
  if (!versions.length) throw new Error("the target declares no username endpoint: the STS fuzz profile needs one");
  const soaps = target.capabilities.soapVersions.length ? target.capabilities.soapVersions : (["1.2"] as SoapVersion[]);
  const rate = o.mutationRate ?? 0.5;
  const mutW = Math.round(rate * 10);
  // One record per version, built once (building arbitraries inside chain() per sample costs more than a case).
  const perVersion = versions.map((version) =>
    fc.record({
      version: fc.constant(version),
      soap: fc.constantFrom(...soaps),
      body: fc.oneof(CROSS, 
        { arbitrary: fc.oneof(CROSS, plausibleRstArb(version, target), rstArb(version, target)).map((rst) => ({ kind: "RST" as const, rst })), weight: 15 },
        { arbitrary: fc.array(rstArb(version, target), { minLength: 1, maxLength: 3 }).map((rsts) => ({ kind: "RSTC" as const, rsts })), weight: 1 },
      ),
      auth: authArb(target),
      action: fc.oneof(CROSS, { arbitrary: fc.constant<StsFuzzInput["action"]>("binding"), weight: 20 }, fc.constantFrom<StsFuzzInput["action"]>("other-binding", "other-version", "bogus")),
      transportAction: fc.oneof(CROSS, { arbitrary: fc.constant<StsFuzzInput["transportAction"]>("same"), weight: 20 }, fc.constantFrom<StsFuzzInput["transportAction"]>("absent", "other")),
      contentType: fc.oneof(CROSS, { arbitrary: fc.constant<StsFuzzInput["contentType"]>("matching"), weight: 30 }, fc.constant<StsFuzzInput["contentType"]>("other-soap-version")),
      mutations: fc.oneof(CROSS, { arbitrary: fc.constant<XmlMutation[]>([]), weight: 10 - mutW }, { arbitrary: fc.array(mutationArb, { maxLength: 3 }), weight: mutW }),
      replay: fc.oneof(CROSS, { arbitrary: fc.constant(false), weight: 15 }, fc.constant(true)),
    }),
  );
  return fc.oneof(CROSS, ...perVersion);
}
