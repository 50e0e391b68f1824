// Oracles: properties every answer of an STS must have, whatever was sent. Each names the requirement it stands
// for (catalogue ids, so regression cases can cite them). They read the answer with the hostile-input parser and
// never trust it; the facts about the request come from the message actually sent (sts-build.ts).
import { classifyFaultCode } from "../../protocol/faults.ts";
import { NS, TRUST, keyTypeName, type TrustVersion } from "../../protocol/namespaces.ts";
import { verifyAssertion } from "../../protocol/saml/parse.ts";
import type { RequestSecurityTokenResponse } from "../../protocol/trust/model.ts";
import { ELEMENT_NODE } from "../../protocol/xml/dom.ts";
import type { Exchange } from "../../adapters/sts-client.ts";
import type { StsTarget } from "../../adapters/sts-target.ts";
import type { MessageFacts } from "./sts-build.ts";

export const STS_ORACLES = {
  "http-fault": { requirement: "T78", title: "every request is answered, and an HTTP 5xx always carries a SOAP fault" },
  "fault-code": { requirement: "T78", title: "every answer is SOAP, and every fault carries a WS-Trust, WS-Security or SOAP code of the version in use" },
  "no-token-unauthenticated": { requirement: "T80", title: "no token is issued when the requestor's authentication is wrong (password, user, expired Timestamp)" },
  "token-verifies": { requirement: "SAML-SIGNED", title: "every issued token verifies against the target's trust anchors with a strong algorithm" },
  audience: { requirement: "SAML-AUDIENCE", title: "an issued token's audience is the AppliesTo of the request" },
  "response-time": { requirement: "T78", title: "every answer comes within the time bound" },
  "xxe-canary": { requirement: "SAML-NO-DTD", title: "no external entity or DTD of a request is ever fetched (XXE canary)" },
  health: { requirement: "T78", title: "the target still issues a token to a valid request after the campaign" },
  "context-echo": { requirement: "T06", title: "every RSTR carries the Context of its RST" },
  "issue-response-shape": { requirement: "T29", title: "a successful Issue is answered with the version's final response (1.3: RSTRC under RSTRC/IssueFinal)" },
  scope: { requirement: "T33", title: "no token for an AppliesTo the target declares unregistered" },
  "request-type": { requirement: "T03", title: "no token for an RST without exactly one known RequestType" },
  "lifetime-range": { requirement: "T23", title: "no token for a requested Lifetime that ends before it starts" },
  "lifetime-consistent": { requirement: "T22", title: "the RSTR Lifetime is the token's validity window" },
  "attached-reference": { requirement: "T34", title: "RequestedAttachedReference names the issued token" },
  "proof-token": { requirement: "T38", title: "a SymmetricKey request without entropy gets a RequestedProofToken" },
  delegation: { requirement: "T64", title: "no token for an OnBehalfOf/ActAs token that does not verify" },
  "nonce-replay": { requirement: "UT-NONCE-REPLAY", title: "a replayed UsernameToken nonce gets no token" },
} as const;
export type StsOracleId = keyof typeof STS_ORACLES;
export const STS_ORACLE_IDS = Object.keys(STS_ORACLES) as StsOracleId[];

export interface Violation {
  oracle: string;
  requirement: string;
  message: string;
}

function kids(e: Element): Element[] {
  const out: Element[] = [];
  for (let c = e.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT_NODE) out.push(c as Element);
  return out;
}

function descendants(root: Element, pred: (e: Element) => boolean): Element[] {
  const out: Element[] = [];
  const stack = [root];
  while (stack.length) {
    const e = stack.pop()!;
    if (pred(e)) out.push(e);
    for (const k of kids(e)) stack.push(k);
  }
  return out;
}

const TRUST_NS: string[] = [NS.wst13, NS.wst2005];

/** Tokens anywhere in the answer (not only where a well-formed RSTR puts them: a broken answer still counts). */
function issuedTokens(ex: Exchange): Element[] {
  if (!ex.envelope || ex.fault) return [];
  return descendants(ex.envelope.body, (e) => TRUST_NS.includes(e.namespaceURI ?? "") && e.localName === "RequestedSecurityToken").flatMap((r) => kids(r).slice(0, 1));
}

