// Encoding and decoding of every message in proto/, shared by SDK and node so they can never
// disagree about bytes. The wire format is protobuf's (proto3; protobuf.dev/programming-guides/encoding),
// of which proto/ uses little: varints (uint32, int32, uint64, int64, sint64, bool, enums), and
// length-delimited strings, bytes, messages and packed repeated scalars. This module implements
// that subset over the field table that scripts/gen-proto.mjs derives from proto/*.proto
// (proto/gen/schema.ts), and converts directly between wire bytes and plain domain objects:
//   - uint64/int64/sint64 <-> bigint, uint32 <-> number,
//   - enums <-> their names, bytes <-> Uint8Array, absent fields <-> defaults,
//   - a oneof <-> a field holding `{ type: <member name>, ...member fields }`.
// Encoding writes fields in field-number order and omits default values (what protobuf encoders
// do, and what test/codec.test.ts checks against protobufjs), so for the messages we produce
// encode(decode(b)) === b. `decodeCanonical` enforces that for received bytes that are signed or
// hashed. No eval, no generated code per message: it runs under a strict Content-Security-Policy.
import { enums, messages } from "../proto/gen/schema.js";
import { asUint8, equalBytes } from "./bytes.js";

export type CodecErrorKind = "truncated" | "invalid" | "non_canonical" | "unknown_field" | "range";

/** Bytes that are not a valid message of the expected type. Maps to MALFORMED / 400. */
export class CodecError extends Error {
  override readonly name = "CodecError";
  readonly code = "MALFORMED" as const;
  constructor(
    readonly kind: CodecErrorKind,
    message: string,
    readonly messageType: string,
  ) {
    super(`${messageType}: ${message}`);
  }
}

const U32_MAX = 0xffffffff;
const I32_MIN = -0x80000000;
const I32_MAX = 0x7fffffff;
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

// protobuf wire types
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

const enum Kind {
  String,
  Bytes,
  Bool,
  Uint32,
  Int32,
  Uint64,
  Int64,
  Sint64,
  Enum,
  Message,
}

const SCALAR_KINDS: Record<string, Kind> = {
  string: Kind.String,
  bytes: Kind.Bytes,
  bool: Kind.Bool,
  uint32: Kind.Uint32,
  int32: Kind.Int32,
  uint64: Kind.Uint64,
  int64: Kind.Int64,
  sint64: Kind.Sint64,
};

interface EnumPlan {
  name: string;
  /** name by value (undefined where unused) */
  names: readonly (string | null)[];
  values: Map<string, number>;
}

interface FieldPlan {
  name: string;
  id: number;
  kind: Kind;
  repeated: boolean;
  /** a varint-typed repeated field: written packed, read packed or not */
  packed: boolean;
  /** the tag this field is written with (packed fields: wire type LEN) */
  tag: number;
  oneof?: string;
  enumPlan?: EnumPlan;
  messageType?: string;
}

interface Plan {
  name: string;
  /** declaration order: the key order of decoded objects */
  fields: FieldPlan[];
  /** field-number order: the order fields are written in */
  byNumber: FieldPlan[];
  /** fields by number, for decoding */
  lookup: Map<number, FieldPlan>;
  oneofs: { name: string; members: Map<string, FieldPlan> }[];
}

const plans = new Map<string, Plan>();
const enumPlans = new Map<string, EnumPlan>();

function enumPlan(name: string): EnumPlan {
  let plan = enumPlans.get(name);
  if (!plan) {
    const names = enums[name]!;
    const values = new Map<string, number>();
    names.forEach((n, v) => n !== null && values.set(n, v));
    plan = { name: name.slice(name.lastIndexOf(".") + 1), names, values };
    enumPlans.set(name, plan);
  }
  return plan;
}

/** A field as [name, number, type ("repeated T" for a repeated one), oneof]. */
export type FieldDescriptor = [name: string, id: number, type: string, oneof?: string];

