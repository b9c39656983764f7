import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import protobuf from "protobufjs";
import t from "tap";
import { encode, decode, decodeCanonical, CodecError, messageFields, messageTypes } from "../sdk/codec.js";
import { concatBytes, fromHex, toHex } from "../sdk/bytes.js";
import { enums } from "../proto/gen/schema.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

t.test("uint64 amounts round-trip as bigint at the edges of the range", async (t) => {
  for (const amount of [1n, 2n ** 53n + 1n, 12345678901234567890n, 2n ** 64n - 1n]) {
    const bytes = encode("FinanceReceivable", { receivableId: "r", amount, currency: "USD" });
    const back = decode<{ amount: bigint }>("FinanceReceivable", bytes);
    t.equal(back.amount, amount);
  }
});

t.test("out-of-range and wrongly typed amounts are refused, never truncated", async (t) => {
  t.throws(() => encode("FinanceReceivable", { receivableId: "r", amount: 2n ** 64n, currency: "USD" }), CodecError);
  t.throws(() => encode("FinanceReceivable", { receivableId: "r", amount: -1n, currency: "USD" }), CodecError);
  t.throws(() => encode("FinanceReceivable", { receivableId: "r", amount: 5, currency: "USD" }), CodecError);
});

t.test("unknown fields, truncation and non-canonical forms are MALFORMED", async (t) => {
  const good = encode("FinanceReceivable", { receivableId: "r", amount: 7n, currency: "USD" });
  const withUnknown = concatBytes(good, Uint8Array.of(0x48, 0x01)); // field 9, varint 1
  t.match(thrown(() => decode("FinanceReceivable", withUnknown)), { name: "CodecError", code: "MALFORMED", kind: "unknown_field" });
  t.match(thrown(() => decode("FinanceReceivable", good.subarray(0, good.length - 1))), { name: "CodecError", code: "MALFORMED", kind: "truncated" });
  // amount 7 encoded with a padded varint (0x87 0x00) decodes to the same value but is not canonical
  const padded = fromHex(toHex(good).replace("1007", "108700"));
  t.same(decode<{ amount: bigint }>("FinanceReceivable", padded).amount, 7n);
  t.match(thrown(() => decodeCanonical("FinanceReceivable", padded)), { name: "CodecError", code: "MALFORMED", kind: "non_canonical" });
  t.same(decodeCanonical<{ amount: bigint }>("FinanceReceivable", good).amount, 7n);
});

t.test("proto/gen/schema.ts is what scripts/gen-proto.mjs makes of proto/*.proto", async (t) => {
  const { generate } = (await import(pathToFileURL(join(ROOT, "scripts", "gen-proto.mjs")).href)) as { generate: () => string };
  t.ok(generate() === readFileSync(join(ROOT, "proto", "gen", "schema.ts"), "utf8"), "proto/gen/schema.ts is stale: run `npm run proto`");
});

t.test("strings: UTF-8 both ways; a lone surrogate or invalid UTF-8 is refused", async (t) => {
  for (const text of ["ascii", "\ufeffBOM kept", "Zürich 日本 😀", "x".repeat(70) + "é"]) {
    t.equal(decode<{ currency: string }>("FinanceReceivable", encode("FinanceReceivable", { currency: text })).currency, text);
  }
  t.match(thrown(() => encode("FinanceReceivable", { currency: "a\ud800b" })), { kind: "invalid" });
  const bad = Uint8Array.of(0x22, 0x02, 0xc3, 0x28); // field 4 (currency), 2 bytes: an invalid UTF-8 sequence
  t.match(thrown(() => decode("FinanceReceivable", bad)), { kind: "invalid" });
});

