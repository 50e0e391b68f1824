import { describe, expect, it } from "vitest";
import { NS } from "../../protocol/namespaces.ts";
import { TRUST_FAULTS, WSSE_FAULTS, FED_FAULTS, classifyFaultCode, fedFault, trustFault, wsseFault } from "../../protocol/faults.ts";
import {
  SoapError,
  WSA_FAULT_ACTION,
  buildEnvelope,
  buildFaultEnvelope,
  isMustUnderstand,
  parseEnvelope,
  parseFault,
  soapFault,
  soapNamespace,
} from "../../protocol/soap.ts";
import { buildAddressingHeaders, parseAddressingHeaders } from "../../protocol/wsa.ts";
import { ModelError } from "../../protocol/xml/dom.ts";
import { XmlError } from "../../protocol/xml/safe-parse.ts";
import { el, raw } from "../../protocol/xml/writer.ts";

const S12 = NS.s12;
const S11 = NS.s11;

function env12(inner: string, extraNs = ""): string {
  return `<s:Envelope xmlns:s="${S12}"${extraNs}>${inner}</s:Envelope>`;
}

describe("SOAP envelopes", () => {
  it("builds and parses SOAP 1.2 with headers and one body child", () => {
    const xml = buildEnvelope({
      version: "1.2",
      headers: buildAddressingHeaders({ action: "urn:act", messageId: "urn:uuid:1", to: "https://sts/x" }),
      body: el("wst:RequestSecurityToken", { Context: "c" }),
    });
    expect(xml.startsWith(`<s:Envelope xmlns:s="${S12}"><s:Header>`)).toBe(true);
    const env = parseEnvelope(xml);
    expect(env.version).toBe("1.2");
    expect(env.headers.map((h) => h.localName)).toEqual(["Action", "MessageID", "To"]);
    expect(env.bodyChild?.localName).toBe("RequestSecurityToken");
    expect(env.bodyChild?.namespaceURI).toBe(NS.wst13);
    expect(isMustUnderstand(env.headers[0]!, "1.2")).toBe(true);
    expect(isMustUnderstand(env.headers[1]!, "1.2")).toBe(false);
    expect(isMustUnderstand(env.headers[2]!, "1.2")).toBe(true);
    expect(parseAddressingHeaders(env.headers)).toEqual({
      action: "urn:act",
      messageId: "urn:uuid:1",
      to: "https://sts/x",
      namespace: NS.wsa,
    });
  });

  it("builds SOAP 1.1 with the s11 prefix and mustUnderstand in the 1.1 namespace; no Header when none", () => {
    const xml = buildEnvelope({
      version: "1.1",
      headers: buildAddressingHeaders({ action: "urn:a" }, { soapVersion: "1.1" }),
      body: el("wst:RequestSecurityToken"),
    });
    expect(xml).toContain(`s11:mustUnderstand="1"`);
    const env = parseEnvelope(Buffer.from(xml));
    expect(env.version).toBe("1.1");
    expect(isMustUnderstand(env.headers[0]!, "1.1")).toBe(true);
    const bare = buildEnvelope({ version: "1.1", body: [] });
    expect(bare).toBe(`<s11:Envelope xmlns:s11="${S11}"><s11:Body></s11:Body></s11:Envelope>`);
    expect(parseEnvelope(bare).bodyChild).toBeUndefined();
  });

  it("binds the SOAP prefix when a custom prefix map lacks it", () => {
    const xml = buildEnvelope({ version: "1.2", body: el("x:A"), prefixes: { x: "urn:x" } });
    expect(parseEnvelope(xml).bodyChild?.namespaceURI).toBe("urn:x");
  });

  it("mustUnderstand can be switched off for Action and To", () => {
    const h = buildAddressingHeaders({ action: "a", to: "t" }, { mustUnderstandAction: false, mustUnderstandTo: false });
    const env = parseEnvelope(buildEnvelope({ version: "1.2", headers: h, body: [] }));
    expect(env.headers.some((x) => isMustUnderstand(x, "1.2"))).toBe(false);
  });

  it("refuses non-SOAP roots, unknown envelope namespaces (VersionMismatch), and bad structure", () => {
    const err = (s: string): SoapError | ModelError | XmlError => {
      try {
        parseEnvelope(s);
      } catch (e) {
        if (e instanceof ModelError || e instanceof XmlError) return e;
        throw e;
      }
      throw new Error("accepted");
    };
    expect(err("<a/>")).toBeInstanceOf(SoapError);
    const vm = err(`<e:Envelope xmlns:e="urn:soap:bogus"><e:Body/></e:Envelope>`);
    expect(vm).toBeInstanceOf(SoapError);
    expect((vm as SoapError).versionMismatch).toBe(true);
    expect((vm as SoapError).name).toBe("SoapError");
    expect(err(env12("<s:Header/>"))).toBeInstanceOf(SoapError); // no Body
    expect(err(env12("<s:Body/><s:Header/>"))).toBeInstanceOf(SoapError); // Header after Body
    expect(err(env12("<s:Header/><s:Header/><s:Body/>"))).toBeInstanceOf(SoapError);
    expect(err(env12("<s:Body/><s:Body/>"))).toBeInstanceOf(SoapError);
    expect(err(env12("<s:Body/><x/>"))).toBeInstanceOf(SoapError);
    expect(err(env12("text<s:Body/>"))).toBeInstanceOf(SoapError);
    expect(err(env12("<s:Body>text</s:Body>"))).toBeInstanceOf(SoapError);
    expect(err(env12("<s:Body><a/><b/></s:Body>"))).toBeInstanceOf(ModelError);
    expect(err(env12("<s:Body><?pi x?><a/></s:Body>"))).toBeInstanceOf(SoapError);
    expect(err(`<!DOCTYPE x><s:Envelope xmlns:s="${S12}"><s:Body/></s:Envelope>`)).toBeInstanceOf(XmlError);
    // Body in the other SOAP version's namespace is not this envelope's Body.
    expect(err(`<s:Envelope xmlns:s="${S12}" xmlns:o="${S11}"><o:Body/></s:Envelope>`)).toBeInstanceOf(SoapError);
  });

  it("accepts an XML declaration and comments", () => {
    const env = parseEnvelope(`<?xml version="1.0" encoding="utf-8"?><!-- c -->${env12("<!-- h --><s:Body><a/></s:Body>")}`);
    expect(env.bodyChild?.localName).toBe("a");
  });

  it("passes limits to the safe parser and survives deep nesting", () => {
    const deep = env12(`<s:Body>${"<a>".repeat(5000)}${"</a>".repeat(5000)}</s:Body>`);
    expect(() => parseEnvelope(deep)).toThrow(XmlError);
    expect(() => parseEnvelope(env12("<s:Body><a/></s:Body>"), { maxBytes: 10 })).toThrow(XmlError);
  });
});

