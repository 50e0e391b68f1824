// Running an attack from the catalogue against a target's token consumer: a positive control first (the untampered
// token must be accepted, else the case cannot judge), then every crafted variant, judged as the attack says. Every
// delivery is recorded as an exchange (the crafted token is the request, the consumer's outcome the response).
import type { ConsumerOutcome, Delivery, TokenConsumer } from "../../adapters/token-consumer.ts";
import type { StsTarget } from "../../adapters/sts-target.ts";
import { TargetError, type CaseContext, type CaseDefinition } from "../case.ts";
import { ATTACKS, type Attack, type Variant } from "./attacks.ts";
import { attackerKeysFor } from "./keys.ts";
import { EVIL, LEGIT, envelope, idpSigned, randomIds, tokenSpec, type DeliveryKind, type SamlVersion, type Scenario } from "./scenario.ts";

const VERSION_TOKEN: Record<SamlVersion, "saml20" | "saml11"> = { "2.0": "saml20", "1.1": "saml11" };

/** Delivery kind and SAML version for an attack on this consumer, or why there is none. */
export function choose(a: Attack, c: TokenConsumer): { kind: DeliveryKind; version: SamlVersion } | string {
  const kinds = c.deliveries.filter((k) => !a.kinds || a.kinds.includes(k));
  if (kinds.length === 0) return `the consumer takes no ${a.kinds!.join(" or ")} delivery, which this attack needs`;
  const versions = (a.versions ?? ["2.0", "1.1"]).filter((v) => c.tokenTypes.includes(VERSION_TOKEN[v]));
  if (versions.length === 0) return `the consumer takes no SAML ${(a.versions ?? []).join("/")} token, which this attack needs`;
  for (const kind of kinds) {
    const v = versions.find((x) => kind !== "samlResponse" || x === "2.0");
    if (v) return { kind, version: v };
  }
  return "no delivery kind of the consumer fits the token versions this attack uses";
}

export function liveScenario(c: TokenConsumer): Scenario {
  const now = c.clock.now();
  return {
    idp: { issuer: c.trust.issuer, key: c.trust.signingKey },
    audience: c.trust.audience,
    recipient: c.trust.recipient,
    now,
    skewSeconds: c.clockSkewSeconds,
    keys: attackerKeysFor(c.trust.signingKey, now),
    newId: randomIds(),
  };
}

function delivery(kind: DeliveryKind, xml: string): Delivery {
  return kind === "assertion" ? { kind, xml } : kind === "wresult" ? { kind, xml } : { kind, xml };
}

async function deliver(t: CaseContext, c: TokenConsumer, kind: DeliveryKind, v: Variant): Promise<ConsumerOutcome> {
  const started = performance.now();
  const rec = { path: `token-consumer ${kind}: ${v.name}`, request: v.xml, ms: 0 } as CaseContext["exchanges"][number];
  t.exchanges.push(rec);
  try {
    const o = await c.consume(delivery(kind, v.xml));
    rec.response = JSON.stringify(o, null, 1);
    rec.contentType = "application/json";
    return o;
  } catch (e) {
    rec.error = (e as Error).message;
    throw new TargetError(`the consumer failed on delivery (${v.name}): ${(e as Error).message}`);
  } finally {
    rec.ms = performance.now() - started;
  }
}

/** Every identity value the consumer reported: the subject and all claim values. */
function reported(o: Extract<ConsumerOutcome, { accepted: true }>): string[] {
  return [...(o.subject !== undefined ? [o.subject] : []), ...Object.values(o.claims).flat()];
}

function describe(o: Extract<ConsumerOutcome, { accepted: true }>): string {
  return o.subject !== undefined ? `subject ${JSON.stringify(o.subject)}` : `claims ${JSON.stringify(o.claims).slice(0, 200)}`;
}

export function vectorPath(a: Attack): string {
  return `vectors/security/${a.id}.xml`;
}

function reproduce(a: Attack): string {
  return `reproduce: npx wsconform run --grep 'security/${a.id}:' (vector ${vectorPath(a)})`;
}

