// A rule of the reference that refuses a request throws StsFault; the request handler turns it into a SOAP fault
// of the version in use. Nothing else a handler throws reaches the wire except as wst:RequestFailed.
import type { SoapFault } from "../protocol/soap.ts";
import { trustFault, wsseFault, fedFault } from "../protocol/faults.ts";
import type { TrustVersion } from "../protocol/namespaces.ts";

export class StsFault extends Error {
  override readonly name = "StsFault";
  constructor(readonly fault: SoapFault) {
    // A fault is the reference's answer to a bad request, not a bug: no stack trace (a stack walk per refused
    // request was 2% of a fuzz case's CPU).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${fault.code.local}: ${fault.reason}`);
    Error.stackTraceLimit = limit;
  }
}

type TrustFaultName = Parameters<typeof trustFault>[1];
type WsseFaultName = Parameters<typeof wsseFault>[0];
type FedFaultName = Parameters<typeof fedFault>[0];

export function wst(version: TrustVersion, name: TrustFaultName, reason?: string): StsFault {
  return new StsFault(trustFault(version, name, reason));
}

export function wsse(name: WsseFaultName, reason?: string): StsFault {
  return new StsFault(wsseFault(name, reason));
}

export function fed(name: FedFaultName, reason?: string): StsFault {
  return new StsFault(fedFault(name, reason));
}