/** The fields of a message, in declaration order, from its line in proto/gen/schema.ts. */
export function messageFields(typeName: string): FieldDescriptor[] {
  const line = messages[typeName];
  if (line === undefined) throw new CodecError("invalid", "no such message type", typeName);
  const out: FieldDescriptor[] = [];
  let id = 0;
  let oneof: string | undefined;
  for (const token of line.split(" ")) {
    if (token.startsWith("{")) oneof = token.slice(1);
    else if (token === "}") oneof = undefined;
    else {
      const m = /^(\w+)(?:@(\d+))?:(\*?)([\w.]+)$/.exec(token);
      if (!m) throw new Error(`proto/gen/schema.ts: bad field ${token} in ${typeName}`);
      id = m[2] === undefined ? id + 1 : Number(m[2]);
      const field: FieldDescriptor = [m[1]!, id, m[3] ? `repeated ${m[4]}` : m[4]!];
      if (oneof !== undefined) field.push(oneof);
      out.push(field);
    }
  }
  return out;
}

/** Every message type name in proto/. */
export function messageTypes(): string[] {
  return Object.keys(messages);
}

function planFor(typeName: string): Plan {
  const cached = plans.get(typeName);
  if (cached) return cached;
  const fields = messageFields(typeName).map(([name, id, declared, oneof]): FieldPlan => {
    const repeated = declared.startsWith("repeated ");
    const type = repeated ? declared.slice(9) : declared;
    let kind = SCALAR_KINDS[type];
    const fp = { name, id, repeated, packed: false, tag: 0 } as FieldPlan;
    if (kind === undefined) {
      if (enums[type]) {
        kind = Kind.Enum;
        fp.enumPlan = enumPlan(type);
      } else {
        kind = Kind.Message;
        fp.messageType = type;
      }
    }
    fp.kind = kind;
    fp.packed = repeated && kind !== Kind.String && kind !== Kind.Bytes && kind !== Kind.Message;
    fp.tag = (id << 3) | (kind === Kind.String || kind === Kind.Bytes || kind === Kind.Message || fp.packed ? LEN : VARINT);
    if (oneof !== undefined) fp.oneof = oneof;
    return fp;
  });
  const oneofNames = [...new Set(fields.flatMap((f) => (f.oneof === undefined ? [] : [f.oneof])))];
  const plan: Plan = {
    name: typeName.slice(typeName.lastIndexOf(".") + 1),
    fields,
    byNumber: [...fields].sort((a, b) => a.id - b.id),
    lookup: new Map(fields.map((f) => [f.id, f])),
    oneofs: oneofNames.map((name) => ({ name, members: new Map(fields.filter((f) => f.oneof === name).map((f) => [f.name, f])) })),
  };
  plans.set(typeName, plan);
  return plan;
}

// ---- decode ---------------------------------------------------------------------------------

class Reader {
  pos = 0;
  end: number;
  constructor(
    readonly buf: Uint8Array,
    readonly typeName: string,
  ) {
    this.end = buf.length;
  }

  truncated(): never {
    throw new CodecError("truncated", `index out of range at offset ${this.pos}`, this.typeName);
  }

  byte(): number {
    if (this.pos >= this.end) this.truncated();
    return this.buf[this.pos++]!;
  }

  /** A varint's low 32 bits, unsigned (a longer varint is read whole; protobuf truncates it). */
  uint32(): number {
    if (this.pos < this.end) {
      const b = this.buf[this.pos]!;
      if (b < 0x80) {
        this.pos++;
        return b;
      }
    }
    this.varint64();
    return lo;
  }