describe("SOAP faults", () => {
  it("SOAP 1.2: Sender + Subcode QName, Reason xml:lang=en, fault Action, RelatesTo", () => {
    const xml = buildFaultEnvelope("1.2", trustFault("1.3", "InvalidRequest"), {
      action: WSA_FAULT_ACTION,
      relatesTo: "urn:uuid:req",
    });
    expect(xml).toContain(`<s:Value>s:Sender</s:Value>`);
    expect(xml).toContain(`<s:Subcode><s:Value xmlns:wst="${NS.wst13}">wst:InvalidRequest</s:Value></s:Subcode>`);
    expect(xml).toContain(`<s:Text xml:lang="en">The request was invalid or malformed</s:Text>`);
    const env = parseEnvelope(xml);
    expect(parseAddressingHeaders(env.headers)).toMatchObject({ action: WSA_FAULT_ACTION, relatesTo: "urn:uuid:req" });
    const f = parseFault(env)!;
    expect(f.code).toEqual({ ns: NS.wst13, local: "InvalidRequest" });
    expect(f.codeText).toBe("wst:InvalidRequest");
    expect(f.topCode).toEqual({ ns: S12, local: "Sender" });
    expect(f.receiver).toBe(false);
    expect(f.reason).toBe(TRUST_FAULTS.InvalidRequest);
    expect(f.lang).toBe("en");
  });

  it("SOAP 1.2 RequestFailed goes under Receiver; detail is carried", () => {
    const fault = { ...trustFault("2005", "RequestFailed"), detail: el("x:Info", ["why"]) };
    const xml = buildFaultEnvelope("1.2", fault, { prefixes: { x: "urn:x" } });
    const f = parseFault(parseEnvelope(xml))!;
    expect(f.receiver).toBe(true);
    expect(f.code).toEqual({ ns: NS.wst2005, local: "RequestFailed" });
    expect(f.detailElement?.firstChild?.textContent).toBe("why");
  });

  it("SOAP 1.1: faultcode QName with its prefix declared on the element, faultstring, detail", () => {
    const xml = buildFaultEnvelope("1.1", { ...wsseFault("FailedAuthentication"), detail: raw("<d>1</d>") });
    expect(xml).toContain(`<faultcode xmlns:wsse="${NS.wsse}">wsse:FailedAuthentication</faultcode>`);
    expect(xml).toContain(`<faultstring>${WSSE_FAULTS.FailedAuthentication}</faultstring>`);
    const env = parseEnvelope(xml);
    expect(env.header).toBeUndefined();
    const f = parseFault(env)!;
    expect(f.code).toEqual({ ns: NS.wsse, local: "FailedAuthentication" });
    expect(f.detailElement?.localName).toBe("detail");
  });

  it("SOAP-level codes: 1.1 Client/Server, 1.2 Sender/VersionMismatch without Subcode", () => {
    const f11 = parseFault(parseEnvelope(buildFaultEnvelope("1.1", soapFault("1.1", "Sender", "bad"))))!;
    expect(f11.code).toEqual({ ns: S11, local: "Client" });
    const f11r = parseFault(parseEnvelope(buildFaultEnvelope("1.1", soapFault("1.1", "Receiver", "oops"))))!;
    expect(f11r.receiver).toBe(true);
    const xml = buildFaultEnvelope("1.2", soapFault("1.2", "VersionMismatch", "which?"));
    expect(xml).not.toContain("Subcode");
    const f12 = parseFault(parseEnvelope(xml))!;
    expect(f12.code).toEqual({ ns: S12, local: "VersionMismatch" });
    expect(f12.subcodes).toEqual([]);
  });

  it("resolves prefixes declared on ancestors, default namespaces, and nested subcodes (first wins)", () => {
    const xml = env12(
      `<s:Body><s:Fault xmlns:a="urn:a"><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>a:One</s:Value>` +
        `<s:Subcode><s:Value xmlns="urn:d">Two</s:Value></s:Subcode></s:Subcode></s:Code>` +
        `<s:Reason><s:Text xml:lang="de">Nein</s:Text><s:Text xml:lang="en-US">No</s:Text></s:Reason></s:Fault></s:Body>`,
    );
    const f = parseFault(parseEnvelope(xml))!;
    expect(f.code).toEqual({ ns: "urn:a", local: "One" });
    expect(f.subcodes).toEqual([{ ns: "urn:a", local: "One" }, { ns: "urn:d", local: "Two" }]);
    expect(f.reason).toBe("No");
    expect(f.receiver).toBe(true);
  });

  it("undeclared prefixes and missing parts are ModelErrors; non-fault bodies give undefined", () => {
    const bad = env12(`<s:Body><s:Fault><s:Code><s:Value>zz:Nope</s:Value></s:Code><s:Reason><s:Text>x</s:Text></s:Reason></s:Fault></s:Body>`);
    expect(() => parseFault(parseEnvelope(bad))).toThrow(/undeclared prefix zz/);
    const noReason = env12(`<s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code></s:Fault></s:Body>`);
    expect(() => parseFault(parseEnvelope(noReason))).toThrow(ModelError);
    const notQName = `<s11:Envelope xmlns:s11="${S11}"><s11:Body><s11:Fault><faultcode>a b</faultcode><faultstring>x</faultstring></s11:Fault></s11:Body></s11:Envelope>`;
    expect(() => parseFault(parseEnvelope(notQName))).toThrow(/not a QName/);
    expect(parseFault(parseEnvelope(env12("<s:Body><a/></s:Body>")))).toBeUndefined();
    expect(parseFault(parseEnvelope(env12("<s:Body/>")))).toBeUndefined();
  });

  it("round-trips every catalogued code in both SOAP versions", () => {
    const faults = [
      ...Object.keys(TRUST_FAULTS).flatMap((n) =>
        (["2005", "1.3", "1.4"] as const).map((v) => trustFault(v, n as keyof typeof TRUST_FAULTS)),
      ),
      ...Object.keys(WSSE_FAULTS).map((n) => wsseFault(n as keyof typeof WSSE_FAULTS)),
      ...Object.keys(FED_FAULTS).map((n) => fedFault(n as keyof typeof FED_FAULTS)),
    ];
    expect(faults.length).toBe(11 * 3 + 8 + 11);
    for (const fault of faults) {
      for (const v of ["1.1", "1.2"] as const) {
        const f = parseFault(parseEnvelope(buildFaultEnvelope(v, fault)))!;
        expect(f.code).toEqual(fault.code);
        expect(f.reason).toBe(fault.reason);
        expect(classifyFaultCode(f.code)).toBeDefined();
      }
    }
    expect(trustFault("1.4", "InvalidScope").code.ns).toBe(NS.wst13);
    expect(trustFault("1.3", "InvalidScope", "custom").reason).toBe("custom");
    expect(classifyFaultCode({ ns: NS.wsse, local: "toString" })).toBeUndefined();
    expect(classifyFaultCode({ ns: NS.wst2005, local: "BadRequest" })).toEqual({ family: "trust", version: "2005", name: "BadRequest" });
  });

  it("refuses a fault code whose local name is not an NCName", () => {
    expect(() => buildFaultEnvelope("1.2", { code: { ns: "urn:x", local: "a<b" }, reason: "r" })).toThrow();
  });
});

