// `wsconform` command line. Exit codes: 0 ok, 1 conformance failures, 2 harness or configuration error.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError } from "../reference/config.ts";
import { DEFECTS, DEFECT_NAMES } from "../reference/defects.ts";
import { serve } from "../reference/http.ts";
import { ReferenceSts } from "../reference/sts.ts";
import { selfcheck } from "./selfcheck.ts";

const USAGE = `usage: wsconform <command> [options]

commands:
  serve       run the reference STS over HTTP(S)
                --port N        (default 8089, or 8443 with --tls)
                --host ADDR     (default 127.0.0.1)
                --tls           serve HTTPS with the reference's TLS certificate
                --config FILE   JSON configuration overriding the embedded default
                --data DIR      where keys persist (default .wsconform/reference)
                --defect NAME   switch on a deliberate defect (repeatable; see 'wsconform defects')
  selfcheck   start the reference in-process on a loopback port and run Issue/Validate/Renew/Cancel against it
                --target URL    check an already running reference instead
                --defect NAME   (repeatable) start the in-process reference with these defects
  init [FILE] write a commented starter target description (default wsconform.config.json)
  run         run the conformance suites against a target and write reports
                --target FILE|URL   wsconform.config.json, or an AD FS-shaped base URL (default: in-process reference)
                --suite PATH        only suite files matching PATH (repeatable), e.g. suites/ws-trust/issue
                --grep TEXT         only cases whose name matches (case ids: --grep 'ws-trust/issue/context-echo:')
                --report DIR        where result.json, junit.xml and summary.txt go (default reports/out/latest)
                --expect FILE       known failures; exit 1 only for unexpected FAIL/ERROR
                --update-expectations  write the expectations file from this run
                --strict            a failed SHOULD is a FAIL (default: WARN)
                --no-allure-report  write the Allure results but skip generating the Allure HTML report
                --defect NAME       (in-process reference only) switch on a deliberate defect
              exit codes: 0 ok, 1 conformance failures (or no case selected), 2 harness or configuration error
  defects     list the reference's defects switchboard
  fuzz        property-based fuzzing with shrinking; counterexamples saved to vectors/regressions/
                --target FILE|URL  --budget 60s|N  --seed S  --profile sts|idp|consumer  --shard i/n
                --report DIR (default reports/out/fuzz)  --defect NAME...  --merge DIR... (join shard reports)
  probe       skew [--target FILE|URL] [--face sts|consumer]: bisect the accepted clock-skew window (INFO; WARN
              beyond 5 min; FAIL beyond the claimed clockSkewSeconds); exit codes as run
  vectors     replay FILE|DIR... [--target FILE|URL] [--defect NAME]: send saved regression vectors again
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "serve":
        return await serveCommand(rest);
      case "selfcheck":
        return await selfcheckCommand(rest);
      case "init": {
        const { existsSync, writeFileSync } = await import("node:fs");
        const { starterConfig } = await import("../adapters/target-config.ts");
        const file = rest[0] ?? "wsconform.config.json";
        if (existsSync(file)) {
          process.stderr.write(`${file} exists; not overwritten\n`);
          return 2;
        }
        writeFileSync(file, `${JSON.stringify(starterConfig(), null, 2)}\n`);
        process.stdout.write(`wrote ${file}: edit it, then run: npx wsconform run --target ${file}\n`);
        return 0;
      }
      case "run": {
        const { runCommand } = await import("./run.ts");
        return await runCommand(rest);
      }
      case "fuzz":
        return await (await import("./fuzz.ts")).fuzzCommand(rest);
      case "probe":
        return await (await import("./probe.ts")).probeCommand(rest);
      case "vectors":
        return await (await import("./vectors.ts")).vectorsCommand(rest);
      case "defects":
        for (const name of DEFECT_NAMES) console.log(`${name.padEnd(30)} ${DEFECTS[name].behaviour}  [breaks ${DEFECTS[name].breaks.join(", ")}]`);
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    process.stderr.write(`wsconform: ${(e as Error).message}\n`);
    return 2;
  }
}

function loadConfig(path: string | undefined): unknown {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError([`--config ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`--config ${path}: not valid JSON (${(e as Error).message})`]);
  }
}

const SERVE_USAGE = `usage: wsconform serve [--port N] [--host ADDR] [--tls] [--config FILE] [--data DIR] [--defect NAME ...]

Serves the reference STS (AD FS-shaped WS-Trust endpoints), its WS-Federation passive IdP (/adfs/ls/) and signed
federation metadata (/FederationMetadata/2007-06/FederationMetadata.xml). Default port 8089 (8443 with --tls);
keys persist in --data (default .wsconform/reference). Ctrl-C / SIGTERM stops it.
`;

async function serveCommand(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(SERVE_USAGE);
    return 0;
  }
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      tls: { type: "boolean", default: false },
      config: { type: "string" },
      data: { type: "string", default: ".wsconform/reference" },
      defect: { type: "string", multiple: true, default: [] },
    },
    strict: true,
  });
  const port = values.port === undefined ? (values.tls ? 8443 : 8089) : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError([`--port: ${values.port} is not a port number`]);
  const sts = new ReferenceSts({ config: loadConfig(values.config), dataDir: values.data, defects: values.defect });
  const running = await serve(sts, { port, host: values.host, tls: values.tls });
  const { endpointListing } = await import("../reference/http.ts");
  process.stdout.write(endpointListing(sts, running.url));
  process.stdout.write(`Keys persist in ${values.data}\n`);
  process.stdout.write(`Signing certificate (${sts.config.activeSigningKey}):\n${sts.config.activeSigningKey === "primary" ? sts.keys.signing.primary.certPem : sts.keys.signing.secondary.certPem}`);
  if (values.tls) process.stdout.write(`TLS certificate:\n${sts.keys.tls.certPem}`);
  process.stdout.write("Ready. Ctrl-C stops.\n");
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await running.close();
  process.stdout.write("stopped\n");
  return 0;
}

async function selfcheckCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { target: { type: "string" }, defect: { type: "string", multiple: true, default: [] } },
    strict: true,
  });
  return selfcheck({ target: values.target, defects: values.defect, out: (line) => process.stdout.write(`${line}\n`) });
}