// The codec against protobufjs, a complete protobuf implementation reading proto/*.proto itself:
// random messages of every type give the same bytes from both, and protobufjs reads ours back
// with the same content. (A seeded generator: a failure names its seed and type.)
t.test("every message type: the same bytes as protobufjs, and protobufjs reads them back", async (t) => {
  const ref = new protobuf.Root().loadSync(readdirSync(join(ROOT, "proto")).filter((f) => f.endsWith(".proto")).map((f) => join(ROOT, "proto", f)));
  let state = 20261205;
  const rnd = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const scalars: Record<string, () => unknown> = {
    string: () => pick(["", "r", "exporter-hz-textiles", "Zürich", "日本語", "😀", "€".repeat(50), "x".repeat(300)]),
    bytes: () => Uint8Array.from({ length: pick([0, 1, 16, 32, 200]) }, () => Math.floor(rnd() * 256)),
    bool: () => rnd() < 0.5,
    uint32: () => pick([0, 1, 127, 128, 16384, 2 ** 31, 2 ** 32 - 1]),
    int32: () => pick([0, 1, -1, 2 ** 31 - 1, -(2 ** 31)]),
    uint64: () => pick([0n, 1n, 127n, 128n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]),
    int64: () => pick([0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n)]),
    sint64: () => pick([0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), -123456789n]),
  };
  const valueOf = (type: string, depth: number): unknown =>
    scalars[type] ? scalars[type]!() : enums[type] ? pick(enums[type]!.filter((n) => n !== null)) : randomMessage(type, depth + 1);
  const isMessage = (type: string) => !scalars[type] && !enums[type];
  function randomMessage(type: string, depth = 0): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    const oneofs = new Map<string, [string, string][]>();
    for (const [name, , declared, oneof] of messageFields(type)) {
      if (oneof !== undefined) oneofs.set(oneof, [...(oneofs.get(oneof) ?? []), [name, declared]]);
      else if (declared.startsWith("repeated ")) {
        const item = declared.slice(9);
        obj[name] = depth > 3 && isMessage(item) ? [] : Array.from({ length: pick([0, 1, 3]) }, () => valueOf(item, depth));
      } else if (rnd() < 0.7 && !(isMessage(declared) && depth > 3)) obj[name] = valueOf(declared, depth);
    }
    for (const [oneof, members] of oneofs) {
      if (depth > 3 || rnd() < 0.2) continue;
      const [name, type] = pick(members);
      obj[oneof] = { type: name, ...randomMessage(type, depth + 1) };
    }
    return obj;
  }
  // the same content as protobufjs's plain objects: set fields only, 64-bit as strings, enums by name
  function plain(type: string, obj: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const one = (declared: string, v: unknown): unknown =>
      typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? [...v] : isMessage(declared) ? plain(declared, v as Record<string, unknown>) : v;
    for (const [name, , declared, oneof] of messageFields(type)) {
      if (oneof !== undefined) {
        const v = obj[oneof] as { type: string } | undefined;
        if (v?.type === name) out[name] = plain(declared, v as unknown as Record<string, unknown>);
        continue;
      }
      const v = obj[name];
      if (declared.startsWith("repeated ")) {
        if ((v as unknown[]).length > 0) out[name] = (v as unknown[]).map((x) => one(declared.slice(9), x));
      } else if (v !== undefined && v !== "" && v !== 0 && v !== 0n && v !== false && !(v instanceof Uint8Array && v.length === 0) && !(enums[declared] && v === enums[declared]![0])) {
        out[name] = one(declared, v);
      }
    }
    return out;
  }
  const options = { longs: String, enums: String, bytes: Array };
  let checked = 0;
  for (let round = 0; round < 8; round++) {
    for (const type of messageTypes()) {
      const obj = randomMessage(type);
      const refType = ref.lookupType(`tradeledger.v1.${type}`);
      const ours = encode(type, obj);
      const theirs = refType.encode(refType.fromObject(plain(type, obj))).finish();
      if (toHex(ours) !== toHex(theirs)) {
        t.fail(`${type} (round ${round}): ${toHex(ours)} != protobufjs ${toHex(theirs)}`);
        continue;
      }
      t.same(refType.toObject(refType.decode(ours), options), plain(type, obj), `${type}: protobufjs reads ours back`);
      t.same(decodeCanonical(type, ours), decode(type, theirs));
      checked++;
    }
  }
  t.comment(`${checked} random messages of ${messageTypes().length} types`);
});
