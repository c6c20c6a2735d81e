/**
 * Faults a test arms on the mock through /__mock/faults. Each applies to requests whose method
 * and path match, `times` times (default: until cleared).
 */
export type FaultKind =
  | 'status' //       answer with `status` (default 500)
  | 'delay' //        wait `ms` before answering normally
  | 'reset-before' // destroy the socket before any response byte
  | 'reset-mid-body' // send headers (Content-Length `bytes`, default 1000) and part of the body, then destroy the socket
  | 'malformed'; //   write bytes that are not HTTP

export interface Fault {
  kind: FaultKind;
  path: string;
  method?: string;
  status?: number;
  ms?: number;
  bytes?: number;
  times?: number;
}

export class FaultTable {
  private faults: Fault[] = [];

  arm(fault: Fault): void {
    if (!['status', 'delay', 'reset-before', 'reset-mid-body', 'malformed'].includes(fault.kind)) throw new Error(`unknown fault kind ${fault.kind}`);
    this.faults.push({ ...fault });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault for this request, consuming one of its `times`. */
  take(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex((f) => f.path === path && (f.method === undefined || f.method === method));
    if (i === -1) return undefined;
    const fault = this.faults[i]!;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.faults.splice(i, 1);
    }
    return fault;
  }
}
