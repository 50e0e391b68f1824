// The WS-Federation faces of a target: the passive IdP (with the harness's own relying parties at its reply URLs),
// the relying party (the harness plays its IdP) and the token consumer built on it. For the reference they are all
// started here on loopback; for a remote target they come from the `passive` and `relyingParty` config sections.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { X509Certificate } from "node:crypto";
import { fileURLToPath } from "node:url";
import { newBrowser } from "../adapters/browser/index.ts";
import { startHarnessRp, type HarnessRpInstance } from "../adapters/harness-rp/server.ts";
import { isRpDefect } from "../adapters/harness-rp/defects.ts";
import type { PassiveIdpTarget } from "../adapters/passive-idp-target.ts";
import { httpRelyingPartyTarget, referenceRelyingPartyTarget, type RelyingPartyTarget } from "../adapters/relying-party-target.ts";
import { relyingPartyConsumer } from "../adapters/rp-consumer.ts";
import { samlSpConsumer } from "../adapters/saml-sp-consumer.ts";
import type { TokenConsumer } from "../adapters/token-consumer.ts";
import type { PassiveConfig, RelyingPartyConfig, TargetConfig } from "../adapters/target-config.ts";
import type { Clock } from "../protocol/clock.ts";
import type { SigningKey } from "../protocol/dsig/sign.ts";
import { trustAnchorFromCert, type TrustAnchor } from "../protocol/dsig/verify.ts";
import { FEDERATION_METADATA_PATH, parseFederationMetadata } from "../protocol/wsfed/metadata.ts";
import { certifiedKeyFromPem, generateSelfSignedCertificate } from "../protocol/x509/certificate.ts";
import { serve } from "../reference/http.ts";
import type { ReferenceSts } from "../reference/sts.ts";

const VECTOR_KEYS = fileURLToPath(new URL("../vectors/security/keys/", import.meta.url));

/** The harness's IdP key (test-only, in vectors/): what the reference RP trusts and the security suites sign with. */
export function harnessIdpKey(): SigningKey {
  const k = certifiedKeyFromPem(readFileSync(`${VECTOR_KEYS}idp.cert.pem`, "utf8"), readFileSync(`${VECTOR_KEYS}idp.key.pem`, "utf8"));
  return { privateKey: k.privateKey, certDer: k.certDer };
}

/** Split a defect list between the reference STS/IdP and the reference RP. */
export function splitDefects(defects: string[] = []): { reference: string[]; rp: string[] } {
  return { reference: defects.filter((d) => !isRpDefect(d)), rp: defects.filter(isRpDefect) };
}

export interface Faces {
  passiveIdp?: PassiveIdpTarget;
  relyingParty?: RelyingPartyTarget;
  tokenConsumer?: TokenConsumer;
  close(): Promise<void>;
}

/** Three harness RPs, each registered at the reference with a different wrapper and token type, so the passive
 * suites see a 2005 RSTR with SAML 1.1, a 1.3 RSTRC, and SAML 2.0. */
const HARNESS_RPS = [
  { passiveResponse: "2005" as const, tokenType: "saml11" as const },
  { passiveResponse: "1.3" as const, tokenType: "saml11" as const },
  { passiveResponse: "2005" as const, tokenType: "saml20" as const },
];

export async function referenceFaces(sts: ReferenceSts, clock: Clock, rpDefects: string[]): Promise<Faces> {
  const closers: (() => Promise<void>)[] = [];
  try {
    const server = await serve(sts, { port: 0 });
    closers.push(() => server.close());
    const signInUrl = `${server.url}/adfs/ls/`;
    const anchors = sts.context.ownAnchors;
    const rps: HarnessRpInstance[] = [];
    for (const [i, shape] of HARNESS_RPS.entries()) {
      const rp = await startHarnessRp({
        realm: `urn:wsconform:harness-rp:${i + 1}`,
        trust: { anchors },
        issuer: sts.config.issuer,
        clock,
        skewSeconds: sts.config.clockSkewSeconds,
        idpSignInUrl: signInUrl,
      });
      closers.push(() => rp.close());
      sts.context.registerRelyingParty({ realm: rp.realm, displayName: `harness RP ${i + 1}`, replyUrls: [rp.replyUrl], ...shape });
      rps.push(rp);
    }
    const passiveIdp: PassiveIdpTarget = {
      description: { name: `wsconform reference IdP at ${server.url}`, kind: "reference" },
      signInUrl,
      metadataUrl: `${server.url}${FEDERATION_METADATA_PATH}`,
      capabilities: { signOut: true, freshness: true, metadata: true, tokenTypes: ["saml11", "saml20"] },
      user: { username: "alice", password: "ecila" },
      otherUser: { username: "bob", password: "bob" },
      relyingParties: rps,
      unregisteredRealm: "urn:wsconform:rp:not-registered",
      trustAnchors: anchors,
      issuerName: sts.config.issuer,
      clock,
      clockSkewSeconds: sts.config.clockSkewSeconds,
      newBrowser: (driver) => newBrowser(driver, { timeoutMs: 10_000 }),
      close: async () => {},
    };
    const relyingParty = await referenceRelyingPartyTarget({ clock, signingKey: harnessIdpKey(), skewSeconds: 300, defects: rpDefects });
    closers.push(() => relyingParty.close());
    return {
      passiveIdp,
      relyingParty,
      tokenConsumer: relyingPartyConsumer(relyingParty, "reference"),
      close: async () => {
        for (const c of closers.reverse()) await c().catch(() => {});
      },
    };
  } catch (e) {
    for (const c of closers.reverse()) await c().catch(() => {});
    throw e;
  }
}

