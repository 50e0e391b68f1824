// Container targets: the harness starts the STS under test from a local docker image (testcontainers
// GenericContainer), waits until it is ready, tests it over the port docker maps to the loopback interface, and
// stops it afterwards. Images are never pulled: the image must already be in the local engine (a vendor's own
// build, or peers/reference-image/build.sh for the reference STS).
//
// Every failure ends in an Error that says what to do (no engine, image missing, not ready in time) and nothing
// waits forever: the whole start is bounded by startupTimeoutMs plus a margin.
import { createServer, isIP } from "node:net";
import type { Readable } from "node:stream";
import { GenericContainer, ImageName, Wait, getContainerRuntimeClient, type StartedTestContainer } from "testcontainers";

export type ContainerWait = { path: string; status?: number } | { log: string };

export interface ContainerTargetOptions {
  /** A local image, e.g. "wsconform/reference:local" or "acme/sts:1.2". */
  image: string;
  /** The port the STS listens on inside the container (HTTP). */
  port: number;
  env?: Record<string, string>;
  /** Readiness: an HTTP GET answering `status` (default 200) on the port, or a line in the container's output.
   * Default: any HTTP answer to GET / (testcontainers' listening-port check needs a shell in the image, which
   * minimal images lack, and a bare TCP connect proves nothing: docker's proxy accepts before the STS listens). */
  wait?: ContainerWait;
  /** How long the container may take to become ready (default 60 s). */
  startupTimeoutMs?: number;
  /** The STS serves HTTPS on the port (baseUrl https://; the readiness probe does not check the certificate). */
  tls?: boolean;
}

export interface StartedContainerTarget {
  /** http(s)://127.0.0.1:<mapped port> (or the engine's host when docker runs elsewhere). */
  baseUrl: string;
  containerId: string;
  stop(): Promise<void>;
}

export class ContainerTargetError extends Error {
  override readonly name = "ContainerTargetError";
}

const LOG_TAIL_LINES = 12;
/** Time for engine calls around the wait itself (connect, inspect, create, start). */
const ENGINE_MARGIN_MS = 30_000;

/** GenericContainer that publishes its ports on the loopback interface only when the engine is local. */
class LoopbackContainer extends GenericContainer {
  bindToLoopback(): this {
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {}) as { HostIp?: string }[][]) {
      for (const b of bindings) b.HostIp = "127.0.0.1";
    }
    return this;
  }
}

function withDeadline<T>(p: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ContainerTargetError(message())), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Whether the engine publishes ports in this machine's own network namespace: its host is loopback, or (when
 * testcontainers sees /.dockerenv and picks the bridge gateway) an address of one of our own interfaces, as when
 * dockerd runs inside this very container. Then ports are bound to 127.0.0.1 only and reached there. */
async function engineIsLocal(host: string): Promise<boolean> {
  if (host === "localhost" || host === "127.0.0.1" || host === "::1") return true;
  if (process.env.TESTCONTAINERS_HOST_OVERRIDE || !isIP(host)) return false;
  // An address is ours when we can bind to it (os.networkInterfaces() leaves out a docker0 without containers).
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(0, host, () => probe.close(() => resolve(true)));
  });
}