  /** A varint of up to 10 bytes into `lo`, `hi` (bits 0-31, 32-63). */
  varint64(): void {
    let l = 0;
    let h = 0;
    let b: number;
    for (let shift = 0; shift < 28; shift += 7) {
      b = this.byte();
      l |= (b & 0x7f) << shift;
      if (b < 0x80) {
        lo = l >>> 0;
        hi = 0;
        return;
      }
    }
    b = this.byte();
    l |= (b & 0x7f) << 28;
    h = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (let shift = 3; ; shift += 7) {
        if (shift > 31) throw new CodecError("invalid", `invalid varint encoding at offset ${this.pos}`, this.typeName);
        b = this.byte();
        h |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    lo = l >>> 0;
    hi = h >>> 0;
  }

  /** The length of a length-delimited field; its bytes must lie within the message. */
  length(): number {
    const n = this.uint32();
    if (n > this.end - this.pos) this.truncated();
    return n;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.varint64();
        return;
      case I64:
        this.advance(8);
        return;
      case LEN:
        this.advance(this.length());
        return;
      case I32:
        this.advance(4);
        return;
      default:
        throw new CodecError("invalid", `invalid wire type ${wireType} at offset ${this.pos}`, this.typeName);
    }
  }

  advance(n: number): void {
    if (n > this.end - this.pos) this.truncated();
    this.pos += n;
  }
}

// varint64's result (module state: decoding is synchronous and never re-entered)
let lo = 0;
let hi = 0;