export async function runAttack(t: CaseContext, a: Attack): Promise<void> {
  const c = t.target.tokenConsumer;
  if (!c) t.skip("the target has no token consumer");
  const pick = choose(a, c);
  if (typeof pick === "string") t.skip(pick);
  const { kind, version } = pick;
  if (a.needsSkew && c.clockSkewSeconds === undefined) t.skip("the consumer declares no clock skew (clockSkewSeconds), so its boundary is unknown");
  if (a.needsRecipient && !c.trust.recipient) t.skip("the consumer declares no recipient (ACS URL) to check");
  const s = liveScenario(c);

  const control: Variant = { name: "positive control (untampered token)", xml: envelope(s, kind, version, [idpSigned(s, tokenSpec(s, version))]) };
  const ok = await deliver(t, c, kind, control);
  if (!ok.accepted) throw new TargetError(`consumer rejects valid tokens — cannot judge (${ok.reason.slice(0, 300)})`);
  const knowsIdentity = reported(ok).includes(LEGIT.subject);
  if (!knowsIdentity) t.info(`the consumer reports no recognisable identity for the valid token (${describe(ok)}), so identity judgements are weaker`);

  const variants = a.craft(s, kind, version);
  if (a.judge === "replay") {
    const [first, second] = variants;
    const o1 = await deliver(t, c, kind, first!);
    if (!o1.accepted) throw new TargetError(`consumer rejects a fresh valid token — cannot judge replay (${o1.reason.slice(0, 300)})`);
    const o2 = await deliver(t, c, kind, second!);
    if (o2.accepted) t.check(false, `the same assertion was accepted twice (${describe(o2)}); ${reproduce(a)}`, version === "1.1" ? "SAML-REPLAY-11" : "SAML-REPLAY");
    return;
  }
  for (const v of variants) {
    const o = await deliver(t, c, kind, v);
    judge(t, a, v, o, knowsIdentity);
  }
}

function judge(t: CaseContext, a: Attack, v: Variant, o: ConsumerOutcome, knowsIdentity: boolean): void {
  const req = a.requirements[0]!;
  switch (a.judge) {
    case "reject":
      t.check(!o.accepted, `${v.name}: the forged or invalid token was accepted (${o.accepted ? describe(o) : ""}); ${reproduce(a)}`, req);
      return;
    case "identity": {
      if (!o.accepted) return;
      const ids = reported(o);
      const forged = ids.filter((x) => x === EVIL.subject || x === EVIL.role);
      t.check(forged.length === 0, `${v.name}: accepted with forged identity values ${JSON.stringify([...new Set(forged)])} (${describe(o)}); ${reproduce(a)}`, req);
      if (ids.includes(LEGIT.subject)) t.info(`${v.name}: accepted with the legitimate identity (the signed content was used)`);
      else if (!knowsIdentity) t.info(`${v.name}: accepted (${describe(o)})`);
      else t.info(`${v.name}: accepted with an unrecognised identity (${describe(o)})`);
      return;
    }
    case "truncation": {
      if (!o.accepted) return;
      const ids = reported(o);
      t.check(!ids.includes(EVIL.subject), `${v.name}: the identity was read truncated (${describe(o)}); ${reproduce(a)}`, req);
      t.info(`${v.name}: accepted, identity read in full`);
      return;
    }
    case "observe":
      if (o.accepted) t.info(`${v.name}: accepted`);
      return;
    case "accept":
      if (!o.accepted) t.info(`${v.name}: refused (${o.reason.slice(0, 200)}) although inside the declared skew`);
      return;
  }
}

export function attackCase(a: Attack): CaseDefinition {
  return {
    id: `security/${a.id}`,
    title: a.title + (a.cve ? ` (${a.cve} class)` : ""),
    requirements: a.requirements,
    needs: [{ kind: "tokenConsumer" }],
    run: (t) => runAttack(t, a),
  };
}

/** The cases of one attack class ("xsw", "key-trust", ...). */
export function classCases(cls: string): CaseDefinition[] {
  return ATTACKS.filter((a) => a.id.startsWith(`${cls}/`)).map(attackCase);
}

/** A target that is only a token consumer (no WS-Trust endpoints): library calibration and consumer-only runs. */
export function consumerOnlyTarget(consumer: TokenConsumer): StsTarget {
  return {
    description: { name: consumer.description.name, kind: "reference" },
    capabilities: { versions: [], soapVersions: [], operations: [], tokenTypes: [], keyTypes: [], credentials: [], onBehalfOf: false, actAs: false, claimsDialects: [] },
    transport: async () => {
      throw new Error("a consumer-only target has no WS-Trust transport");
    },
    endpoint: () => undefined,
    user: { username: "", password: "" },
    trustAnchors: [],
    appliesTo: { registered: consumer.trust.audience, unregistered: "urn:wsconform:unregistered" },
    clock: consumer.clock,
    clockSkewSeconds: consumer.clockSkewSeconds ?? 300,
    tokenConsumer: consumer,
    close: () => consumer.close(),
  };
}
