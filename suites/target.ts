// Build the StsTarget a run tests, from a validated wsconform.config.json: the in-process reference (the default)
// or an HTTP endpoint. Lives in suites/ because the in-process kind needs reference/ and the others adapters/.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { X509Certificate } from "node:crypto";
import { ShiftedClock, systemClock } from "../protocol/clock.ts";
import { trustAnchorFromCert } from "../protocol/dsig/verify.ts";
import { certifiedKeyFromPem } from "../protocol/x509/certificate.ts";
import type { StsTarget } from "../adapters/sts-target.ts";
import { referenceTargetConfig, validateTargetConfig, type TargetConfig } from "../adapters/target-config.ts";
import { httpTransport, inProcessTransport } from "../adapters/transport.ts";
import { STS_ENDPOINTS } from "../reference/endpoints.ts";
import { loadOrCreateKeys, type ReferenceKeys } from "../reference/keys.ts";
import { ReferenceSts } from "../reference/sts.ts";
import { referenceFaces, remoteFaces, splitDefects } from "./faces.ts";

export interface TargetOptions {
  /** Folder that relative paths in the config are resolved against. */
  baseDir?: string;
  /** Reuse reference keys (tests and the kill matrix generate them once). */
  referenceKeys?: ReferenceKeys;
  /** Where the in-process reference persists its keys (default: in memory). */
  referenceDataDir?: string;
}

export function loadTargetConfigFile(path: string): { config: TargetConfig; baseDir: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  return { config: validateTargetConfig(json), baseDir: resolve(path, "..") };
}

export async function createTarget(config: TargetConfig = referenceTargetConfig(), opts: TargetOptions = {}): Promise<StsTarget> {
  const t = config.target;
  const read = (p: string) => readFileSync(resolve(opts.baseDir ?? ".", p), "utf8");
  if (t.kind === "reference") {
    const clock = new ShiftedClock();
    const keys = opts.referenceKeys ?? loadOrCreateKeys(clock, opts.referenceDataDir);
    const defects = splitDefects(t.defects);
    const sts = new ReferenceSts({ clock, keys, config: t.config ?? {}, defects: defects.reference });
    const anchors = [keys.signing.primary, keys.signing.secondary].map((k, i) => trustAnchorFromCert(k.certDer, i ? "secondary" : "primary"));
    const faces = await referenceFaces(sts, clock, defects.rp);
    return {
      description: { name: t.name ?? `wsconform reference STS${t.defects?.length ? ` with defects ${t.defects.join(", ")}` : ""}`, kind: "reference" },
      capabilities: config.capabilities,
      transport: inProcessTransport(sts),
      endpoint: (version, credential) =>
        STS_ENDPOINTS.find((e) => e.version === (version === "2005" ? "2005" : "1.3") && e.credential === credential)?.path,
      user: { username: config.credentials.username ?? "alice", password: config.credentials.password ?? "ecila" },
      otherUser: config.credentials.otherUser,
      clientCertificate: { privateKey: keys.demoClient.privateKey, certDer: keys.demoClient.certDer },
      trustAnchors: anchors,
      issuerName: sts.config.issuer,
      appliesTo: config.appliesTo,
      relyingPartyKey: (realm) => keys.relyingParties.get(realm)?.privateKey,
      clock,
      controlledClock: clock,
      clockSkewSeconds: sts.config.clockSkewSeconds,
      passiveIdp: faces.passiveIdp,
      relyingParty: faces.relyingParty,
      tokenConsumer: faces.tokenConsumer,
      close: () => faces.close(),
    };
  }
  if (t.kind === "container") {
    // Start the image, then test it exactly as an http target at the mapped address; close() also stops it.
    // (testcontainers is loaded only here: the other kinds do not pay for it.)
    const { startContainerTarget } = await import("../adapters/container.ts");
    const started = await startContainerTarget({ image: t.image, port: t.port, env: t.env, wait: t.wait, startupTimeoutMs: t.startupTimeoutMs, tls: !!t.tlsCa?.length });
    let inner: StsTarget;
    try {
      const { image, port, env, wait, startupTimeoutMs, ...http } = t;
      inner = await createTarget({ ...config, target: { ...http, kind: "http", baseUrl: started.baseUrl } }, opts);
    } catch (e) {
      await started.stop().catch(() => {});
      throw e;
    }
    return {
      ...inner,
      description: { name: t.name ?? t.image, kind: "container", url: started.baseUrl },
      close: async () => {
        try {
          await inner.close();
        } finally {
          await started.stop();
        }
      },
    };
  }
  const transport = httpTransport(t.baseUrl, {
    timeoutMs: t.timeoutMs ?? 10_000,
    maxResponseBytes: t.maxResponseBytes ?? 4 * 1024 * 1024,
    ca: t.tlsCa?.map(read),
    insecure: t.insecureTls,
    clientCert: t.tlsClientCertificate ? { certPem: read(t.tlsClientCertificate.cert), keyPem: read(t.tlsClientCertificate.key) } : undefined,
  });
  const anchors = config.trustAnchors.map((p) => trustAnchorFromCert(Buffer.from(new X509Certificate(read(p)).raw), p));
  let faces;
  try {
    faces = await remoteFaces(config, opts.baseDir ?? ".", systemClock, anchors);
  } catch (e) {
    await transport.close();
    throw e;
  }
  const cc = config.credentials.clientCertificate;
  const client = cc ? certifiedKeyFromPem(read(cc.cert), read(cc.key)) : undefined;
  return {
    description: { name: t.name ?? t.baseUrl, kind: "http", url: t.baseUrl },
    capabilities: config.capabilities,
    transport,
    endpoint: (version, credential) => t.endpoints[version === "2005" ? "2005" : "1.3"]?.[credential],
    user: { username: config.credentials.username ?? "", password: config.credentials.password ?? "" },
    otherUser: config.credentials.otherUser,
    clientCertificate: client ? { privateKey: client.privateKey, certDer: client.certDer } : undefined,
    trustAnchors: anchors,
    issuerName: config.issuerName,
    appliesTo: config.appliesTo,
    clock: systemClock,
    clockSkewSeconds: config.clockSkewSeconds,
    passiveIdp: faces.passiveIdp,
    relyingParty: faces.relyingParty,
    tokenConsumer: faces.tokenConsumer,
    close: async () => {
      try {
        await faces.close();
      } finally {
        await transport.close();
      }
    },
  };
}