const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function readString(r: Reader, fp: FieldPlan): string {
  const n = r.length();
  const start = r.pos;
  r.pos += n;
  const buf = r.buf;
  // ASCII, the usual case (ids, dates, codes), without a decoder call
  if (n <= 64) {
    let s = "";
    for (let i = start; i < start + n; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return utf8(r, fp, start, n);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8(r, fp, start, n);
}

function utf8(r: Reader, fp: FieldPlan, start: number, n: number): string {
  try {
    return utf8Decoder.decode(r.buf.subarray(start, start + n));
  } catch {
    throw new CodecError("invalid", `${fp.name} is not valid UTF-8`, r.typeName);
  }
}

function bigintOf(unsigned: boolean): bigint {
  const u = hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
  return unsigned ? u : BigInt.asIntN(64, u);
}

function readScalar(r: Reader, fp: FieldPlan): unknown {
  switch (fp.kind) {
    case Kind.Uint32:
      return r.uint32();
    case Kind.Int32:
      return r.uint32() | 0;
    case Kind.Bool:
      r.varint64();
      return lo !== 0 || hi !== 0;
    case Kind.Uint64:
      r.varint64();
      return bigintOf(true);
    case Kind.Int64:
      r.varint64();
      return bigintOf(false);
    case Kind.Sint64: {
      r.varint64();
      const u = bigintOf(true);
      return (u >> 1n) ^ -(u & 1n);
    }
    case Kind.Enum: {
      const v = r.uint32() | 0;
      const name = fp.enumPlan!.names[v];
      if (name === undefined || name === null) throw new CodecError("invalid", `unknown enum value ${v} in ${fp.name}`, r.typeName);
      return name;
    }
    case Kind.String:
      return readString(r, fp);
    case Kind.Bytes: {
      const n = r.length();
      // a view of the input, as protobuf readers give
      const out = r.buf.subarray(r.pos, r.pos + n);
      r.pos += n;
      return out;
    }
    default:
      throw new Error("unreachable");
  }
}

function fieldDefault(fp: FieldPlan): unknown {
  if (fp.repeated) return [];
  switch (fp.kind) {
    case Kind.Uint64:
    case Kind.Int64:
    case Kind.Sint64:
      return 0n;
    case Kind.Enum:
      return fp.enumPlan!.names[0] ?? undefined;
    case Kind.Message:
      return undefined;
    case Kind.Bytes:
      return new Uint8Array(0);
    case Kind.String:
      return "";
    case Kind.Bool:
      return false;
    default:
      return 0;
  }
}

function readMessage(plan: Plan, r: Reader, out: Record<string, unknown>): Record<string, unknown> {
  for (const fp of plan.fields) if (fp.oneof === undefined) out[fp.name] = fieldDefault(fp);
  for (const o of plan.oneofs) out[o.name] = undefined;
  let unknown = false;
  while (r.pos < r.end) {
    const tag = r.uint32();
    const id = tag >>> 3;
    const wireType = tag & 7;
    const fp = plan.lookup.get(id);
    if (fp === undefined) {
      if (id === 0) throw new CodecError("invalid", `field number 0 at offset ${r.pos}`, r.typeName);
      r.skip(wireType);
      unknown = true; // refused once the message is read (a truncation or bad varint reports first)
      continue;
    }
    if (fp.packed && wireType === LEN) {
      const n = r.length();
      const outerEnd = r.end;
      r.end = r.pos + n;
      const list = out[fp.name] as unknown[];
      while (r.pos < r.end) list.push(readScalar(r, fp));
      r.end = outerEnd;
      continue;
    }
    const expected = fp.packed ? VARINT : fp.tag & 7;
    if (wireType !== expected) throw new CodecError("invalid", `${fp.name} has wire type ${wireType}, expected ${expected}`, r.typeName);
    let value: unknown;
    if (fp.kind === Kind.Message) {
      const n = r.length();
      const outerEnd = r.end;
      r.end = r.pos + n;
      const inner: Record<string, unknown> = fp.oneof === undefined ? {} : { type: fp.name };
      value = readMessage(planFor(fp.messageType!), r, inner);
      r.end = outerEnd;
    } else value = readScalar(r, fp);
    if (fp.repeated) (out[fp.name] as unknown[]).push(value);
    else if (fp.oneof !== undefined) {
      const current = out[fp.oneof] as { type: string } | undefined;
      if (current !== undefined && current.type !== fp.name) throw new CodecError("invalid", `oneof ${fp.oneof} has more than one member set`, r.typeName);
      out[fp.oneof] = value;
    } else out[fp.name] = value; // a repeated field number: the last one wins (and is not canonical)
  }
  if (unknown) throw new CodecError("unknown_field", "contains fields this version does not know", plan.name);
  return out;
}

// ---- encode ---------------------------------------------------------------------------------

class Writer {
  buf = new Uint8Array(1024);
  pos = 0;

  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  /** An unsigned 32-bit varint. */
  varint32(v: number): void {
    this.reserve(5);
    const buf = this.buf;
    while (v > 0x7f) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /** A varint of the 64-bit value hi:lo (unsigned 32-bit halves). */
  varint64(l: number, h: number): void {
    if (h === 0) return this.varint32(l);
    this.reserve(10);
    const buf = this.buf;
    // the low 28 bits, 7 at a time, then 4 low + 3 high, then the high bits
    for (let i = 0; i < 4; i++) {
      buf[this.pos++] = (l & 0x7f) | 0x80;
      l >>>= 7;
    }
    let b = l | ((h & 0x7) << 4);
    h >>>= 3;
    buf[this.pos++] = h === 0 ? b : b | 0x80;
    while (h !== 0) {
      b = h & 0x7f;
      h >>>= 7;
      buf[this.pos++] = h === 0 ? b : b | 0x80;
    }
  }

  /** Reserves a byte for the length of what follows; `ldelim` writes it. */
  fork(): number {
    this.reserve(1);
    return this.pos++;
  }

  /** Writes the length of everything since `fork` at its start, moving the content for a long one. */
  ldelim(start: number): void {
    const len = this.pos - start - 1;
    if (len < 0x80) {
      this.buf[start] = len;
      return;
    }
    let size = 1;
    for (let v = len >>> 7; v !== 0; v >>>= 7) size++;
    this.reserve(size - 1);
    this.buf.copyWithin(start + size, start + 1, this.pos);
    this.pos += size - 1;
    const end = this.pos;
    this.pos = start;
    this.varint32(len);
    this.pos = end;
  }

  bytes(b: Uint8Array): void {
    this.varint32(b.length);
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** UTF-8, length-prefixed. A lone surrogate has no UTF-8 form: refused. */
  string(s: string, fp: FieldPlan, typeName: string): void {
    const start = this.fork();
    this.reserve(s.length * 3);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) buf[p++] = c;
      else if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const d = s.charCodeAt(i + 1);
        if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) throw new CodecError("invalid", `${fp.name} holds a lone surrogate (not Unicode text)`, typeName);
        i++;
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        buf[p++] = 0xf0 | (c >> 18);
        buf[p++] = 0x80 | ((c >> 12) & 0x3f);
        buf[p++] = 0x80 | ((c >> 6) & 0x3f);
        buf[p++] = 0x80 | (c & 0x3f);
      } else {
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 0x3f);
        buf[p++] = 0x80 | (c & 0x3f);
      }
    }
    this.pos = p;
    this.ldelim(start);
  }
}

