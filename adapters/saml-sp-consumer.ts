// A SAML 2.0 service provider seen as a TokenConsumer (issue 5 §1): each delivery is posted to the SP's ACS URL
// over the POST binding (SAMLResponse, base64; RelayState) from a fresh browser session, and a probe (a page that
// needs a session, or a session cookie) says whether the SP accepted it. The harness plays the IdP the SP trusts
// (its entity id and signing key), so every token attack of the security suites runs against SAML SPs too.
import type { Clock } from "../protocol/clock.ts";
import type { SigningKey } from "../protocol/dsig/sign.ts";
import { buildResponse, encodeSamlResponse } from "../protocol/saml/response.ts";
import { httpRelyingPartyTarget, type SignedInProbe } from "./relying-party-target.ts";
import { judgeSession, rpSession } from "./rp-consumer.ts";
import type { ConsumerOutcome, Delivery, TokenConsumer } from "./token-consumer.ts";
import { randomBytes } from "node:crypto";

export interface SamlSpConsumerConfig {
  name: string;
  /** The SP's Assertion Consumer Service URL (POST binding): Destination and bearer Recipient. */
  acsUrl: string;
  /** The SP's entity id: the audience its assertions must carry. */
  entityId: string;
  /** The IdP entity id the SP trusts (the harness plays it). */
  issuer: string;
  /** The key whose certificate the SP trusts for that IdP. */
  signingKey: SigningKey;
  clock: Clock;
  probe: SignedInProbe;
  clockSkewSeconds?: number;
  /** RelayState sent with every delivery that names none (some SPs require one). */
  relayState?: string;
  /** A bare-assertion delivery is wrapped in a Response the harness signs too (default false: assertion signature only). */
  signWrappedResponse?: boolean;
  tlsCa?: string | string[];
  timeoutMs?: number;
  maxResponseBytes?: number;
  onClose?: () => Promise<void>;
}

export function samlSpConsumer(c: SamlSpConsumerConfig): TokenConsumer {
  const rp = httpRelyingPartyTarget({
    name: c.name,
    kind: "http",
    realm: c.entityId,
    replyUrl: c.acsUrl,
    issuer: c.issuer,
    signingKey: c.signingKey,
    tokenTypes: ["saml20"],
    clock: c.clock,
    probe: c.probe,
    clockSkewSeconds: c.clockSkewSeconds,
    tlsCa: c.tlsCa,
    timeoutMs: c.timeoutMs,
    maxResponseBytes: c.maxResponseBytes,
    onClose: c.onClose,
  });
  return {
    description: { name: c.name, kind: "saml-sp" },
    // The SP's native delivery first: the attacks take the first kind that fits.
    deliveries: ["samlResponse", "assertion"],
    trust: { issuer: c.issuer, signingKey: c.signingKey, audience: c.entityId, recipient: c.acsUrl },
    tokenTypes: ["saml20"],
    clock: c.clock,
    clockSkewSeconds: c.clockSkewSeconds,
    async consume(d: Delivery): Promise<ConsumerOutcome> {
      let xml: string;
      let relayState = c.relayState;
      if (d.kind === "samlResponse") {
        xml = d.xml;
        relayState = d.relayState ?? relayState;
      } else if (d.kind === "assertion") {
        // A bare assertion travels in an unsigned Response (or one the harness signs), as an IdP would send it.
        xml = buildResponse(
          { id: `_${randomBytes(16).toString("hex")}`, issueInstant: c.clock.now(), destination: c.acsUrl, issuer: c.issuer, assertions: [d.xml] },
          c.signWrappedResponse ? { key: c.signingKey } : undefined,
        );
      } else return { accepted: false, reason: `a SAML 2.0 SP takes no ${d.kind} delivery` };
      const fields: Record<string, string> = { SAMLResponse: encodeSamlResponse(xml) };
      if (relayState !== undefined) fields.RelayState = relayState;
      return judgeSession(await rpSession(rp, (s) => s.postForm(fields)));
    },
    close: () => rp.close(),
  };
}
