// wsignin1.0 (WS-Federation 1.2 §13.2.1–13.2.3, digest §5.3/5.4): read and check a sign-in request, and build the
// response for a signed-in user: a signed bearer SAML assertion scoped to wtrealm inside a WS-Trust 2005 RSTR (as
// AD FS sends) or a 1.3 RSTRC, per relying party.
import { TOKEN_TYPES, TRUST, keyTypeName, samlVersionOfTokenType, type SamlVersion, type TrustVersion } from "../../protocol/namespaces.ts";
import { parseTrustMessage } from "../../protocol/trust/parse.ts";
import { serializeRequestSecurityTokenResponse, serializeRequestSecurityTokenResponseCollection, trustPrefixes } from "../../protocol/trust/serialize.ts";
import type { RequestSecurityTokenResponse } from "../../protocol/trust/model.ts";
import { samlTokenReference } from "../../protocol/wss.ts";
import {
  PASSWORD_AUTHENTICATION_TYPES,
  decodeXmlParameter,
  parseCurrentTime,
  parseEncoding,
  parseFreshness,
  type PassiveParameters,
} from "../../protocol/wsfed/parameters.ts";
import { ModelError } from "../../protocol/xml/dom.ts";
import { XmlError, parseXml } from "../../protocol/xml/safe-parse.ts";
import { raw, serialize } from "../../protocol/xml/writer.ts";
import type { RelyingPartyConfig } from "../config.ts";
import type { StsContext } from "../context.ts";
import { toAttributes } from "../issue.ts";
import { AUTHN_METHOD, mintAssertion, newTokenId } from "../tokens.ts";

export interface SignInRequest {
  realm: string;
  rp: RelyingPartyConfig;
  /** Where the response form posts: wreply when registered for the realm, else the realm's first reply URL. */
  replyUrl: string;
  /** Returned unchanged (F06). */
  wctx?: string;
  /** Maximum authentication age in minutes (F08/F09). */
  freshness?: number;
  samlVersion: SamlVersion;
  /** Recorded, not acted on: the only home realm here is this IdP (digest §5.6). */
  whr?: string;
  /** wct as sent and whether it parsed (F07: recorded). */
  wct?: { value: string; time?: number };
}

export type Refusal = { status: number; title: string; message: string };
export type Checked<T> = { ok: true; value: T } | ({ ok: false } & Refusal);

const refuse = (message: string, status = 400, title = "Sign-in refused"): { ok: false } & Refusal => ({ ok: false, status, title, message });

/** Largest wreq accepted (an RST is small; the URL carrying it is bounded anyway). */
const WREQ_LIMITS = { maxBytes: 16 * 1024, maxDepth: 16, maxElements: 200 };

/** The token type a wreq RST asks for (F12, F14), undefined when it names none. */
function tokenTypeFromWreq(p: PassiveParameters, realm: string): Checked<SamlVersion | undefined> {
  const { wreq, wreqptr, wencoding } = p.params;
  if (wreq !== undefined && wreqptr !== undefined) return refuse("wreq and wreqptr must not be sent together (WS-Federation 1.2 §13.2.1).");
  const enc = parseEncoding(wencoding);
  if (!enc.ok) return refuse(`${enc.reason} (fed:UnsupportedEncoding).`);
  if (wreqptr !== undefined) return refuse("wreqptr is not supported here: send the request inline as wreq.");
  if (wreq === undefined) return { ok: true, value: undefined };
  const text = decodeXmlParameter(wreq, enc.value);
  if (!text.ok) return refuse(`wreq: ${text.reason}.`);
  let tokenType: string | undefined;
  try {
    const doc = parseXml(text.value, WREQ_LIMITS);
    const m = parseTrustMessage(doc.documentElement!);
    if (m.kind !== "RST") return refuse(`wreq holds a ${m.kind}; a RequestSecurityToken is expected.`);
    tokenType = m.message.tokenType;
    const applies = m.message.appliesTo?.address;
    if (applies !== undefined && applies !== realm) return refuse("the AppliesTo of wreq differs from wtrealm.");
    const kt = m.message.keyType;
    if (kt !== undefined && keyTypeName(kt) !== "Bearer") return refuse("passive sign-in issues bearer tokens only.");
  } catch (e) {
    if (e instanceof XmlError || e instanceof ModelError) return refuse(`wreq is not a WS-Trust request: ${e.message.slice(0, 200)}`);
    throw e;
  }
  if (tokenType === undefined) return { ok: true, value: undefined };
  const v = samlVersionOfTokenType(tokenType);
  if (!v) return refuse(`wreq asks for token type ${tokenType.slice(0, 200)}, which this IdP does not issue.`);
  return { ok: true, value: v };
}