const scratch = new Writer();

function isDefault(fp: FieldPlan, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (fp.repeated) return (value as unknown[]).length === 0;
  switch (fp.kind) {
    case Kind.Uint64:
    case Kind.Int64:
    case Kind.Sint64:
      return value === 0n;
    case Kind.Enum:
      return value === 0 || value === fp.enumPlan!.names[0];
    case Kind.Message:
      return false;
    case Kind.Bytes:
      return (value as Uint8Array).length === 0;
    case Kind.String:
      return value === "";
    case Kind.Bool:
      return value === false;
    default:
      return value === 0;
  }
}

function bigintIn(fp: FieldPlan, value: unknown, typeName: string, min: bigint, max: bigint): bigint {
  if (typeof value !== "bigint") throw new CodecError("invalid", `${fp.name} must be a bigint`, typeName);
  if (value < min || value > max) throw new CodecError("range", `${fp.name} out of range: ${value}`, typeName);
  return value;
}

function integerIn(fp: FieldPlan, value: unknown, typeName: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw new CodecError("invalid", `${fp.name} must be an integer`, typeName);
  if (value < min || value > max) throw new CodecError("range", `${fp.name} out of range: ${value}`, typeName);
  return value;
}

function writeU64(w: Writer, u: bigint): void {
  if (u <= 0xffffffffn) w.varint32(Number(u));
  else w.varint64(Number(u & 0xffffffffn), Number(u >> 32n));
}

/** One value of a field, without its tag. */
function writeValue(w: Writer, fp: FieldPlan, value: unknown, typeName: string): void {
  switch (fp.kind) {
    case Kind.Uint32:
      return w.varint32(integerIn(fp, value, typeName, 0, U32_MAX));
    case Kind.Int32: {
      const v = integerIn(fp, value, typeName, I32_MIN, I32_MAX);
      return v >= 0 ? w.varint32(v) : w.varint64(v >>> 0, U32_MAX); // negative: sign-extended to 64 bits
    }
    case Kind.Bool:
      if (typeof value !== "boolean") throw new CodecError("invalid", `${fp.name} must be a boolean`, typeName);
      return w.varint32(value ? 1 : 0);
    case Kind.Uint64:
      return writeU64(w, bigintIn(fp, value, typeName, 0n, U64_MAX));
    case Kind.Int64:
      return writeU64(w, BigInt.asUintN(64, bigintIn(fp, value, typeName, I64_MIN, I64_MAX)));
    case Kind.Sint64: {
      const v = bigintIn(fp, value, typeName, I64_MIN, I64_MAX);
      return writeU64(w, v >= 0n ? v << 1n : (-v << 1n) - 1n);
    }
    case Kind.Enum: {
      const e = fp.enumPlan!;
      const id = typeof value === "number" ? value : e.values.get(value as string);
      if (id === undefined || e.names[id] === undefined || e.names[id] === null) {
        throw new CodecError("invalid", `unknown ${e.name} value ${String(value)} in ${fp.name}`, typeName);
      }
      return w.varint32(id);
    }
    case Kind.String:
      if (typeof value !== "string") throw new CodecError("invalid", `${fp.name} must be a string`, typeName);
      return w.string(value, fp, typeName);
    case Kind.Bytes:
      if (!(value instanceof Uint8Array)) throw new CodecError("invalid", `${fp.name} must be a Uint8Array`, typeName);
      return w.bytes(value);
    case Kind.Message: {
      const start = w.fork();
      writeMessage(planFor(fp.messageType!), value as Record<string, unknown>, w);
      return w.ldelim(start);
    }
  }
}

