// Malformed and mismatched requests (WS-Trust 1.3 §3.1, §4.1, §11), the encoding of a refusal as a SOAP fault of the
// request's SOAP version, answers in the request's SOAP version, and XML safety (a DOCTYPE is refused).
import { NS, TRUST, type TrustVersion } from "../../protocol/namespaces.ts";
import { classifyFaultCode } from "../../protocol/faults.ts";
import type { SoapVersion } from "../../protocol/soap.ts";
import type { CaseContext, CaseDefinition } from "../case.ts";
import { LIFECYCLE_VERSIONS, edit, expectRefusal, needOperation, needVersion, soapSenderCode, wsse, wst } from "./lifecycle-support.ts";
import { issueRst, requireToken } from "./support.ts";

const needSoap = (soap: SoapVersion) => ({ kind: "soap" as const, soap });
const BOGUS_REQUEST_TYPE = "urn:wsconform:bogus-request-type";

function requestCases(v: TrustVersion): CaseDefinition[] {
  const T = TRUST[v];
  const needs = [needVersion(v), needOperation("Issue")];
  return [
    {
      id: `ws-trust/faults/${v}-missing-request-type`,
      title: `A ${v} RST without wst:RequestType is refused with wst:InvalidRequest`,
      requirements: ["T03"],
      needs,
      async run(t: CaseContext) {
        const ex = await t.client({ version: v }).send(issueRst(t, v), {
          mutate: (x) => edit(x, /<(?:[A-Za-z_][\w.-]*:)?RequestType>[^<]*<\/(?:[A-Za-z_][\w.-]*:)?RequestType>/, ""),
        });
        expectRefusal(t, ex, wst(v, "InvalidRequest", "BadRequest"), { preferred: wst(v, "InvalidRequest")[0], what: "an RST without RequestType" });
      },
    },
    {
      id: `ws-trust/faults/${v}-unknown-request-type`,
      title: `A ${v} RST whose RequestType is not a binding's URI is not processed: fault`,
      requirements: ["T04"],
      needs,
      async run(t: CaseContext) {
        const ex = await t.client({ version: v }).send(issueRst(t, v, { requestType: BOGUS_REQUEST_TYPE }), { action: T.requestAction("Issue") });
        expectRefusal(t, ex, wst(v, "InvalidRequest", "BadRequest"), { what: `an RST with RequestType ${BOGUS_REQUEST_TYPE}` });
      },
    },
    {
      id: `ws-trust/faults/${v}-unknown-rst-element`,
      title: `A ${v} RST with a child element the STS does not understand should be refused with a fault`,
      requirements: ["T08"],
      needs,
      async run(t: CaseContext) {
        const ex = await t.client({ version: v }).send(issueRst(t, v), {
          mutate: (x) => edit(x, /<\/((?:[A-Za-z_][\w.-]*:)?)RequestSecurityToken>/, '<x:NotUnderstood xmlns:x="urn:wsconform:unknown-element">1</x:NotUnderstood></$1RequestSecurityToken>'),
        });
        expectRefusal(t, ex, wst(v, "InvalidRequest", "BadRequest"), { what: "an RST with an unknown child element {urn:wsconform:unknown-element}NotUnderstood" });
      },
    },
    {
      id: `ws-trust/faults/${v}-unknown-rst-attribute`,
      title: `A ${v} RST with an attribute the STS does not understand should be refused with a fault`,
      requirements: ["T09"],
      needs,
      async run(t: CaseContext) {
        const ex = await t.client({ version: v }).send(issueRst(t, v), {
          mutate: (x) => edit(x, /<((?:[A-Za-z_][\w.-]*:)?)RequestSecurityToken(?=[\s>])/, '<$1RequestSecurityToken xmlns:x="urn:wsconform:unknown-attribute" x:NotUnderstood="1"'),
        });
        expectRefusal(t, ex, wst(v, "InvalidRequest", "BadRequest"), { what: "an RST with an unknown attribute {urn:wsconform:unknown-attribute}NotUnderstood" });
      },
    },
    {
      id: `ws-trust/faults/${v}-action-mismatch`,
      title: `A ${v} Issue RST sent under the RST/Validate action is refused: Action and RequestType must agree`,
      requirements: ["T18"],
      needs,
      async run(t: CaseContext) {
        const ex = await t.client({ version: v }).send(issueRst(t, v), { action: T.requestAction("Validate") });
        expectRefusal(t, ex, wst(v, "InvalidRequest", "BadRequest"), { what: `an Issue RST under the action ${T.requestAction("Validate")}` });
      },
    },
    ...(["1.1", "1.2"] as SoapVersion[]).map(
      (soap): CaseDefinition => ({
        id: `ws-trust/faults/${v}-soap${soap}-fault-encoding`,
        title:
          soap === "1.1"
            ? `A ${v} refusal over SOAP 1.1 is a SOAP 1.1 fault whose faultcode is a wst QName of the ${v} namespace, with HTTP 500`
            : `A ${v} refusal over SOAP 1.2 is a SOAP 1.2 fault with Code Sender/Receiver and a wst QName Subcode of the ${v} namespace, with HTTP 400 or 500`,
        requirements: ["T78"],
        needs: [...needs, needSoap(soap)],
        async run(t: CaseContext) {
          const ex = await t.client({ version: v, soap }).send(issueRst(t, v, { requestType: BOGUS_REQUEST_TYPE }), { action: T.requestAction("Issue") });
          t.answered(ex);
          t.check(!ex.message || ex.fault, `the target accepted an RST with RequestType ${BOGUS_REQUEST_TYPE}, so no fault could be examined (it answered ${ex.message?.kind})`, "T04");
          const res = ex.response!;
          t.check(ex.fault, `the refusal is not a SOAP fault: HTTP ${res.status} ${res.contentType} (${ex.parseError?.slice(0, 200) ?? "no fault"})`);
          const f = ex.fault;
          t.check(ex.envelope?.version === soap, `a SOAP ${soap} request was answered with a SOAP ${ex.envelope?.version} fault`);
          const trustCode = soap === "1.1" ? f.topCode : f.subcodes[0];
          t.check(trustCode, `the SOAP 1.2 fault has no Subcode; Code/Value is ${f.topCode.local}, the WS-Trust QName belongs in Code/Subcode/Value`);
          const cls = classifyFaultCode(trustCode);
          t.check(
            cls?.family === "trust" && trustCode.ns === T.ns,
            `the fault code is {${trustCode.ns}}${trustCode.local}, not one of the WS-Trust §11 codes in the ${v} namespace ${T.ns}`,
          );
          if (soap === "1.1") {
            t.check(res.status === 500, `a SOAP 1.1 fault must come with HTTP 500; the target answered HTTP ${res.status}`);
            t.check(/^text\/xml\b/i.test(res.contentType), `a SOAP 1.1 fault's Content-Type is ${res.contentType}, not text/xml`);
          } else {
            const expectedTop = trustCode.local === "RequestFailed" ? ["Receiver"] : ["Sender"];
            t.check(
              f.topCode.ns === NS.s12 && expectedTop.includes(f.topCode.local),
              `Code/Value is {${f.topCode.ns}}${f.topCode.local}; a ${trustCode.local} fault is the ${trustCode.local === "RequestFailed" ? "receiver's" : "sender's"} error (env:${expectedTop[0]})`,
            );
            t.check(res.status === 400 || res.status === 500, `a SOAP 1.2 fault must come with HTTP 400 (Sender) or 500 (Receiver); the target answered HTTP ${res.status}`);
            t.check(/^application\/soap\+xml\b/i.test(res.contentType), `a SOAP 1.2 fault's Content-Type is ${res.contentType}, not application/soap+xml`);
          }
        },
      }),
    ),
    {
      id: `ws-trust/faults/${v}-doctype-refused`,
      title: `A ${v} request carrying a DOCTYPE (internal entity) is refused with a SOAP fault, not processed`,
      requirements: ["T78"],
      needs,
      async run(t: CaseContext) {
        const soap: SoapVersion = t.target.capabilities.soapVersions.includes("1.2") ? "1.2" : "1.1";
        const doctype = '<!DOCTYPE Envelope [<!ENTITY wsconform "wsconform">]>';
        const ex = await t.client({ version: v, soap }).send(issueRst(t, v), {
          mutate: (x) => (x.startsWith("<?xml") ? x.replace(/^(<\?xml[^>]*\?>)/, `$1${doctype}`) : `${doctype}${x}`),
        });
        expectRefusal(t, ex, [...wst(v, "InvalidRequest", "BadRequest"), ...wsse("InvalidSecurity"), soapSenderCode(soap)], { what: "a message with a DOCTYPE" });
      },
    },
  ];
}

