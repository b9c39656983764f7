import t from "tap";
import { encode, decode, decodeCanonical, CodecError } from "../sdk/codec.js";
import { concatBytes, fromHex, toHex } from "../sdk/bytes.js";

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