function readPem(baseDir: string, p: string): string {
  return readFileSync(resolve(baseDir, p), "utf8");
}

async function fetchMetadataAnchors(url: string, ca: string[] | undefined): Promise<{ anchors: TrustAnchor[]; issuer?: string }> {
  const { newBrowser: open } = await import("../adapters/browser/index.ts");
  const b = await open("undici", { ca, timeoutMs: 10_000 });
  try {
    const nav = await b.navigate(url, { maxSteps: 3 });
    if (nav.finalStatus !== 200) throw new Error(`GET ${url} answered HTTP ${nav.finalStatus ?? "nothing"}`);
    const md = parseFederationMetadata(nav.finalBody);
    const certs = md.securityTokenServices.flatMap((s) => s.signingCertificates);
    return { anchors: certs.map((der, i) => trustAnchorFromCert(der, `metadata signing certificate ${i + 1}`)), issuer: md.entityId };
  } finally {
    await b.close();
  }
}

let rpTlsKey: { certPem: string; keyPem: string } | undefined;
/** One self-signed certificate for 127.0.0.1 (generated once per process) for harness RPs with https reply URLs. */
function harnessRpTls(clock: Clock): { certPem: string; keyPem: string } {
  if (!rpTlsKey) {
    const now = clock.now();
    const k = generateSelfSignedCertificate({
      commonName: "wsconform harness relying party",
      notBeforeMs: now - 86400_000,
      notAfterMs: now + 30 * 86400_000,
      keyUsage: ["digitalSignature", "keyEncipherment"],
      subjectAltNames: { ip: ["127.0.0.1"], dns: ["localhost"] },
    });
    rpTlsKey = { certPem: k.certPem, keyPem: k.keyPem };
  }
  return rpTlsKey;
}

/** The passive face of a remote IdP: harness RPs listen at the configured reply URLs. An https reply URL gets a TLS
 * RP with SameSite=None cookies: an IdP on https is another site than an http RP, and a real browser would then
 * withhold the RP's Lax cookie from the sign-out page's cleanup images. */