const versionCases: CaseDefinition[] = [
  {
    id: "ws-trust/faults/1.3-endpoint-refuses-2005-rst",
    title: "The 1.3 endpoint refuses an RST in the February 2005 namespace: 1.3 messages are in .../ws-trust/200512",
    requirements: ["T01"],
    needs: [needVersion("1.3"), needOperation("Issue")],
    async run(t: CaseContext) {
      const ex = await t.client({ version: "1.3" }).send(issueRst(t, "2005"), { action: TRUST["2005"].requestAction("Issue") });
      t.check(ex.request.includes(`xmlns:t="${NS.wst2005}"`) && !ex.request.includes(NS.wst13), "harness: the request is not a 2005 RST");
      expectRefusal(t, ex, [...wst("1.3", "InvalidRequest", "BadRequest"), ...wst("2005", "InvalidRequest", "BadRequest")], {
        what: "a February 2005 RST at its WS-Trust 1.3 endpoint",
      });
    },
  },
  ...(["1.1", "1.2"] as SoapVersion[]).map(
    (soap): CaseDefinition => ({
      id: `ws-trust/soap/${soap}-answered-in-${soap}`,
      title: `A SOAP ${soap} Issue request is answered in SOAP ${soap} (${soap === "1.1" ? "text/xml" : "application/soap+xml"})`,
      requirements: ["T29"],
      needs: [needVersion("1.3"), needOperation("Issue"), needSoap(soap)],
      async run(t: CaseContext) {
        const ex = await t.client({ version: "1.3", soap }).send(issueRst(t, "1.3"));
        requireToken(t, ex);
        t.check(ex.envelope?.version === soap, `a SOAP ${soap} request was answered in SOAP ${ex.envelope?.version}`);
        const ct = ex.response!.contentType;
        t.check(soap === "1.1" ? /^text\/xml\b/i.test(ct) : /^application\/soap\+xml\b/i.test(ct), `the answer's Content-Type ${ct} does not match SOAP ${soap}`);
      },
    }),
  ),
];

export const FAULT_CASES: CaseDefinition[] = [...versionCases, ...LIFECYCLE_VERSIONS.flatMap(requestCases)];
