// passport-wsfed-saml2 2.13.0 (before the 3.0.5 fix of CVE-2017-16897, signature wrapping), used as its README
// shows: a WS-Fed strategy configured with realm and the IdP certificate, a verify callback that accepts the
// profile. The harness drives the strategy as passport would on the POST to the callback path. The library reads
// the system clock itself (10 minutes of skew).
import { createRequire } from "node:module";
import type { LibraryConsumeOptions } from "../../../adapters/library-consumer.ts";

const require = createRequire(import.meta.url);
const Strategy = require("passport-wsfed-saml2").Strategy as new (o: object, verify: (p: object, done: (e: unknown, u?: object) => void) => void) => any;
const NAME_ID = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier";

export const meta = { name: "passport-wsfed-saml2 2.13.0", deliveries: ["wresult"], tokenTypes: ["saml20", "saml11"], clockSkewSeconds: 600, clock: "system" } as const;

export function consume(xml: string, o: LibraryConsumeOptions): Promise<{ subject?: string; claims: Record<string, string | string[]> }> {
  const certBase64 = o.certificatePem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const strategy = new Strategy({ realm: o.audience, cert: certBase64, identityProviderUrl: "https://idp.wsconform.test/adfs/ls/" }, (profile, done) => done(null, profile));
  return new Promise((resolve, reject) => {
    strategy.success = (user: Record<string, unknown>) => {
      const claims: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(user)) if (typeof v === "string" || Array.isArray(v)) claims[k] = v as string | string[];
      resolve({ subject: typeof user[NAME_ID] === "string" ? (user[NAME_ID] as string) : undefined, claims });
    };
    strategy.fail = (info: unknown) => reject(new Error(`fail: ${info instanceof Error ? info.message : JSON.stringify(info)}`));
    strategy.error = (e: unknown) => reject(e instanceof Error ? e : new Error(String(e)));
    strategy.redirect = () => reject(new Error("redirected to the IdP (no token seen)"));
    try {
      strategy.authenticate({ method: "POST", body: { wa: "wsignin1.0", wresult: xml }, query: {}, headers: {}, url: "/login/callback" }, {});
    } catch (e) {
      reject(e);
    }
  });
}
