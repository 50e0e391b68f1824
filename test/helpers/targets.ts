// Test fixture: in-process reference targets (with optional defects) over one set of keys
// generated for the file, all closed after it.
import { afterAll, beforeAll } from "vitest";
import { FakeClock } from "../../protocol/clock.ts";
import { referenceTargetConfig } from "../../adapters/target-config.ts";
import type { StsTarget } from "../../adapters/sts-target.ts";
import { loadOrCreateKeys, type ReferenceKeys } from "../../reference/keys.ts";
import { createTarget } from "../../suites/target.ts";

/** Call at the top of a test file; the returned function opens a reference target with these defects. */
export function referenceTargets(): (defects?: string[]) => Promise<StsTarget> {
  let keys: ReferenceKeys;
  const opened: StsTarget[] = [];
  beforeAll(() => {
    keys = loadOrCreateKeys(new FakeClock(Date.now()));
  });
  afterAll(async () => {
    for (const t of opened) await t.close();
  });
  return async (defects = []) => {
    const t = await createTarget(referenceTargetConfig(defects), { referenceKeys: keys });
    opened.push(t);
    return t;
  };
}
