// Benchmark: full WS-Federation passive rounds against the reference IdP over HTTP loopback, under the undici
// browser driver. One round = a fresh browser signs in to 3 harness RPs (one login, three tokens, each validated by
// its RP), checks the three sessions, signs out at the IdP (wsignoutcleanup1.0 reaches all three) and checks that
// they are gone. The baseline, measured in the same run and interleaved with it, is a raw RSA-2048 sign: each
// round costs 3 signatures, so "token share" = 3 x rounds/s / signs/s says how close the passive path gets to the
// signing bound.
//   node cli/run-ts.mjs bench/wsfed.ts [--rounds 5] [--seconds 3] [--concurrency 8]
import { createSign, generateKeyPairSync } from "node:crypto";
import { parseArgs } from "node:util";
import { request } from "undici";
import { referenceTargetConfig } from "../adapters/target-config.ts";
import type { PassiveBrowser } from "../adapters/browser/browser.ts";
import { createTarget } from "../suites/target.ts";
import { passiveUrl, signInParams } from "../suites/ws-fed/support.ts";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "5" }, seconds: { type: "string", default: "3" }, concurrency: { type: "string", default: "8" } } });
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);

const target = await createTarget(referenceTargetConfig());
const idp = target.passiveIdp!;
const rps = idp.relyingParties.slice(0, 3);

async function signedIn(b: PassiveBrowser, url: string): Promise<boolean> {
  const cookie = b.cookies(url).map((c) => `${c.name}=${c.value}`).join("; ");
  const res = await request(url, { headers: cookie ? { cookie } : {} });
  await res.body.dump();
  return res.statusCode === 200;
}

/** One full round; throws when any step does not behave (a benchmark of a broken flow measures nothing). */
async function round(): Promise<void> {
  const b = await idp.newBrowser("undici");
  try {
    for (const rp of rps) {
      const nav = await b.navigate(passiveUrl(idp.signInUrl, signInParams(rp)), { credentials: idp.user });
      if (nav.autoPosts.length !== 1) throw new Error(`sign-in to ${rp.realm} posted ${nav.autoPosts.length} responses`);
    }
    for (const rp of rps) if (!(await signedIn(b, rp.protectedUrl))) throw new Error(`no session at ${rp.realm}`);
    const out = await b.navigate(passiveUrl(idp.signInUrl, { wa: "wsignout1.0" }));
    if (out.subresources.length !== rps.length) throw new Error(`sign-out loaded ${out.subresources.length} cleanup images`);
    for (const rp of rps) if (await signedIn(b, rp.protectedUrl)) throw new Error(`session at ${rp.realm} survived sign-out`);
  } finally {
    await b.close();
  }
}

async function passiveRate(): Promise<number> {
  let done = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await round();
        done++;
      }
    }),
  );
  return done / SECONDS;
}

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
function signRate(): number {
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const data = Buffer.alloc(512, 1);
  while (performance.now() < end) {
    createSign("RSA-SHA256").update(data).sign(privateKey);
    n++;
  }
  return n / SECONDS;
}

await round(); // warm-up: JIT, keep-alive pools, session stores
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rates: number[] = [];
const signs: number[] = [];
const shares: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const s = signRate();
  const r = await passiveRate();
  signs.push(s);
  rates.push(r);
  shares.push((3 * r) / s);
  console.log(`round ${i + 1}: ${r.toFixed(1)} passive rounds/s (3 RPs, undici, ${CONCURRENCY} browsers), raw RSA sign ${s.toFixed(0)}/s, token share ${((3 * r) / s).toFixed(2)}`);
}
console.log(
  `median: ${median(rates).toFixed(1)} sign-in + sign-out rounds/s with 3 RPs (${(median(rates) * 3).toFixed(0)} tokens/s); ` +
    `raw RSA sign ${median(signs).toFixed(0)}/s; token share ${median(shares).toFixed(2)} (min ${Math.min(...shares).toFixed(2)}, max ${Math.max(...shares).toFixed(2)})`,
);
await target.close();
process.exit(0);
