// Federation metadata (WS-Federation 1.2 §3, SAML 2.0 metadata schema): the document an RP reads its trust anchors
// and the IdP's endpoints from. One case per rule, each reading the same fetched document; a problem the checker
// finds names the requirement it breaks. Fetched through the undici browser so TLS settings match the target's.
import { NS } from "../../protocol/namespaces.ts";
import { children } from "../../protocol/xml/dom.ts";
import { sameCertificate } from "../../protocol/x509/certificate.ts";
import { checkFederationMetadata, type MetadataCheck, type MetadataRequirement } from "../../protocol/wsfed/metadata.ts";
import type { CaseContext, CaseDefinition } from "../case.ts";
import { TargetError } from "../case.ts";
import { idpOf, navigate, passiveUrl, rps, signIn, signInParams, tokenOf, withBrowser } from "./support.ts";

const METADATA = [{ kind: "passiveIdp" }, { kind: "federationMetadata" }] as const;

/** Fetch and check the metadata (once per case: cases are readable alone and targets may change between runs). */
async function fetchChecked(t: CaseContext): Promise<{ xml: string; check: MetadataCheck; url: string }> {
  const idp = idpOf(t);
  const url = idp.metadataUrl!;
  const xml = await withBrowser(t, "undici", async (b) => {
    const nav = await navigate(t, b, url, { maxSteps: 3 });
    if (nav.finalStatus !== 200) throw new TargetError(`GET ${url} answered HTTP ${nav.finalStatus ?? "nothing"}`);
    return nav.finalBody;
  });
  return { xml, url, check: checkFederationMetadata(xml, { url, anchors: idp.trustAnchors.length ? idp.trustAnchors : undefined }) };
}

function problemsFor(check: MetadataCheck, ids: MetadataRequirement[], severity?: "error" | "warning"): string[] {
  return check.problems.filter((p) => ids.includes(p.requirement) && (!severity || p.severity === severity)).map((p) => `${p.requirement}: ${p.message}`);
}

/** A case that passes when the checker reports nothing for these requirements. */
function ruleCase(name: string, title: string, ids: MetadataRequirement[]): CaseDefinition {
  return {
    id: `ws-fed/metadata/${name}`,
    title,
    requirements: ids,
    needs: [...METADATA],
    async run(t: CaseContext) {
      const { check } = await fetchChecked(t);
      for (const id of ids) {
        const found = problemsFor(check, [id]);
        t.check(found.length === 0, found.join("; "), id);
      }
    },
  };
}

export const METADATA_CASES: CaseDefinition[] = [
  ruleCase("document-root", "Federation metadata is rooted at md:EntityDescriptor or md:EntitiesDescriptor", ["F35", "F36"]),
  ruleCase("role-descriptors", "Roles are md:RoleDescriptor with a fed xsi:type in scope and a protocolSupportEnumeration", ["F37", "F38"]),
  ruleCase("element-order", "Role children follow the schema order of WebServiceDescriptorType, SecurityTokenServiceType and ApplicationServiceType", ["F39", "F40", "F41"]),
  ruleCase("claim-types", "auth:ClaimType elements are in the authorization namespace and carry @Uri", ["F42"]),
  ruleCase("signing-key-published", "The STS role publishes its token-signing certificate with use=\"signing\"", ["F43"]),
  ruleCase("passive-endpoint-advertised", "The IdP advertises its sign-in URL as PassiveRequestorEndpoint", ["F44"]),
  ruleCase("signature-shape", "The metadata signature is enveloped, references the root ID and uses only exc-c14n and enveloped transforms", ["F45"]),
  {
    id: "ws-fed/metadata/signed",
    title: "The metadata is signed (or at least served over an integrity-protected channel)",
    requirements: ["F46"],
    needs: [...METADATA],
    async run(t: CaseContext) {
      const { check, url } = await fetchChecked(t);
      const https = url.startsWith("https:");
      t.check(check.signature === "valid" || (check.signature === "absent" && https), `the metadata signature is ${check.signature} and the document was fetched over ${https ? "https" : "plain http"}`);
      if (check.signature === "absent") t.info("the metadata is unsigned; only TLS protects it");
      const weak = problemsFor(check, ["F46"]).filter((p) => !/not signed/.test(p));
      t.check(weak.length === 0, weak.join("; "));
    },
  },
  {
    id: "ws-fed/metadata/well-known-path",
    title: "The metadata is published at /FederationMetadata/2007-06/FederationMetadata.xml",
    requirements: ["F47"],
    needs: [...METADATA],
    async run(t: CaseContext) {
      const { check } = await fetchChecked(t);
      const found = problemsFor(check, ["F47"]);
      t.check(found.length === 0, found.join("; "));
    },
  },
  {
    id: "ws-fed/metadata/signing-key-signs-tokens",
    title: "The certificate the metadata publishes for signing is the one that signs the IdP's tokens",
    requirements: ["F43"],
    needs: [...METADATA],
    async run(t: CaseContext) {
      const { check } = await fetchChecked(t);
      const published = (check.metadata?.securityTokenServices ?? []).flatMap((s) => s.signingCertificates);
      t.check(published.length > 0, "the metadata publishes no signing certificate");
      const [rp] = rps(t);
      await withBrowser(t, "undici", async (b) => {
        const { post } = await signIn(t, b, rp!);
        const { assertion } = tokenOf(t, post);
        const signature = children(assertion.element, NS.ds, "Signature")[0];
        const certB64 = signature?.getElementsByTagNameNS(NS.ds, "X509Certificate")[0]?.textContent?.replace(/\s+/g, "");
        if (!certB64) {
          t.info("the token's signature names no certificate; it verified against the configured anchors");
          return;
        }
        const signer = Buffer.from(certB64, "base64");
        t.check(published.some((der) => sameCertificate(der, signer)), "the token is signed with a certificate the metadata does not publish: an RP configured from metadata would reject it");
      });
    },
  },
  {
    id: "ws-fed/metadata/passive-endpoint-answers",
    title: "The advertised PassiveRequestorEndpoint answers a sign-in request",
    requirements: ["F44"],
    needs: [...METADATA],
    async run(t: CaseContext) {
      const { check } = await fetchChecked(t);
      const endpoints = (check.metadata?.securityTokenServices ?? []).flatMap((s) => s.passiveRequestorEndpoints);
      if (endpoints.length === 0) t.skip("no PassiveRequestorEndpoint is advertised (judged by passive-endpoint-advertised)");
      const [rp] = rps(t);
      await withBrowser(t, "undici", async (b) => {
        const nav = await navigate(t, b, passiveUrl(endpoints[0]!, signInParams(rp!)), { credentials: idpOf(t).user });
        t.check(nav.loginPrompted || nav.autoPosts.length > 0, `the advertised endpoint ${endpoints[0]} neither asked for credentials nor answered the sign-in (final HTTP ${nav.finalStatus ?? "?"})`);
      });
    },
  },
];