describe("WS-Addressing headers", () => {
  const parseHeaders = (inner: string) =>
    parseEnvelope(env12(`<s:Header>${inner}</s:Header><s:Body/>`, ` xmlns:a="${NS.wsa}" xmlns:b="${NS.wsa2004}"`)).headers;

  it("reads 2005/08 and 2004/08, including ReplyTo/Address", () => {
    expect(parseAddressingHeaders(parseHeaders(`<b:Action>x</b:Action><b:ReplyTo><b:Address>r</b:Address></b:ReplyTo>`))).toEqual({
      action: "x",
      replyTo: "r",
      namespace: NS.wsa2004,
    });
    const built = buildAddressingHeaders({ action: "a", messageId: "m", to: "t", relatesTo: "r", replyTo: "rt" });
    const env = parseEnvelope(buildEnvelope({ version: "1.2", headers: built, body: [] }));
    expect(parseAddressingHeaders(env.headers)).toEqual({ action: "a", messageId: "m", to: "t", relatesTo: "r", replyTo: "rt", namespace: NS.wsa });
  });

  it("duplicates and mixed namespaces are ModelErrors", () => {
    expect(() => parseAddressingHeaders(parseHeaders(`<a:Action>x</a:Action><a:Action>y</a:Action>`))).toThrow(ModelError);
    expect(() => parseAddressingHeaders(parseHeaders(`<a:Action>x</a:Action><b:To>y</b:To>`))).toThrow(ModelError);
    expect(() => parseAddressingHeaders(parseHeaders(`<a:ReplyTo/>`))).toThrow(ModelError);
    expect(() => parseAddressingHeaders(parseHeaders(`<a:To><x/></a:To>`))).toThrow(ModelError);
  });

  it("ignores other headers", () => {
    expect(parseAddressingHeaders(parseHeaders(`<x:Foo xmlns:x="urn:x">1</x:Foo><a:FaultTo/>`))).toEqual({});
  });

  it("uses the SOAP namespace of the given version", () => {
    expect(soapNamespace("1.1")).toBe(S11);
  });
});