function writeMessage(plan: Plan, obj: Record<string, unknown>, w: Writer): void {
  const typeName = plan.name;
  if (obj === null || typeof obj !== "object") throw new CodecError("invalid", "expected an object", typeName);
  for (const oneof of plan.oneofs) {
    const value = obj[oneof.name] as { type?: unknown } | undefined | null;
    if (value !== undefined && value !== null && !oneof.members.has(value.type as string)) {
      throw new CodecError("invalid", `unknown ${oneof.name} type ${String(value.type)}`, typeName);
    }
  }
  for (const fp of plan.byNumber) {
    let value: unknown;
    if (fp.oneof !== undefined) {
      value = obj[fp.oneof];
      if (value === undefined || value === null || (value as { type: string }).type !== fp.name) continue;
    } else {
      value = obj[fp.name];
      if (isDefault(fp, value)) continue;
    }
    if (!fp.repeated) {
      w.varint32(fp.tag);
      writeValue(w, fp, value, typeName);
    } else {
      if (!Array.isArray(value)) throw new CodecError("invalid", `${fp.name} must be an array`, typeName);
      if (fp.packed) {
        w.varint32(fp.tag);
        const start = w.fork();
        for (const v of value) writeValue(w, fp, v, typeName);
        w.ldelim(start);
      } else {
        for (const v of value) {
          w.varint32(fp.tag);
          writeValue(w, fp, v, typeName);
        }
      }
    }
  }
}

// ---- public API -----------------------------------------------------------------------------

/** Encodes a domain object as the named message (e.g. "TxBody"). Throws CodecError on bad input. */
export function encode(typeName: string, obj: object): Uint8Array {
  const plan = planFor(typeName);
  const w = scratch;
  w.pos = 0;
  try {
    writeMessage(plan, obj as Record<string, unknown>, w);
    return w.buf.slice(0, w.pos);
  } finally {
    // a one-off large message does not keep its buffer
    if (w.buf.length > 1 << 20) w.buf = new Uint8Array(1024);
  }
}

/** Decodes bytes into a domain object. Unknown fields are rejected. Throws CodecError. */
export function decode<T = Record<string, unknown>>(typeName: string, bytes: Uint8Array): T {
  const plan = planFor(typeName);
  if (!(bytes instanceof Uint8Array)) throw new CodecError("invalid", "expected bytes", plan.name);
  const r = new Reader(asUint8(bytes), plan.name); // a Buffer's subarrays would be Buffers
  try {
    return readMessage(plan, r, {}) as T;
  } catch (err) {
    if (err instanceof CodecError) throw err;
    throw new CodecError("invalid", (err as Error).message, plan.name);
  }
}

/**
 * Decodes bytes that are signed or hashed and requires them to be the one canonical encoding of
 * their content, so a message has exactly one byte form and hence one hash (no malleability).
 */
export function decodeCanonical<T = Record<string, unknown>>(typeName: string, bytes: Uint8Array): T {
  const value = decode<T>(typeName, bytes);
  const again = encode(typeName, value as object);
  if (!equalBytes(again, bytes)) {
    throw new CodecError("non_canonical", "not in canonical form (field order, defaults, repeats or varint padding)", typeName);
  }
  return value;
}

/** Enum names of a proto enum, in value order (e.g. "ResultCode"). */
export function enumNames(enumName: string): string[] {
  const names = enums[enumName];
  if (!names) throw new Error(`no enum ${enumName} in proto/`);
  return names.filter((n): n is string => n !== null);
}

/** The field number of a message's field (e.g. ("Receivable", "dueDate")), for readers of raw bytes. */
export function fieldNumber(typeName: string, field: string): number {
  const f = messages[typeName] === undefined ? undefined : messageFields(typeName).find(([name]) => name === field);
  if (!f) throw new Error(`no field ${typeName}.${field} in proto/`);
  return f[1];
}

/** The members of a oneof, as [name, field number, message type] in declaration order (e.g. ("TxBody", "payload")). */
export function oneofMembers(typeName: string, oneof: string): [name: string, id: number, type: string][] {
  return messageFields(typeName)
    .filter((f) => f[3] === oneof)
    .map(([name, id, type]) => [name, id, type]);
}
