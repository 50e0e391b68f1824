// The reference mirrors AD FS paths so existing WS-Trust clients work unchanged (digest §5.8).
import type { TrustVersion } from "../protocol/namespaces.ts";

export type Credential = "username" | "certificate";

export interface StsEndpoint {
  path: string;
  /** Trust namespace this endpoint speaks: "2005" or "1.3" (1.3 endpoints also take 1.4 ActAs). */
  version: TrustVersion;
  credential: Credential;
}

export const STS_ENDPOINTS: readonly StsEndpoint[] = [
  { path: "/adfs/services/trust/13/usernamemixed", version: "1.3", credential: "username" },
  { path: "/adfs/services/trust/13/certificatemixed", version: "1.3", credential: "certificate" },
  { path: "/adfs/services/trust/2005/usernamemixed", version: "2005", credential: "username" },
  { path: "/adfs/services/trust/2005/certificatemixed", version: "2005", credential: "certificate" },
];

export function endpointFor(path: string): StsEndpoint | undefined {
  const p = path.split("?")[0]!.replace(/\/+$/, "").toLowerCase();
  return STS_ENDPOINTS.find((e) => e.path === p);
}
