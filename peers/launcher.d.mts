// Types of launcher.mjs for the TypeScript that imports it (test/interop, bench/peers.ts).
import type { ChildProcess } from "node:child_process";

export function parseRp(item: string): { realm: string; reply: string };
export function freePort(host: string): Promise<number>;
export function waitForReady<T>(child: ChildProcess, ready: (output: string) => T | undefined, timeoutMs: number, what: string): Promise<T>;
export function stopChild(child: ChildProcess | undefined): Promise<void>;
