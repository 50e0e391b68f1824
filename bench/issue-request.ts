// The request the Issue benchmarks send over and over: WS-Trust 1.3, UsernameToken PasswordText with a Timestamp and
// no nonce (as AD FS usernamemixed clients send it), SAML 2.0 bearer for the demo SAML 2.0 relying party.
import { systemClock } from "../protocol/clock.ts";
import { TRUST, TOKEN_TYPES } from "../protocol/namespaces.ts";
import { StsClient } from "../adapters/sts-client.ts";
import { DEMO_REALMS } from "../reference/config.ts";

export function bearerIssueRequest(path: string, soapVersion: "1.1" | "1.2"): { xml: string; action: string } {
  const T = TRUST["1.3"];
  const client = new StsClient({
    transport: async () => ({ status: 0, contentType: "", body: "" }),
    clock: systemClock,
    path,
    soapVersion,
    trustVersion: "1.3",
    credentials: { username: "alice", password: "ecila" },
  });
  return client.build({
    version: "1.3",
    requestType: T.requestType("Issue"),
    tokenType: TOKEN_TYPES.saml20,
    keyType: T.keyType("Bearer"),
    appliesTo: { address: DEMO_REALMS.saml20 },
  });
}
