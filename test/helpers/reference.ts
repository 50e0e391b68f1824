// Test fixture: a reference STS on a fake clock with keys generated once per test file, and clients for it.
import { FakeClock } from "../../protocol/clock.ts";
import { TRUST, type TrustVersion } from "../../protocol/namespaces.ts";
import type { SoapVersion } from "../../protocol/soap.ts";
import type { RequestSecurityTokenResponse } from "../../protocol/trust/model.ts";
import { StsClient, type ClientCredentials, type Exchange } from "../../adapters/sts-client.ts";
import { inProcessTransport, type SoapTransport } from "../../adapters/transport.ts";
import { loadOrCreateKeys, type ReferenceKeys } from "../../reference/keys.ts";
import { ReferenceSts, type ReferenceOptions } from "../../reference/sts.ts";

export const START = Date.UTC(2026, 10, 21, 12, 0, 0);

let sharedKeys: ReferenceKeys | undefined;
/** RSA key generation is slow: one set per test file (module instance). */
export function testKeys(): ReferenceKeys {
  sharedKeys ??= loadOrCreateKeys(new FakeClock(START));
  return sharedKeys;
}

export function makeReference(opts: Omit<ReferenceOptions, "keys" | "clock"> & { clock?: FakeClock } = {}) {
  const clock = opts.clock ?? new FakeClock(START);
  const sts = new ReferenceSts({ ...opts, clock, keys: testKeys() });
  return { sts, clock };
}

export function pathFor(tv: TrustVersion, credential: "username" | "certificate" = "username"): string {
  return `/adfs/services/trust/${tv === "2005" ? "2005" : "13"}/${credential === "username" ? "usernamemixed" : "certificatemixed"}`;
}

export function clientFor(
  target: { transport?: SoapTransport; sts?: ReferenceSts; clock: FakeClock },
  tv: TrustVersion,
  sv: SoapVersion = "1.2",
  credentials: ClientCredentials = { username: "alice", password: "ecila" },
  credential: "username" | "certificate" = credentials.signer && !credentials.username ? "certificate" : "username",
): StsClient {
  return new StsClient({
    transport: target.transport ?? inProcessTransport(target.sts!),
    clock: target.clock,
    path: pathFor(tv, credential),
    soapVersion: sv,
    trustVersion: tv,
    credentials,
  });
}

/** The (first) RSTR of a response, whether bare or inside an RSTRC. */
export function rstrOf(ex: Exchange): RequestSecurityTokenResponse | undefined {
  const m = ex.message;
  if (m?.kind === "RSTR") return m.message;
  if (m?.kind === "RSTRC") return m.message.responses[0];
  return undefined;
}

export function faultOf(ex: Exchange): string | undefined {
  return ex.fault ? `${ex.fault.code.ns === TRUST["2005"].ns ? "t05" : ""}${ex.fault.code.local}` : undefined;
}
