// Issue binding (WS-Trust 1.3 §4, 2005 §6): response shape, echoes, tokens per token type x key type x version.
import { DSIG, NS, SAML_KEY_IDENTIFIER_VALUE_TYPE, TOKEN_TYPES, TRUST, type TrustVersion } from "../../protocol/namespaces.ts";
import { children } from "../../protocol/xml/dom.ts";
import type { CaseContext, CaseDefinition } from "../case.ts";
import { expectFault, issueRst, requireRstr, requireSignedByTarget, requireToken, rstrOf, wstCode } from "./support.ts";
import {
  ISSUE_VERSIONS,
  bodyTrustElements,
  requireNoFault,
  samlVersionOfToken,
  samlVersionOfTokenTypeUri,
  someTokenType,
  tokenTypeUri,
} from "./issue-support.ts";

const v = (version: TrustVersion) => ({ kind: "version" as const, version });

export const ISSUE_CASES: CaseDefinition[] = [
  {
    id: "ws-trust/issue/1.3-final-response-is-rstrc",
    title: "A 1.3 Issue is answered with an RSTRC under the RSTRC/IssueFinal action",
    requirements: ["T29"],
    needs: [v("1.3"), { kind: "operation", operation: "Issue" }],
    async run(t: CaseContext) {
      const ex = await t.client({ version: "1.3" }).send(issueRst(t, "1.3"));
      requireToken(t, ex);
      t.check(ex.message?.kind === "RSTRC", `the body is a bare ${ex.message?.kind}, not a RequestSecurityTokenResponseCollection`);
      t.check(ex.action === TRUST["1.3"].finalResponseAction("Issue"), `the response Action is ${ex.action ?? "(none)"}, not ${TRUST["1.3"].finalResponseAction("Issue")}`);
    },
  },
  {
    id: "ws-trust/issue/2005-response-is-bare-rstr",
    title: "A February 2005 Issue is answered with a bare RSTR under .../2005/02/trust/RSTR/Issue",
    requirements: ["T82"],
    needs: [v("2005"), { kind: "operation", operation: "Issue" }],
    async run(t: CaseContext) {
      const ex = await t.client({ version: "2005" }).send(issueRst(t, "2005"));
      requireToken(t, ex);
      t.check(ex.message?.kind === "RSTR", `the body is ${ex.message?.kind}, not a bare RequestSecurityTokenResponse`);
      t.check(ex.action === TRUST["2005"].finalResponseAction("Issue"), `the response Action is ${ex.action ?? "(none)"}`);
    },
  },
  {
    id: "ws-trust/issue/context-echo",
    title: "The RSTR carries the RST's Context attribute unchanged",
    requirements: ["T06"],
    needs: [v("1.3")],
    async run(t: CaseContext) {
      const context = `urn:uuid:${crypto.randomUUID()}`;
      const { rstr } = requireToken(t, await t.client({ version: "1.3" }).send(issueRst(t, "1.3", { context })));
      t.check(rstr.context === context, `RSTR Context is ${JSON.stringify(rstr.context)}, the RST sent ${context}`);
    },
  },
  {
    id: "ws-trust/issue/token-signed",
    title: "The issued assertion is signed by the STS and the signature verifies against its certificate",
    requirements: ["SAML-SIGNED"],
    needs: [v("1.3")],
    async run(t: CaseContext) {
      const { assertion, token } = requireToken(t, await t.client({ version: "1.3" }).send(issueRst(t, "1.3")));
      t.check(assertion.hasSignature, "the issued assertion carries no ds:Signature");
      requireSignedByTarget(t, token);
    },
  },
  {
    id: "ws-trust/issue/audience-is-applies-to",
    title: "The assertion's AudienceRestriction names the AppliesTo address",
    requirements: ["SAML-AUDIENCE"],
    needs: [v("1.3")],
    async run(t: CaseContext) {
      const { assertion } = requireToken(t, await t.client({ version: "1.3" }).send(issueRst(t, "1.3")));
      t.check(assertion.audiences.includes(t.target.appliesTo.registered), `audiences are [${assertion.audiences.join(", ")}], not ${t.target.appliesTo.registered}`);
    },
  },
  {
    id: "ws-trust/issue/token-type-saml11",
    title: "Asking for SAML 1.1 returns a SAML 1.1 assertion (MajorVersion 1, MinorVersion 1)",
    requirements: ["T11"],
    needs: [v("1.3"), { kind: "tokenType", tokenType: "saml11" }],
    async run(t: CaseContext) {
      const { token, rstr } = requireToken(t, await t.client({ version: "1.3" }).send(issueRst(t, "1.3", { tokenType: TOKEN_TYPES.saml11 })));
      t.check(token.namespaceURI === NS.saml11, `the token is in ${token.namespaceURI}, not the SAML 1.0/1.1 assertion namespace`);
      t.check(rstr.tokenType === undefined || rstr.tokenType === TOKEN_TYPES.saml11 || rstr.tokenType === TOKEN_TYPES.saml11Alias, `RSTR TokenType ${rstr.tokenType} does not name SAML 1.1`, "T12");
    },
  },
  {
    id: "ws-trust/issue/2005-context-echo",
    title: "A February 2005 RSTR carries the RST's Context attribute unchanged",
    requirements: ["T06"],
    needs: [v("2005")],
    async run(t: CaseContext) {
      const context = `urn:uuid:${crypto.randomUUID()}`;
      const { rstr } = requireToken(t, await t.client({ version: "2005" }).send(issueRst(t, "2005", { context })));
      t.check(rstr.context === context, `RSTR Context is ${JSON.stringify(rstr.context)}, the RST sent ${context}`);
    },
  },
  {
    id: "ws-trust/issue/1.3-rstrc-has-no-context",
    title: "The RSTRC element carries no Context attribute of its own; the Context sits on each RSTR",
    requirements: ["T07"],
    needs: [v("1.3")],
    async run(t: CaseContext) {
      const context = `urn:uuid:${crypto.randomUUID()}`;
      const ex = await t.client({ version: "1.3" }).send(issueRst(t, "1.3", { context }));
      requireToken(t, ex);
      const body = ex.envelope!.bodyChild!;
      t.check(body.localName === "RequestSecurityTokenResponseCollection", `the body is ${body.localName}, not an RSTRC`, "T29");
      t.check(!body.hasAttribute("Context"), `the RSTRC element carries Context="${body.getAttribute("Context")}"; only its RSTRs may`);
    },
  },
  ...ISSUE_VERSIONS.flatMap((version): CaseDefinition[] => [
    {
      id: `ws-trust/issue/${version}-token-type-names-returned-token`,
      title: `WS-Trust ${version}: the RSTR's TokenType, when present, names the type of the token actually returned`,
      requirements: ["T12"],
      needs: [v(version)],
      async run(t: CaseContext) {
        for (const tt of t.target.capabilities.tokenTypes) {
          const { rstr, token } = requireToken(t, await t.client({ version }).send(issueRst(t, version, { tokenType: tokenTypeUri(tt) })));
          if (rstr.tokenType === undefined) {
            t.info(`no TokenType in the RSTR for a ${tt} request`);
            continue;
          }
          const named = samlVersionOfTokenTypeUri(rstr.tokenType);
          const returned = samlVersionOfToken(token);
          t.check(named !== undefined && named === returned, `RSTR TokenType ${rstr.tokenType} does not name the returned {${token.namespaceURI}}${token.localName}`);
        }
      },
    },
    {
      id: `ws-trust/issue/${version}-applies-to-echo`,
      title: `WS-Trust ${version}: an AppliesTo returned in the RSTR names the scope the RST asked for`,
      requirements: ["T13"],
      needs: [v(version)],
      async run(t: CaseContext) {
        const { rstr } = requireToken(t, await t.client({ version }).send(issueRst(t, version)));
        if (!rstr.appliesTo) {
          t.info("the RSTR returns no AppliesTo");
          return;
        }
        t.check(rstr.appliesTo.address === t.target.appliesTo.registered, `RSTR AppliesTo is ${rstr.appliesTo.address ?? "(no wsa:Address)"}, the RST asked for ${t.target.appliesTo.registered}`);
      },
    },
    {
      id: `ws-trust/issue/${version}-requested-security-token-one-child`,
      title: `WS-Trust ${version}: RequestedSecurityToken holds exactly one element, the token or a reference to it`,
      requirements: ["T14"],
      needs: [v(version)],
      async run(t: CaseContext) {
        const ex = await t.client({ version }).send(issueRst(t, version));
        requireNoFault(t, ex);
        const rsts = bodyTrustElements(ex, version, "RequestedSecurityToken");
        t.check(rsts.length > 0, "the response carries no RequestedSecurityToken");
        for (const r of rsts) {
          const kids = children(r);
          t.check(kids.length === 1, `RequestedSecurityToken holds ${kids.length} elements (${kids.map((k) => k.localName).join(", ") || "none"}), not exactly one`);
        }
      },
    },
    {
      id: `ws-trust/issue/${version}-neither-token-type-nor-applies-to`,
      title: `WS-Trust ${version}: an Issue RST with neither TokenType nor AppliesTo (what the STS does is recorded)`,
      requirements: ["T19"],
      needs: [v(version)],
      async run(t: CaseContext) {
        const ex = t.answered(await t.client({ version }).send(issueRst(t, version, { tokenType: undefined, appliesTo: undefined })));
        if (ex.fault) {
          t.info(`refused with the fault ${ex.fault.code.local} (${ex.fault.reason.slice(0, 120)})`);
          return;
        }
        const token = rstrOf(ex)?.requestedSecurityToken?.element;
        if (!token) {
          t.info(`answered HTTP ${ex.response?.status} with ${ex.message?.kind ?? ex.parseError ?? "no WS-Trust body"} and no token`);
          return;
        }
        t.info(`issued a default token {${token.namespaceURI}}${token.localName}`);
      },
    },
    {
      id: `ws-trust/issue/${version}-pinned-relying-party-wins`,
      title: `WS-Trust ${version}: when TokenType and AppliesTo disagree, the token type the relying party requires wins`,
      requirements: ["T20"],
      needs: [v(version), { kind: "pinnedSaml11" }, { kind: "tokenType", tokenType: "saml11" }, { kind: "tokenType", tokenType: "saml20" }],
      async run(t: CaseContext) {
        const rst = issueRst(t, version, { tokenType: TOKEN_TYPES.saml20, appliesTo: { address: t.target.appliesTo.pinnedSaml11! } });
        const { token, rstr } = requireToken(t, await t.client({ version }).send(rst));
        t.check(token.namespaceURI === NS.saml11, `asked for SAML 2.0 for ${t.target.appliesTo.pinnedSaml11}, which is pinned to SAML 1.1, and got {${token.namespaceURI}}${token.localName}`);
        t.check(rstr.tokenType === undefined || samlVersionOfTokenTypeUri(rstr.tokenType) === "1.1", `RSTR TokenType ${rstr.tokenType} does not name the SAML 1.1 token returned`, "T12");
      },
    },
    {
      id: `ws-trust/issue/${version}-success-carries-token-or-proof`,
      title: `WS-Trust ${version}: a successful final Issue response carries RequestedSecurityToken, RequestedProofToken or both`,
      requirements: ["T31"],
      needs: [v(version)],
      async run(t: CaseContext) {
        const rstr = requireRstr(t, await t.client({ version }).send(issueRst(t, version)));
        t.check(rstr.requestedSecurityToken || rstr.requestedProofToken, "the RSTR carries neither RequestedSecurityToken nor RequestedProofToken");
      },
    },
    {
      id: `ws-trust/issue/${version}-unregistered-scope-faults`,
      title: `WS-Trust ${version}: an AppliesTo the STS cannot issue for is refused with wst:InvalidScope`,
      requirements: ["T33"],
      needs: [v(version)],
      async run(t: CaseContext) {
        const ex = await t.client({ version }).send(issueRst(t, version, { appliesTo: { address: t.target.appliesTo.unregistered } }));
        expectFault(t, ex, [wstCode(version, "InvalidScope")]);
      },
    },
    ...(["saml11", "saml20"] as const).map(
      (tt): CaseDefinition => ({
        id: `ws-trust/issue/${version}-${tt}-attached-reference`,
        title: `WS-Trust ${version}, ${tt === "saml11" ? "SAML 1.1" : "SAML 2.0"}: RequestedAttachedReference is one STR whose KeyIdentifier names the assertion ID with the SAML token profile ValueType and TokenType`,
        requirements: ["T34"],
        needs: [v(version), { kind: "tokenType", tokenType: tt }],
        async run(t: CaseContext) {
          const { rstr, assertion } = requireToken(t, await t.client({ version }).send(issueRst(t, version, { tokenType: tokenTypeUri(tt) })));
          const str = rstr.requestedAttachedReference?.element;
          if (!str) t.skip("the RSTR has no RequestedAttachedReference (judged by the T35 case)");
          t.check(str.namespaceURI === NS.wsse && str.localName === "SecurityTokenReference", `RequestedAttachedReference holds {${str.namespaceURI}}${str.localName}, not a wsse:SecurityTokenReference`);
          const kids = children(str, NS.wsse, "KeyIdentifier");
          t.check(kids.length === 1, `the STR holds ${kids.length} wsse:KeyIdentifier elements, not one`);
          const ki = kids[0]!;
          const value = (ki.textContent ?? "").trim();
          t.check(value === assertion.id, `the KeyIdentifier names ${JSON.stringify(value)}, the assertion's ID is ${assertion.id}`);
          const valueType = SAML_KEY_IDENTIFIER_VALUE_TYPE[assertion.version];
          t.check(ki.getAttribute("ValueType") === valueType, `KeyIdentifier ValueType is ${ki.getAttribute("ValueType") || "(absent)"}, not ${valueType}`);
          const tokenType = assertion.version === "2.0" ? TOKEN_TYPES.saml20 : TOKEN_TYPES.saml11;
          const sent = str.getAttributeNS(NS.wsse11, "TokenType");
          t.check(sent === tokenType, `the STR's wsse11:TokenType is ${sent || "(absent)"}, not ${tokenType}`);
        },
      }),
    ),
    {
      id: `ws-trust/issue/${version}-token-referenceable-by-id`,
      title: `WS-Trust ${version}: without a RequestedAttachedReference the token carries an ID usable as a URI fragment`,
      requirements: ["T35"],
      needs: [v(version)],
      async run(t: CaseContext) {
        const { rstr, token } = requireToken(t, await t.client({ version }).send(issueRst(t, version)));
        if (rstr.requestedAttachedReference) {
          t.info("the RSTR carries a RequestedAttachedReference, so the token need not be referenceable by ID");
          return;
        }
        const id = token.getAttribute("ID") || token.getAttribute("AssertionID") || token.getAttributeNS(NS.wsu, "Id");
        t.check(id, "the RSTR has no RequestedAttachedReference and the token carries no ID, AssertionID or wsu:Id");
      },
    },
    {
      id: `ws-trust/issue/${version}-unattached-reference`,
      title: `WS-Trust ${version}: RequestedUnattachedReference holds one STR that identifies the issued token`,
      requirements: ["T36"],
      needs: [v(version)],
      async run(t: CaseContext) {
        const ex = await t.client({ version }).send(issueRst(t, version));
        requireNoFault(t, ex);
        const wrappers = bodyTrustElements(ex, version, "RequestedUnattachedReference");
        if (wrappers.length === 0) {
          t.info("the RSTR carries no RequestedUnattachedReference");
          return;
        }
        for (const w of wrappers) {
          const kids = children(w);
          t.check(kids.length === 1, `RequestedUnattachedReference holds ${kids.length} elements, not exactly one`);
          t.check(kids[0]!.namespaceURI === NS.wsse && kids[0]!.localName === "SecurityTokenReference", `RequestedUnattachedReference holds {${kids[0]!.namespaceURI}}${kids[0]!.localName}, not a wsse:SecurityTokenReference`);
        }
        const { rstr, assertion } = requireToken(t, ex);
        const str = rstr.requestedUnattachedReference!.element!;
        const named = [
          ...children(str, NS.wsse, "KeyIdentifier").map((k) => (k.textContent ?? "").trim()),
          ...children(str, NS.wsse, "Reference").map((r) => (r.getAttribute("URI") ?? "").replace(/^#/, "")),
        ];
        t.check(named.includes(assertion.id), `the STR names [${named.join(", ")}], not the issued assertion ${assertion.id}`);
      },
    },
    {
      id: `ws-trust/issue/${version}-batch-one-rstr-per-rst`,
      title: `WS-Trust ${version}: a batch RSTC of two RSTs is answered by an RSTRC with one RSTR per RST, in order, each echoing its Context`,
      requirements: ["T28", "T27"],
      needs: [v(version), { kind: "operation", operation: "Batch" }],
      async run(t: CaseContext) {
        const types = t.target.capabilities.tokenTypes.length > 1 ? (["saml20", "saml11"] as const) : ([someTokenType(t), someTokenType(t)] as const);
        const contexts = [`urn:uuid:${crypto.randomUUID()}`, `urn:uuid:${crypto.randomUUID()}`];
        const requests = types.map((tt, i) => issueRst(t, version, { tokenType: tokenTypeUri(tt), context: contexts[i] }));
        let ex = await t.client({ version }).send({ version, requests });
        if (t.answered(ex).fault) {
          // The 200512 namespace also defines .../BatchIssue (the request type and action some STSs insist on in a
          // batch); which of the two a batch must use is not settled by the digest, so either form is accepted.
          const batch = `${TRUST[version].base}/BatchIssue`;
          const first = ex.fault!.code.local;
          ex = await t.client({ version }).send({ version, requests: requests.map((r) => ({ ...r, requestType: batch })) }, { action: batch });
          if (!ex.fault) t.info(`the batch was refused with RequestType Issue (${first}) and answered with BatchIssue`);
        }
        requireRstr(t, ex);
        t.check(ex.message?.kind === "RSTRC", `a batch was answered with a ${ex.message?.kind}, not an RSTRC`);
        const responses = ex.message.message.responses;
        t.check(responses.length === 2, `the RSTRC holds ${responses.length} RSTRs for 2 RSTs`);
        responses.forEach((r, i) => {
          t.check(r.context === contexts[i], `RSTR #${i + 1} carries Context ${JSON.stringify(r.context)}, RST #${i + 1} sent ${contexts[i]}`, "T06");
          const token = r.requestedSecurityToken?.element;
          t.check(token, `RSTR #${i + 1} carries no RequestedSecurityToken`);
          const want = types[i] === "saml11" ? NS.saml11 : NS.saml2;
          t.check(token.namespaceURI === want, `RSTR #${i + 1} holds {${token.namespaceURI}}${token.localName}; RST #${i + 1} asked for ${types[i]} (responses out of order?)`);
        });
      },
    },
  ]),
  ...(["saml11", "saml20"] as const).map(
    (tt): CaseDefinition => ({
      id: `ws-trust/issue/${tt}-signature-algorithms`,
      title: `The ${tt === "saml11" ? "SAML 1.1" : "SAML 2.0"} assertion is signed with RSA-SHA256 or stronger and digested with SHA-256 or stronger`,
      requirements: ["SAML-SIG-ALG"],
      needs: [v("1.3"), { kind: "tokenType", tokenType: tt }],
      async run(t: CaseContext) {
        const { token } = requireToken(t, await t.client({ version: "1.3" }).send(issueRst(t, "1.3", { tokenType: tokenTypeUri(tt) })));
        const sigs = children(token, NS.ds, "Signature");
        t.check(sigs.length === 1, `the assertion carries ${sigs.length} ds:Signature children, not one`, "SAML-SIGNED");
        const signedInfo = children(sigs[0]!, NS.ds, "SignedInfo")[0];
        t.check(signedInfo, "the ds:Signature has no ds:SignedInfo", "SAML-SIGNED");
        const method = children(signedInfo, NS.ds, "SignatureMethod")[0]?.getAttribute("Algorithm") ?? "(none)";
        t.check(STRONG_SIGNATURE_METHODS.includes(method), `SignatureMethod is ${method}, weaker than rsa-sha256 or unknown`);
        const refs = children(signedInfo, NS.ds, "Reference");
        t.check(refs.length > 0, "SignedInfo has no Reference");
        for (const r of refs) {
          const digest = children(r, NS.ds, "DigestMethod")[0]?.getAttribute("Algorithm") ?? "(none)";
          t.check(STRONG_DIGEST_METHODS.includes(digest), `DigestMethod is ${digest}, weaker than sha256 or unknown`);
        }
      },
    }),
  ),
];

const STRONG_SIGNATURE_METHODS: string[] = [
  DSIG.rsaSha256,
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
  DSIG.rsaSha512,
  "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
  "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
  "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
  "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
  "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1",
  "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1",
];

const STRONG_DIGEST_METHODS: string[] = [DSIG.sha256, "http://www.w3.org/2001/04/xmldsig-more#sha384", DSIG.sha512];