/** Check a wsignin1.0 request's parameters against the configuration. */
export function checkSignIn(ctx: StsContext, p: PassiveParameters): Checked<SignInRequest> {
  if (p.repeated.length) return refuse(`the parameter ${p.repeated[0]} occurs more than once.`);
  const { wtrealm, wreply, wctx, wfresh, wauth, whr, wct } = p.params;
  // F02: wtrealm is required (the AD FS 1.0 habit of sending only wreply is not accepted).
  if (!wtrealm) return refuse("wtrealm is required: it names the relying party the token is for.");
  let rp = ctx.relyingParty(wtrealm);
  if (!rp) {
    // F04: an unknown realm gets nothing, unless the defect says otherwise.
    if (!ctx.defects.has("unknown-realm-issued")) return refuse("no relying party is registered for this wtrealm.");
    rp = { realm: wtrealm, replyUrls: [wreply ?? wtrealm] };
  }
  const requested = tokenTypeFromWreq(p, wtrealm);
  if (!requested.ok) return requested;
  // F11: only password authentication is offered here; another requirement is refused, never downgraded.
  if (wauth !== undefined && !(PASSWORD_AUTHENTICATION_TYPES as readonly string[]).includes(wauth)) {
    return refuse("the authentication type required by wauth is not offered by this IdP (password only).");
  }
  const fresh = parseFreshness(wfresh);
  if (!fresh.ok) return refuse(`${fresh.reason}.`);
  // F05: wreply must be one of the realm's registered reply URLs, compared exactly: no open redirect.
  const registered = rp.replyUrls ?? [];
  let replyUrl: string | undefined;
  if (wreply !== undefined) {
    if (registered.includes(wreply) || ctx.defects.has("wreply-not-checked")) replyUrl = wreply;
    else return refuse("wreply is not a reply URL registered for this wtrealm.");
  } else replyUrl = registered[0];
  if (!replyUrl) return refuse("this relying party has no registered reply URL.");
  let wctTime: { value: string; time?: number } | undefined;
  if (wct !== undefined) {
    const t = parseCurrentTime(wct);
    wctTime = { value: wct.slice(0, 64), time: t.ok ? t.value : undefined };
  }
  const pinned = rp.tokenType ? (rp.tokenType === "saml11" ? "1.1" : "2.0") : undefined;
  return {
    ok: true,
    value: {
      realm: wtrealm,
      rp,
      replyUrl,
      wctx,
      freshness: fresh.value,
      // A pinned RP decides; else what wreq asked for; else SAML 1.1, the passive default (MS-MWBF).
      samlVersion: pinned ?? requested.value ?? "1.1",
      whr: whr?.slice(0, 256),
      wct: wctTime,
    },
  };
}

const NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";

export interface SignInResult {
  wresult: string;
  wctx?: string;
  tokenId: string;
  notOnOrAfter: number;
}

/** Mint the token for `username` and wrap it as wresult (F04, F09, F19–F23). */
export async function buildSignInResponse(ctx: StsContext, req: SignInRequest, user: { username: string; authInstant: number }): Promise<SignInResult> {
  const now = ctx.clock.now();
  let lifetimeMs = ctx.config.tokenLifetimeSeconds * 1000;
  // F09: no longer than the freshness the relying party asked for.
  if (req.freshness !== undefined && req.freshness > 0 && !ctx.defects.has("wfresh-ignored")) lifetimeMs = Math.min(lifetimeMs, req.freshness * 60_000);
  const notOnOrAfter = now + lifetimeMs;
  const v = req.samlVersion;
  const claims: Record<string, string[]> = {};
  const cfgUser = ctx.config.users.find((u) => u.username === user.username);
  for (const [k, val] of Object.entries(cfgUser?.claims ?? {})) claims[k] = Array.isArray(val) ? val : [val];
  const id = newTokenId();
  const audience = ctx.defects.has("audience-not-realm") ? req.replyUrl : req.realm;
  const assertion = await mintAssertion(
    {
      samlVersion: v,
      id,
      issuer: ctx.config.issuer,
      now,
      notBefore: now,
      notOnOrAfter,
      subject: { nameId: user.username, format: NAMEID_UNSPECIFIED },
      audiences: [audience],
      attributes: toAttributes(v, claims),
      confirmation: { method: "bearer", notOnOrAfter },
      authn: { method: AUTHN_METHOD[v].password, instant: user.authInstant },
    },
    ctx.signingKey,
    ctx.defects,
  );
  const tv: TrustVersion = req.rp.passiveResponse === "1.3" ? "1.3" : "2005";
  const T = TRUST[tv];
  const rstr: RequestSecurityTokenResponse = {
    version: tv,
    lifetime: { created: now, expires: notOnOrAfter },
    appliesTo: { address: req.realm },
    requestedSecurityToken: { node: raw(assertion) },
    requestedAttachedReference: { node: samlTokenReference(v, id) },
    requestedUnattachedReference: { node: samlTokenReference(v, id) },
    // AD FS names SAML tokens with the Microsoft aliases in the 2005 wrapper (digest §5.4).
    tokenType: tv === "2005" ? (v === "1.1" ? TOKEN_TYPES.saml11Alias : TOKEN_TYPES.saml20Alias) : v === "1.1" ? TOKEN_TYPES.saml11 : TOKEN_TYPES.saml20,
    requestType: T.requestType("Issue"),
    keyType: T.keyType("Bearer"),
  };
  const node = tv === "2005" ? serializeRequestSecurityTokenResponse(rstr) : serializeRequestSecurityTokenResponseCollection({ version: tv, responses: [rstr] });
  const wctx = req.wctx !== undefined && ctx.defects.has("wctx-altered") ? encodeURIComponent(req.wctx) : req.wctx;
  return { wresult: serialize(node, trustPrefixes(tv)), wctx, tokenId: id, notOnOrAfter };
}