async function remotePassive(p: PassiveConfig, config: TargetConfig, baseDir: string, clock: Clock, tokenAnchors: TrustAnchor[]): Promise<{ passive: PassiveIdpTarget; close: () => Promise<void> }> {
  const ca = p.tlsCa?.map((f) => readPem(baseDir, f));
  let anchors = tokenAnchors;
  let issuer = config.issuerName;
  if (anchors.length === 0 && p.metadataUrl) {
    const m = await fetchMetadataAnchors(p.metadataUrl, ca);
    anchors = m.anchors;
    issuer ??= m.issuer;
  }
  const rps: HarnessRpInstance[] = [];
  const close = async () => {
    for (const rp of rps) await rp.close().catch(() => {});
  };
  const rpTls = p.relyingParties.some((r) => r.replyUrl.startsWith("https:")) ? harnessRpTls(clock) : undefined;
  const browserCa = [...(ca ?? []), ...(rpTls ? [rpTls.certPem] : [])];
  try {
    for (const r of p.relyingParties) {
      const u = new URL(r.replyUrl);
      const https = u.protocol === "https:";
      rps.push(
        await startHarnessRp({
          realm: r.realm,
          port: Number(u.port),
          tls: https ? rpTls : undefined,
          cookieSameSite: https ? "None" : undefined,
          replyPath: u.pathname,
          protectedPath: `${u.pathname.replace(/\/$/, "")}/protected`,
          trust: { anchors },
          issuer,
          clock,
          skewSeconds: config.clockSkewSeconds,
          idpSignInUrl: p.signInUrl,
        }),
      );
    }
  } catch (e) {
    await close();
    throw e;
  }
  const caps = p.capabilities ?? {};
  return {
    passive: {
      description: { name: config.target.name ?? p.signInUrl, kind: config.target.kind === "container" ? "container" : "http" },
      signInUrl: p.signInUrl,
      metadataUrl: p.metadataUrl,
      capabilities: { signOut: caps.signOut ?? true, freshness: caps.freshness ?? true, metadata: caps.metadata ?? !!p.metadataUrl, tokenTypes: caps.tokenTypes ?? ["saml11", "saml20"] },
      user: { username: config.credentials.username ?? "", password: config.credentials.password ?? "" },
      otherUser: config.credentials.otherUser,
      relyingParties: rps,
      unregisteredRealm: p.unregisteredRealm ?? "urn:wsconform:rp:not-registered",
      trustAnchors: anchors,
      issuerName: issuer,
      clock,
      clockSkewSeconds: config.clockSkewSeconds,
      newBrowser: (driver) => newBrowser(driver, { ca: browserCa.length ? browserCa : undefined, timeoutMs: 15_000, loginFields: p.loginForm?.usernameField ? { username: p.loginForm.usernameField } : undefined }),
      close,
    },
    close,
  };
}

function remoteRelyingParty(r: RelyingPartyConfig, config: TargetConfig, baseDir: string, clock: Clock): RelyingPartyTarget {
  const key = certifiedKeyFromPem(readPem(baseDir, r.signingKey.cert), readPem(baseDir, r.signingKey.key));
  // The certificate must parse: a typo in the path should fail here, not as a wall of rejected tokens.
  new X509Certificate(key.certPem);
  return httpRelyingPartyTarget({
    name: config.target.name ?? r.replyUrl,
    kind: config.target.kind === "container" ? "container" : "http",
    realm: r.realm,
    replyUrl: r.replyUrl,
    cleanupUrl: r.cleanupUrl,
    issuer: r.issuer,
    signingKey: { privateKey: key.privateKey, certDer: key.certDer },
    tokenTypes: r.tokenTypes,
    clock,
    clockSkewSeconds: config.clockSkewSeconds,
    probe: r.probe.cookie ? { kind: "cookie", name: r.probe.cookie } : { kind: "url", url: r.probe.url, status: r.probe.status },
    tlsCa: r.tlsCa?.map((f) => readPem(baseDir, f)),
  });
}

/** The faces a remote target's config declares. */
export async function remoteFaces(config: TargetConfig, baseDir: string, clock: Clock, tokenAnchors: TrustAnchor[]): Promise<Faces> {
  const closers: (() => Promise<void>)[] = [];
  const faces: Faces = {
    close: async () => {
      for (const c of closers.reverse()) await c().catch(() => {});
    },
  };
  try {
    if (config.passive) {
      const p = await remotePassive(config.passive, config, baseDir, clock, tokenAnchors);
      faces.passiveIdp = p.passive;
      closers.push(p.close);
    }
    if (config.relyingParty) {
      const rp = remoteRelyingParty(config.relyingParty, config, baseDir, clock);
      faces.relyingParty = rp;
      faces.tokenConsumer = relyingPartyConsumer(rp);
      closers.push(() => rp.close());
    }
    if (config.samlSp) {
      const sp = config.samlSp;
      const key = certifiedKeyFromPem(readPem(baseDir, sp.signingKey.cert), readPem(baseDir, sp.signingKey.key));
      new X509Certificate(key.certPem);
      const c = samlSpConsumer({
        name: config.target.name ?? sp.acsUrl,
        acsUrl: sp.acsUrl,
        entityId: sp.entityId,
        issuer: sp.issuer,
        signingKey: { privateKey: key.privateKey, certDer: key.certDer },
        clock,
        clockSkewSeconds: config.clockSkewSeconds,
        probe: sp.probe.cookie ? { kind: "cookie", name: sp.probe.cookie } : { kind: "url", url: sp.probe.url, status: sp.probe.status },
        relayState: sp.relayState,
        tlsCa: sp.tlsCa?.map((f) => readPem(baseDir, f)),
      });
      faces.tokenConsumer = c;
      closers.push(() => c.close());
    }
  } catch (e) {
    await faces.close();
    throw e;
  }
  return faces;
}