function rstrs(ex: Exchange): RequestSecurityTokenResponse[] {
  const m = ex.message;
  if (m?.kind === "RSTR") return [m.message];
  if (m?.kind === "RSTRC") return m.message.responses;
  return [];
}

function isAssertion(e: Element): boolean {
  return e.localName === "Assertion" && (e.namespaceURI === NS.saml2 || e.namespaceURI === NS.saml11);
}

export interface JudgeOptions {
  maxResponseMs: number;
  /** Duration of the exchange. */
  ms: number;
  /** The endpoint's WS-Trust version. */
  version: TrustVersion;
  /** This is the second sending of the same message. */
  replayed?: boolean;
}

/** Every violation this exchange shows (empty: all oracles hold). */
export function judgeStsExchange(ex: Exchange, factsOf: () => MessageFacts, target: StsTarget, o: JudgeOptions): Violation[] {
  const out: Violation[] = [];
  const v = (oracle: StsOracleId, message: string) => out.push({ oracle, requirement: STS_ORACLES[oracle].requirement, message });
  if (o.ms > o.maxResponseMs) v("response-time", `the answer took ${Math.round(o.ms)} ms (bound ${o.maxResponseMs} ms)`);
  if (ex.transportError) {
    if (ex.transportError.kind === "timeout") v("response-time", `no answer: ${ex.transportError.message}`);
    else v("http-fault", `no usable answer: ${ex.transportError.kind}: ${ex.transportError.message}`);
    return out;
  }
  const res = ex.response!;
  if (res.status >= 500 && !ex.fault) v("http-fault", `HTTP ${res.status} (${res.contentType || "no content type"}) without a SOAP fault${ex.parseError ? `: ${ex.parseError}` : ""}`);
  if (ex.parseError && res.status !== 404) v("fault-code", `the answer (HTTP ${res.status}) is not a readable SOAP message: ${ex.parseError}`);
  if (ex.fault) {
    const f = ex.fault;
    const soapNs = ex.envelope!.version === "1.2" ? NS.s12 : NS.s11;
    const c = classifyFaultCode(f.code);
    const soapCodes = ["VersionMismatch", "MustUnderstand", "DataEncodingUnknown"];
    if (c?.family === "trust") {
      const want = TRUST[o.version].ns;
      if (f.code.ns !== want) v("fault-code", `the fault code ${f.codeText} is in ${f.code.ns}, not the endpoint's trust namespace ${want}`);
    } else if (!c && !(f.code.ns === soapNs && soapCodes.includes(f.code.local))) {
      v("fault-code", `the fault code {${f.code.ns}}${f.code.local} is neither a WS-Trust/WS-Security/WS-Federation code nor a SOAP ${ex.envelope!.version} one`);
    }
    if (ex.envelope!.version === "1.2" && !(f.topCode.ns === NS.s12 && ["Sender", "Receiver", ...soapCodes].includes(f.topCode.local))) {
      v("fault-code", `the SOAP 1.2 Code/Value ${f.topCode.local} is not Sender, Receiver or a SOAP code`);
    }
  }
  const tokens = issuedTokens(ex);
  if (!tokens.length && (ex.fault || !ex.message)) return out;
  const facts = factsOf();
  if (tokens.length) {
    if (facts.authWrong) v("no-token-unauthenticated", `a token was issued although ${facts.authWrong}`);
    if (o.replayed && facts.hasNonce && !facts.authWrong) v("nonce-replay", "the replayed message (same UsernameToken Nonce) got a token");
    facts.rsts.forEach((r, i) => {
      if (r.requestTypes.length === 0) v("request-type", "a token was issued for an RST without RequestType");
      else if (r.requestTypes.length > 1) v("request-type", `a token was issued for an RST with ${r.requestTypes.length} RequestTypes`);
      else if (!r.binding) v("request-type", `a token was issued for the unknown RequestType ${JSON.stringify(r.requestTypes[0]!.slice(0, 80))}`);
      if (r.appliesTo !== undefined && r.appliesTo === target.appliesTo.unregistered) v("scope", `a token was issued for the unregistered AppliesTo ${r.appliesTo}`);
      if (r.lifetime?.created !== undefined && r.lifetime.expires !== undefined && r.lifetime.expires <= r.lifetime.created) v("lifetime-range", "a token was issued for a requested Lifetime whose Expires is not after its Created");
      if (r.forgedDelegation) v("delegation", "a token was issued for an OnBehalfOf/ActAs holding an unsigned assertion");
    });
  }
  const responses = rstrs(ex);
  if (!ex.fault && ex.message) {
    facts.rsts.forEach((r, i) => {
      const rr = responses[i];
      if (r.context !== undefined && rr && rr.context !== r.context) v("context-echo", `RSTR ${i + 1} carries Context ${JSON.stringify(rr.context)} instead of ${JSON.stringify(r.context)}`);
    });
    const only = facts.rsts[0];
    if (facts.bodyKind === "RST" && only?.binding === "Issue" && tokens.length) {
      const T = TRUST[facts.version];
      const want = T.finalResponseAction("Issue");
      const kind = T.issueResponseIsCollection ? "RSTRC" : "RSTR";
      if (ex.message.kind !== kind) v("issue-response-shape", `the Issue answer's body is an ${ex.message.kind}, not an ${kind}`);
      if (ex.action !== undefined && ex.action !== want) v("issue-response-shape", `the Issue answer's Action is ${ex.action}, not ${want}`);
    }
  }
  // Token content: signature, audience, lifetime, references, proof.
  responses.forEach((rr, i) => {
    const tokenEl = rr.requestedSecurityToken?.element;
    if (!tokenEl || !isAssertion(tokenEl)) return;
    const req = facts.rsts[facts.bodyKind === "RSTC" ? i : 0];
    if (target.trustAnchors.length) {
      const res = verifyAssertion(tokenEl, target.trustAnchors);
      if (!res.ok) {
        const message = `the issued token does not verify: ${res.code}: ${res.reason}`;
        // A weak algorithm breaks the algorithm rule rather than the signing one.
        if (res.code === "weak-algorithm") out.push({ oracle: "token-verifies", requirement: "SAML-SIG-ALG", message });
        else v("token-verifies", message);
      }
      else {
        const a = res.assertion;
        if (req?.appliesTo !== undefined && !a.audiences.includes(req.appliesTo)) v("audience", `the token's audience ${JSON.stringify(a.audiences)} is not the AppliesTo ${req.appliesTo}`);
        if (rr.lifetime?.created !== undefined && rr.lifetime.expires !== undefined && (Math.abs(rr.lifetime.created - a.notBefore) > 1000 || Math.abs(rr.lifetime.expires - a.notOnOrAfter) > 1000)) {
          v("lifetime-consistent", `the RSTR Lifetime ${rr.lifetime.createdText}..${rr.lifetime.expiresText} differs from the token's ${new Date(a.notBefore).toISOString()}..${new Date(a.notOnOrAfter).toISOString()}`);
        }
        const ref = rr.requestedAttachedReference?.element;
        if (ref) {
          const keyIds = descendants(ref, (e) => e.namespaceURI === NS.wsse && e.localName === "KeyIdentifier").map((e) => (e.textContent ?? "").trim());
          const uris = descendants(ref, (e) => e.namespaceURI === NS.wsse && e.localName === "Reference").map((e) => (e.getAttribute("URI") ?? "").replace(/^#/, ""));
          if (![...keyIds, ...uris].includes(a.id)) v("attached-reference", `RequestedAttachedReference names ${JSON.stringify([...keyIds, ...uris])}, not the token's ${a.id}`);
        }
      }
    }
    if (req?.binding === "Issue" && req.keyType !== undefined && keyTypeName(req.keyType) === "SymmetricKey" && !req.hasEntropy && !rr.requestedProofToken) {
      v("proof-token", "a SymmetricKey request without Entropy got a token but no RequestedProofToken");
    }
  });
  return out;
}