/** Start a container target from a local image and wait until it is ready. */
export async function startContainerTarget(opts: ContainerTargetOptions): Promise<StartedContainerTarget> {
  if (!opts.image) throw new ContainerTargetError("container target: no image given");
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) throw new ContainerTargetError(`container target: port ${opts.port} is not a TCP port`);
  const startupTimeoutMs = opts.startupTimeoutMs ?? 60_000;
  // The reaper (ryuk) is an image from a registry; without a registry it cannot start. Containers are removed by
  // stop() instead.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

  const client = await withDeadline(
    getContainerRuntimeClient().catch((e: unknown) => {
      throw new ContainerTargetError(
        `container target: no docker engine answers (${(e as Error).message}); install docker.io and start dockerd, or set DOCKER_HOST`,
      );
    }),
    ENGINE_MARGIN_MS,
    () => "container target: the docker engine did not answer within 30 s",
  );
  let exists: boolean;
  try {
    exists = await withDeadline(client.image.exists(ImageName.fromString(opts.image)), ENGINE_MARGIN_MS, () => "container target: the docker engine did not answer within 30 s");
  } catch (e) {
    throw e instanceof ContainerTargetError ? e : new ContainerTargetError(`container target: cannot look up image ${opts.image}: ${(e as Error).message}`);
  }
  if (!exists) {
    throw new ContainerTargetError(
      `container target: image ${opts.image} is not in the local docker engine (images are never pulled; build or load it first, e.g. docker load -i image.tar; for the reference STS run peers/reference-image/build.sh)`,
    );
  }

  const local = await engineIsLocal(client.info.containerRuntime.host);
  if (local && client.info.containerRuntime.host !== "127.0.0.1") {
    // testcontainers' readiness probes and port lookups use this host: make them use loopback like we do.
    client.info.containerRuntime.host = "127.0.0.1";
    client.info.containerRuntime.hostIps = [{ address: "127.0.0.1", family: 4 }];
  }
  const logTail: string[] = [];
  const container = new LoopbackContainer(opts.image)
    .withExposedPorts(opts.port)
    .withEnvironment(opts.env ?? {})
    .withStartupTimeout(startupTimeoutMs)
    .withLogConsumer((stream: Readable) => {
      stream.on("data", (chunk: Buffer | string) => {
        for (const line of chunk.toString().split("\n")) {
          if (!line.trim()) continue;
          logTail.push(line);
          if (logTail.length > LOG_TAIL_LINES) logTail.shift();
        }
      });
      stream.on("error", () => {});
    });
  if (local) container.bindToLoopback();
  const w = opts.wait;
  if (w && "log" in w) container.withWaitStrategy(Wait.forLogMessage(w.log));
  else {
    const probe = Wait.forHttp(w?.path ?? "/", opts.port, { abortOnContainerExit: true });
    if (w) probe.forStatusCode(w.status ?? 200);
    else probe.forStatusCodeMatching(() => true);
    container.withWaitStrategy(opts.tls ? probe.usingTls().allowInsecure() : probe);
  }

  const what = w && "path" in w ? `GET ${w.path} answering ${w.status ?? 200}` : w && "log" in w ? `the log line ${JSON.stringify(w.log)}` : `any HTTP answer to GET / on port ${opts.port}`;
  const tail = () => (logTail.length ? `; last container output:\n    ${logTail.join("\n    ")}` : "; the container wrote no output");
  const starting = container.start();
  let started: StartedTestContainer;
  try {
    started = await withDeadline(starting, startupTimeoutMs + ENGINE_MARGIN_MS, () => `container target: ${opts.image} did not become ready (${what}) within ${startupTimeoutMs + ENGINE_MARGIN_MS} ms${tail()}`);
  } catch (e) {
    // A start that finishes after the deadline must not leave a container behind.
    starting.then((c) => c.stop().catch(() => {}), () => {});
    if (e instanceof ContainerTargetError) throw e;
    throw new ContainerTargetError(`container target: ${opts.image} did not become ready (${what}, limit ${startupTimeoutMs} ms): ${(e as Error).message}${tail()}`);
  }
  const host = local ? "127.0.0.1" : started.getHost();
  const baseUrl = `${opts.tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${started.getMappedPort(opts.port)}`;
  let stopping: Promise<void> | undefined;
  return {
    baseUrl,
    containerId: started.getId(),
    stop: () => (stopping ??= withDeadline(started.stop({ remove: true, timeout: 10_000 }).then(() => {}), 60_000, () => `container target: ${opts.image} (${started.getId().slice(0, 12)}) did not stop within 60 s`)),
  };
}
