// The SAML checks a typical application performs on the assertion its signature library vouched for: issuer,
// audience, validity window with skew, bearer recipient and a replay cache, then the identity. Shared by the
// xml-crypto calibration adapters so the only difference between them is the library version.
const SAML2 = "urn:oasis:names:tc:SAML:2.0:assertion";
const SAML11 = "urn:oasis:names:tc:SAML:1.0:assertion";

export interface AppOptions {
  issuer: string;
  audience: string;
  recipient?: string;
  now: Date;
}

function first(el: Element, ns: string, local: string): Element | undefined {
  return (el.getElementsByTagNameNS(ns, local)[0] as Element | undefined) ?? undefined;
}

function all(el: Element, ns: string, local: string): Element[] {
  return Array.from(el.getElementsByTagNameNS(ns, local) as unknown as ArrayLike<Element>);
}

export class ReplayCache {
  private readonly seen = new Map<string, number>();
  /** Throws when the id was seen and has not expired yet; remembers it until `until`. */
  use(id: string, now: number, until: number): void {
    for (const [k, exp] of this.seen) if (exp < now) this.seen.delete(k);
    if (this.seen.has(id)) throw new Error(`assertion ${id} was already used`);
    this.seen.set(id, until);
  }
}

export function checkAssertion(a: Element, o: AppOptions, skewSeconds: number, replay: ReplayCache): { subject: string; claims: Record<string, string[]> } {
  const now = o.now.getTime();
  const skew = skewSeconds * 1000;
  const v2 = a.namespaceURI === SAML2;
  if (!v2 && a.namespaceURI !== SAML11) throw new Error("not a SAML assertion");
  const ns = v2 ? SAML2 : SAML11;
  const issuer = v2 ? first(a, ns, "Issuer")?.textContent : a.getAttribute("Issuer");
  if (issuer !== o.issuer) throw new Error(`unexpected issuer ${issuer}`);
  const cond = first(a, ns, "Conditions");
  if (!cond) throw new Error("no Conditions");
  const nb = cond.getAttribute("NotBefore");
  const noa = cond.getAttribute("NotOnOrAfter");
  if (nb && now + skew < Date.parse(nb)) throw new Error("assertion not yet valid");
  if (noa && now - skew >= Date.parse(noa)) throw new Error("assertion expired");
  const audiences = all(cond, ns, "Audience").map((x) => x.textContent?.trim());
  if (!audiences.includes(o.audience)) throw new Error("audience mismatch");
  if (v2) {
    const data = first(a, ns, "SubjectConfirmationData");
    const dn = data?.getAttribute("NotOnOrAfter");
    if (dn && now - skew >= Date.parse(dn)) throw new Error("subject confirmation expired");
    const rcpt = data?.getAttribute("Recipient");
    if (o.recipient && rcpt && rcpt !== o.recipient) throw new Error("recipient mismatch");
  }
  const id = a.getAttribute(v2 ? "ID" : "AssertionID") ?? "";
  replay.use(`${issuer}|${id}`, now, (noa ? Date.parse(noa) : now) + skew);
  const subject = (v2 ? first(a, ns, "NameID") : first(a, ns, "NameIdentifier"))?.textContent?.trim() ?? "";
  const claims: Record<string, string[]> = {};
  for (const at of all(a, ns, "Attribute")) {
    const name = v2 ? at.getAttribute("Name")! : `${at.getAttribute("AttributeNamespace")}/${at.getAttribute("AttributeName")}`;
    claims[name] = all(at, ns, "AttributeValue").map((x) => x.textContent?.trim() ?? "");
  }
  return { subject, claims };
}
