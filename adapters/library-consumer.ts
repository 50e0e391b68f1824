// A TokenConsumer over an in-process library: wrap any SAML/WS-Fed token-validating library in a few lines and
// run the security suites against it.
//
// The module contract (plain JavaScript or TypeScript, ESM or CommonJS):
//
//   export function consume(xml, { certificatePem, issuer, audience, recipient, now, delivery }) {
//     // Validate `xml` the way your application does with the library:
//     //  - xml: the delivered document — a bare signed assertion, a WS-Fed wresult (a 2005 RSTR around the
//     //    assertion) or a SAML 2.0 protocol Response, as `delivery` ("assertion" | "wresult" | "samlResponse") says;
//     //  - certificatePem: the IdP signing certificate to trust (PEM); issuer / audience / recipient: what to expect;
//     //  - now: a Date, the time to judge validity windows by (a library that reads the system clock itself must
//     //    declare meta.clock = "system", and the harness then crafts times from the real clock).
//     // Return { subject, claims } for an accepted token (claims: name -> string or string[]), or throw to reject.
//     return { subject: "alice@example.test", claims: { role: ["user"] } };   // may also return a Promise
//   }
//   export const meta = { name: "my-lib 1.2.3", deliveries: ["assertion"], tokenTypes: ["saml20", "saml11"],
//                         clockSkewSeconds: 300, clock: "injected" };   // all optional
//
// The harness plays the IdP with `trust.signingKey`; the module is told to trust that key's certificate.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { systemClock, type Clock } from "../protocol/clock.ts";
import { derToPem } from "../protocol/x509/certificate.ts";
import type { ConsumerOutcome, ConsumerTrust, Delivery, TokenConsumer } from "./token-consumer.ts";

export interface LibraryConsumeOptions {
  certificatePem: string;
  issuer: string;
  audience: string;
  recipient?: string;
  now: Date;
  delivery: Delivery["kind"];
}

export interface LibraryIdentity {
  subject?: string;
  claims?: Record<string, string | string[] | undefined>;
}

export interface LibraryMeta {
  name?: string;
  deliveries?: Delivery["kind"][];
  tokenTypes?: ("saml11" | "saml20")[];
  clockSkewSeconds?: number;
  /** "system": the library reads the real clock itself and ignores `now`. */
  clock?: "injected" | "system";
}

export interface LibraryModule {
  consume(xml: string, options: LibraryConsumeOptions): LibraryIdentity | Promise<LibraryIdentity>;
  meta?: LibraryMeta;
}

export interface LibraryConsumerOptions {
  trust: ConsumerTrust;
  /** Used when the library takes the injected time (default: the system clock). */
  clock?: Clock;
  /** Overrides of the module's meta. */
  meta?: LibraryMeta;
}

function normalizeClaims(claims: LibraryIdentity["claims"]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(claims ?? {})) {
    if (v === undefined || v === null) continue;
    out[k] = (Array.isArray(v) ? v : [v]).map((x) => String(x));
  }
  return out;
}

/** A TokenConsumer that hands every delivery's XML to the module's consume(). */
export function libraryConsumer(mod: LibraryModule, o: LibraryConsumerOptions): TokenConsumer {
  const meta: LibraryMeta = { ...mod.meta, ...o.meta };
  const clock = meta.clock === "system" ? systemClock : (o.clock ?? systemClock);
  const certificatePem = derToPem(o.trust.signingKey.certDer);
  const deliveries = meta.deliveries ?? ["assertion"];
  return {
    description: { name: meta.name ?? "library", kind: "library" },
    deliveries,
    trust: o.trust,
    tokenTypes: meta.tokenTypes ?? ["saml20", "saml11"],
    clock,
    clockSkewSeconds: meta.clockSkewSeconds,
    async consume(d: Delivery): Promise<ConsumerOutcome> {
      if (!deliveries.includes(d.kind)) return { accepted: false, reason: `delivery ${d.kind} is not supported by ${meta.name ?? "the library"}` };
      try {
        const r = await mod.consume(d.xml, {
          certificatePem,
          issuer: o.trust.issuer,
          audience: o.trust.audience,
          recipient: o.trust.recipient,
          now: new Date(clock.now()),
          delivery: d.kind,
        });
        if (!r || typeof r !== "object") return { accepted: false, reason: "consume() returned no identity" };
        return { accepted: true, subject: r.subject === undefined ? undefined : String(r.subject), claims: normalizeClaims(r.claims) };
      } catch (e) {
        return { accepted: false, reason: e instanceof Error ? e.message : String(e) };
      }
    },
    close: async () => {},
  };
}

/** Import a library module by path (relative to the working directory) and wrap it. */
export async function loadLibraryConsumer(modulePath: string, o: LibraryConsumerOptions): Promise<TokenConsumer> {
  const mod = (await import(pathToFileURL(resolve(modulePath)).href)) as Partial<LibraryModule> & { default?: Partial<LibraryModule> };
  const m = typeof mod.consume === "function" ? mod : mod.default;
  if (!m || typeof m.consume !== "function") throw new Error(`${modulePath} exports no consume(xml, options) function`);
  return libraryConsumer(m as LibraryModule, o);
}
