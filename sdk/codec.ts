// Encoding and decoding of every message in proto/, shared by SDK and node so they can never
// disagree about bytes. protobufjs is used through reflection (proto/gen/schema.ts); this module
// converts between its messages and plain domain objects:
//   - uint64/int64 <-> bigint (protobufjs would encode a bigint as 0 and decode to Long),
//   - enums <-> their names, bytes <-> Uint8Array, absent fields <-> defaults,
//   - a oneof <-> a field holding `{ type: <member name>, ...member fields }`.
// Encoding omits default values, so for the messages we produce, encode(decode(b)) === b.
// `decodeCanonical` enforces that for received bytes that are signed or hashed.
import protobuf from "protobufjs/light.js";
import { schema } from "../proto/gen/schema.js";
import { asUint8, equalBytes } from "./bytes.js";

const root = protobuf.Root.fromJSON(schema);
const PACKAGE = "tradeledger.v1";

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

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const LONG_TYPES = new Set(["uint64", "int64", "sint64", "fixed64", "sfixed64"]);
const UNSIGNED_LONG = new Set(["uint64", "fixed64"]);

interface Plan {
  type: protobuf.Type;
  fields: FieldPlan[];
  oneofs: { name: string; members: Map<string, FieldPlan> }[];
}

interface FieldPlan {
  name: string;
  field: protobuf.Field;
  repeated: boolean;
  kind: "long" | "enum" | "message" | "bytes" | "string" | "bool" | "number";
  unsigned: boolean;
  enumType?: protobuf.Enum;
  messagePlan?: () => Plan;
  oneof?: string;
}

const plans = new Map<string, Plan>();

function planFor(typeName: string): Plan {
  let plan = plans.get(typeName);
  if (plan) return plan;
  const type = root.lookupType(typeName.includes(".") ? typeName : `${PACKAGE}.${typeName}`);
  type.resolveAll();
  const fields: FieldPlan[] = type.fieldsArray.map((field) => {
    const resolved = field.resolvedType;
    let kind: FieldPlan["kind"];
    if (LONG_TYPES.has(field.type)) kind = "long";
    else if (resolved instanceof protobuf.Enum) kind = "enum";
    else if (resolved instanceof protobuf.Type) kind = "message";
    else if (field.type === "bytes") kind = "bytes";
    else if (field.type === "string") kind = "string";
    else if (field.type === "bool") kind = "bool";
    else kind = "number";
    const fp: FieldPlan = {
      name: field.name,
      field,
      repeated: field.repeated,
      kind,
      unsigned: UNSIGNED_LONG.has(field.type),
    };
    if (resolved instanceof protobuf.Enum) fp.enumType = resolved;
    if (resolved instanceof protobuf.Type) {
      const nested = resolved.fullName.replace(/^\./, "");
      fp.messagePlan = () => planFor(nested);
    }
    if (field.partOf) fp.oneof = field.partOf.name;
    return fp;
  });
  const oneofs = type.oneofsArray.map((o) => ({
    name: o.name,
    members: new Map(fields.filter((f) => f.oneof === o.name).map((f) => [f.name, f])),
  }));
  plan = { type, fields, oneofs };
  plans.set(typeName, plan);
  return plan;
}

// ---- decode ---------------------------------------------------------------------------------

function longToBigint(value: unknown, unsigned: boolean): bigint {
  if (typeof value === "number") return BigInt(value);
  const l = value as { low: number; high: number };
  const lo = BigInt(l.low >>> 0);
  const hi = BigInt(l.high >>> 0);
  const u = (hi << 32n) | lo;
  return unsigned ? u : BigInt.asIntN(64, u);
}

function fieldDefault(fp: FieldPlan): unknown {
  if (fp.repeated) return [];
  switch (fp.kind) {
    case "long":
      return 0n;
    case "enum":
      return fp.enumType!.valuesById[0];
    case "message":
      return undefined;
    case "bytes":
      return new Uint8Array(0);
    case "string":
      return "";
    case "bool":
      return false;
    default:
      return 0;
  }
}

function convertIn(fp: FieldPlan, value: unknown, typeName: string): unknown {
  switch (fp.kind) {
    case "long":
      return longToBigint(value, fp.unsigned);
    case "enum": {
      const name = fp.enumType!.valuesById[value as number];
      if (name === undefined) throw new CodecError("invalid", `unknown enum value ${String(value)} in ${fp.name}`, typeName);
      return name;
    }
    case "message":
      return messageIn(fp.messagePlan!(), value as protobuf.Message);
    case "bytes":
      return asUint8(value as Uint8Array);
    default:
      return value;
  }
}

function messageIn(plan: Plan, msg: protobuf.Message): Record<string, unknown> {
  const typeName = plan.type.name;
  const raw = msg as unknown as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(raw, "$unknowns")) {
    throw new CodecError("unknown_field", "contains fields this version does not know", typeName);
  }
  const out: Record<string, unknown> = {};
  for (const fp of plan.fields) {
    if (fp.oneof) continue;
    const has = Object.prototype.hasOwnProperty.call(raw, fp.name);
    const value = raw[fp.name];
    if (!has || value === null || value === undefined) {
      out[fp.name] = fieldDefault(fp);
    } else if (fp.repeated) {
      out[fp.name] = (value as unknown[]).map((v) => convertIn(fp, v, typeName));
    } else {
      out[fp.name] = convertIn(fp, value, typeName);
    }
  }
  for (const oneof of plan.oneofs) {
    let chosen: FieldPlan | undefined;
    for (const fp of oneof.members.values()) {
      if (Object.prototype.hasOwnProperty.call(raw, fp.name) && raw[fp.name] != null) {
        if (chosen) throw new CodecError("invalid", `oneof ${oneof.name} has more than one member set`, typeName);
        chosen = fp;
      }
    }
    if (!chosen) {
      out[oneof.name] = undefined;
    } else {
      const inner = convertIn(chosen, raw[chosen.name], typeName) as Record<string, unknown>;
      out[oneof.name] = { type: chosen.name, ...inner };
    }
  }
  return out;
}

