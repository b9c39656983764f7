// The few fields of a stored Receivable the current-state indexes need (status, registration time,
// due date, outstanding financing), read straight from its protobuf bytes: a full decode builds
// every field and financing, and indexOps reads two receivables per change. Field numbers and the
// status enum come from the schema (proto/tradeledger.proto, through sdk/codec.ts), never from
// literals here; a test checks the result against the full decode.
import { enumNames, fieldNumber } from "../../sdk/codec.js";
import type { ReceivableStatus } from "../../sdk/types.js";
import { corrupted } from "./errors.js";

export interface ReceivableIndexFields {
  status: ReceivableStatus;
  registeredAt: bigint;
  dueDate: string;
  /** some financing is not fully repaid */
  outstanding: boolean;
}

const DUE_DATE = fieldNumber("Receivable", "dueDate");
const STATUS = fieldNumber("Receivable", "status");
const FINANCINGS = fieldNumber("Receivable", "financings");
const REGISTERED_AT = fieldNumber("Receivable", "registeredAt");
const F_AMOUNT = fieldNumber("Financing", "amount");
const F_REPAID = fieldNumber("Financing", "repaid");
const F_WRITTEN_OFF = fieldNumber("Financing", "writtenOff");
const STATUS_NAMES = enumNames("ReceivableStatus") as (ReceivableStatus | "STATUS_UNSPECIFIED")[];
const decoder = new TextDecoder("utf-8", { fatal: true });

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new RangeError("truncated varint");
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
    throw new RangeError("varint too long");
  }
  small(): number {
    // tags and lengths: < 2^28 in any message we store
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (this.pos >= this.end) throw new RangeError("truncated varint");
      const b = this.buf[this.pos++]!;
      result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
    }
    throw new RangeError("varint too long");
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) {
      const n = this.small(); // not `this.pos += this.small()`: that adds to the pos read before the length
      this.pos += n;
    }
    else if (wire === 5) this.pos += 4;
    else throw new RangeError(`wire type ${wire}`);
    if (this.pos > this.end) throw new RangeError("truncated field");
  }
}

/** Reads the index fields of an encoded Receivable; throws STORE_CORRUPTED on malformed bytes. */
export function receivableIndexFields(bytes: Uint8Array, what = "receivable"): ReceivableIndexFields {
  try {
    const r = new Reader(bytes, 0, bytes.length);
    let status = 0;
    let registeredAt = 0n;
    let dueDate = "";
    let outstanding = false;
    while (r.pos < r.end) {
      const tag = r.small();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (field === STATUS && wire === 0) status = Number(r.varint());
      else if (field === REGISTERED_AT && wire === 0) registeredAt = r.varint();
      else if (field === DUE_DATE && wire === 2) {
        const n = r.small();
        if (r.pos + n > r.end) throw new RangeError("truncated string");
        dueDate = decoder.decode(bytes.subarray(r.pos, r.pos + n));
        r.pos += n;
      } else if (field === FINANCINGS && wire === 2) {
        const n = r.small();
        const f = new Reader(bytes, r.pos, r.pos + n);
        if (f.end > r.end) throw new RangeError("truncated financing");
        let amount = 0n;
        let repaid = 0n;
        let writtenOff = 0n;
        while (f.pos < f.end) {
          const ft = f.small();
          if (ft >>> 3 === F_AMOUNT && (ft & 7) === 0) amount = f.varint();
          else if (ft >>> 3 === F_REPAID && (ft & 7) === 0) repaid = f.varint();
          else if (ft >>> 3 === F_WRITTEN_OFF && (ft & 7) === 0) writtenOff = f.varint();
          else f.skip(ft & 7);
        }
        if (amount > repaid + writtenOff) outstanding = true;
        r.pos += n;
      } else {
        r.skip(wire);
      }
    }
    const name = STATUS_NAMES[status];
    if (name === undefined) throw new RangeError(`unknown status ${status}`);
    return { status: name as ReceivableStatus, registeredAt, dueDate, outstanding };
  } catch (err) {
    throw corrupted(`${what} is not a well-formed Receivable`, {}, err);
  }
}