// ---- encode ---------------------------------------------------------------------------------

/** protobufjs's writer accepts any {low, high} pair for 64-bit fields (LongBits.from). */
function bigintToLong(value: unknown, fp: FieldPlan, typeName: string): { low: number; high: number; unsigned: boolean } {
  if (typeof value !== "bigint") throw new CodecError("invalid", `${fp.name} must be a bigint`, typeName);
  const min = fp.unsigned ? 0n : I64_MIN;
  const max = fp.unsigned ? U64_MAX : I64_MAX;
  if (value < min || value > max) throw new CodecError("range", `${fp.name} out of range: ${value}`, typeName);
  const u = BigInt.asUintN(64, value);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned: fp.unsigned };
}

function isDefault(fp: FieldPlan, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (fp.repeated) return (value as unknown[]).length === 0;
  switch (fp.kind) {
    case "long":
      return value === 0n;
    case "enum":
      return value === fp.enumType!.valuesById[0] || value === 0;
    case "message":
      return false;
    case "bytes":
      return (value as Uint8Array).length === 0;
    case "string":
      return value === "";
    case "bool":
      return value === false;
    default:
      return value === 0;
  }
}

function convertOut(fp: FieldPlan, value: unknown, typeName: string): unknown {
  switch (fp.kind) {
    case "long":
      return bigintToLong(value, fp, typeName);
    case "enum": {
      const id = typeof value === "number" ? value : fp.enumType!.values[value as string];
      if (id === undefined || fp.enumType!.valuesById[id] === undefined) {
        throw new CodecError("invalid", `unknown ${fp.enumType!.name} value ${String(value)} in ${fp.name}`, typeName);
      }
      return id;
    }
    case "message":
      return messageOut(fp.messagePlan!(), value as Record<string, unknown>);
    case "bytes":
      if (!(value instanceof Uint8Array)) throw new CodecError("invalid", `${fp.name} must be a Uint8Array`, typeName);
      return value;
    case "string":
      if (typeof value !== "string") throw new CodecError("invalid", `${fp.name} must be a string`, typeName);
      return value;
    case "bool":
      if (typeof value !== "boolean") throw new CodecError("invalid", `${fp.name} must be a boolean`, typeName);
      return value;
    default:
      if (typeof value !== "number" || !Number.isInteger(value)) throw new CodecError("invalid", `${fp.name} must be an integer`, typeName);
      return value;
  }
}

function messageOut(plan: Plan, obj: Record<string, unknown>): protobuf.Message {
  const typeName = plan.type.name;
  if (obj === null || typeof obj !== "object") throw new CodecError("invalid", "expected an object", typeName);
  const props: Record<string, unknown> = {};
  for (const fp of plan.fields) {
    if (fp.oneof) continue;
    const value = obj[fp.name];
    if (isDefault(fp, value)) continue;
    if (fp.repeated) {
      if (!Array.isArray(value)) throw new CodecError("invalid", `${fp.name} must be an array`, typeName);
      props[fp.name] = value.map((v) => convertOut(fp, v, typeName));
    } else {
      props[fp.name] = convertOut(fp, value, typeName);
    }
  }
  for (const oneof of plan.oneofs) {
    const value = obj[oneof.name] as ({ type: string } & Record<string, unknown>) | undefined;
    if (value === undefined || value === null) continue;
    const member = oneof.members.get(value.type);
    if (!member) throw new CodecError("invalid", `unknown ${oneof.name} type ${String(value.type)}`, typeName);
    props[member.name] = convertOut(member, value, typeName);
  }
  return plan.type.create(props);
}

// ---- public API -----------------------------------------------------------------------------

/** Encodes a domain object as the named message (e.g. "TxBody"). Throws CodecError on bad input. */
export function encode(typeName: string, obj: object): Uint8Array {
  const plan = planFor(typeName);
  return asUint8(plan.type.encode(messageOut(plan, obj as Record<string, unknown>)).finish());
}

/** Decodes bytes into a domain object. Unknown fields are rejected. Throws CodecError. */
export function decode<T = Record<string, unknown>>(typeName: string, bytes: Uint8Array): T {
  const plan = planFor(typeName);
  if (!(bytes instanceof Uint8Array)) throw new CodecError("invalid", "expected bytes", plan.type.name);
  let msg: protobuf.Message;
  try {
    // protobufjs discards unknown fields by default; keep them (per reader, no global state) so
    // messageIn can reject them.
    const reader = protobuf.Reader.create(bytes);
    reader.discardUnknown = false;
    msg = plan.type.decode(reader);
  } catch (err) {
    const kind = err instanceof RangeError ? "truncated" : "invalid";
    throw new CodecError(kind, (err as Error).message, plan.type.name);
  }
  return messageIn(plan, msg) as T;
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
  const e = root.lookupEnum(`${PACKAGE}.${enumName}`);
  return Object.keys(e.values).sort((a, b) => e.values[a]! - e.values[b]!);
}
