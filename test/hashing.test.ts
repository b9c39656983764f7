// Document hashing, selective disclosure, fingerprints and verifyDocument (sdk/hashing/,
// sdk/fingerprint.ts) against the frozen vectors in test/vectors/ and against independent
// reimplementations written here (leaf bytes, RFC 6962 tree, RFC 8785 via the reference package).
import t from "tap";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import canonicalize from "canonicalize";
import {
  canonicalJson,
  canonicalJsonBytes,
  decimalToMinorUnits,
  discloseField,
  documentLeafHash,
  DOCUMENT_LIMITS,
  DOCUMENT_TAGS,
  FIELD_TYPE_CODES,
  hashDocument,
  HashingError,
  leafPreimage,
  verifyDisclosure,
  verifyDocument,
  type Disclosure,
  type FieldType,
} from "../sdk/hashing/index.js";
import {
  billOfLadingFingerprintKey,
  caseFold,
  declarationFingerprintKey,
  decimalDigitValue,
  fingerprintBillOfLading,
  fingerprintDeclaration,
  fingerprintInvoice,
  FingerprintError,
  fingerprintPreimage,
  FINGERPRINT_TAGS,
  invoiceFingerprintKey,
  normalizeCurrency,
  normalizeReference,
  fingerprintWarehouseReceipt,
  warehouseReceiptFingerprintKey,
} from "../sdk/fingerprint.js";
import { fromHex, toHex } from "../sdk/bytes.js";

const vectorsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test", "vectors");
const load = (name: string): any => JSON.parse(readFileSync(join(vectorsDir, name), "utf8"));
const H = load("hashing.json");
const F = load("fingerprints.json");

// ---- independent reference implementation (node:crypto, no SDK code) ----------------------------

const sha = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const enc = new TextEncoder();
const u32 = (n: number): Uint8Array => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
const TAG_LEAF = enc.encode("tradeledger/doc/v1/leaf\u0000");
const TAG_NODE = enc.encode("tradeledger/doc/v1/node\u0000");
const TYPES: Record<string, number> = { null: 1, boolean: 2, number: 3, string: 4, object: 5, array: 6 };

function refLeafPreimage(path: string, type: string, value: string, salt: Uint8Array): Uint8Array {
  const p = enc.encode(path);
  const v = enc.encode(value);
  return Uint8Array.from([...TAG_LEAF, ...u32(p.length), ...p, TYPES[type]!, ...salt, ...u32(v.length), ...v]);
}

/** RFC 6962 §2.1 MTH, recursive, as written in the RFC. */
function refRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(TAG_NODE, refRoot(leaves.slice(0, k)), refRoot(leaves.slice(k)));
}

/** Flattens as docs/hashing.md §2 says, independently of sdk/hashing/document-hash.ts. */
function refFlatten(value: unknown, path = "", out: { path: string; type: string; value: string }[] = []): typeof out {
  if (Array.isArray(value)) {
    out.push({ path, type: "array", value: String(value.length) });
    value.forEach((v, i) => refFlatten(v, `${path}/${i}`, out));
  } else if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    out.push({ path, type: "object", value: String(keys.length) });
    for (const k of keys) refFlatten((value as any)[k], `${path}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`, out);
  } else {
    out.push({ path, type: value === null ? "null" : typeof value, value: JSON.stringify(value) });
  }
  return out;
}

function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

const vectorSalt = (path: string): string => toHex(sha(enc.encode(`tradeledger/test-vector/salt/v1\u0000${path}`)));
const saltsFor = (doc: unknown): Record<string, string> =>
  Object.fromEntries(refFlatten(doc).map((f) => [f.path, vectorSalt(f.path)]));
const caseByName = (name: string): any => H.cases.find((c: any) => c.name === name);

// ---- document hash vectors -----------------------------------------------------------------------

t.test("hashing.json: the tags and type codes are the documented ones", async (t) => {
  t.equal(H.tags.leaf, toHex(DOCUMENT_TAGS.leaf));
  t.equal(H.tags.node, toHex(DOCUMENT_TAGS.node));
  t.equal(H.tags.leaf, toHex(TAG_LEAF));
  t.equal(H.tags.node, toHex(TAG_NODE));
  t.same(H.typeCodes, FIELD_TYPE_CODES);
  t.same(H.limits, DOCUMENT_LIMITS);
  t.ok(H.cases.length >= 25);
});

t.test("hashing.json: every case recomputes leaf by leaf, root and canonical JSON", async (t) => {
  for (const c of H.cases) {
    const doc = JSON.parse(c.json);
    const salts = Object.fromEntries(c.leaves.map((l: any) => [l.path, l.salt]));
    const got = hashDocument(doc, { salts });
    t.equal(got.rootHex, c.root, `${c.name}: root`);
    t.equal(got.leaves.length, c.leafCount, `${c.name}: leaf count`);
    t.same(
      got.leaves.map((l) => ({ path: l.path, type: l.type, value: l.value, leaf: toHex(l.leaf) })),
      c.leaves.map((l: any) => ({ path: l.path, type: l.type, value: l.value, leaf: l.leaf })),
      `${c.name}: leaves`,
    );
    t.equal(canonicalJson(doc), c.canonicalJson, `${c.name}: RFC 8785`);
    // The independent implementation agrees with the vector, byte for byte.
    const ref = refFlatten(doc);
    const sorted = [...ref].sort((a, b) => Buffer.compare(Buffer.from(a.path, "utf8"), Buffer.from(b.path, "utf8")));
    t.same(sorted.map((f) => f.path), c.leaves.map((l: any) => l.path), `${c.name}: order by UTF-8 bytes`);
    const leaves = c.leaves.map((l: any) => {
      const pre = refLeafPreimage(l.path, l.type, l.value, fromHex(l.salt));
      t.equal(toHex(pre), l.preimage, `${c.name} ${l.path}: preimage`);
      t.equal(toHex(leafPreimage(l.path, l.type, l.value, fromHex(l.salt))), l.preimage);
      t.equal(toHex(documentLeafHash(l.path, l.type, l.value, fromHex(l.salt))), l.leaf);
      return sha(pre);
    });
    t.equal(toHex(refRoot(leaves)), c.root, `${c.name}: RFC 6962 root`);
  }
});

t.test("hashing.json: every disclosure recomputes and verifies; any change breaks it", async (t) => {
  for (const c of H.cases) {
    const doc = JSON.parse(c.json);
    const salts = Object.fromEntries(c.leaves.map((l: any) => [l.path, l.salt]));
    for (const want of c.disclosures) {
      const d = discloseField(doc, salts, want.path);
      t.same({ path: d.path, index: d.index, proof: d.proof }, want, `${c.name} ${want.path}`);
      t.equal(d.leafCount, c.leafCount);
      t.equal(d.salt, salts[want.path]);
      t.ok(verifyDisclosure(c.root, d), `${c.name} ${want.path} verifies`);
      // Round trip through JSON, as it travels to a bank.
      t.ok(verifyDisclosure(fromHex(c.root), JSON.parse(JSON.stringify(d))));
    }
  }
  const inv = caseByName("sample-commercial-invoice");
  const doc = JSON.parse(inv.json);
  const salts = Object.fromEntries(inv.leaves.map((l: any) => [l.path, l.salt]));
  const d = discloseField(doc, salts, "/totalAmount");
  t.equal(d.value, "152500.00");
  t.equal(d.type, "string");
  const tampered: [string, Disclosure][] = [
    ["value", { ...d, value: "152500.01" }],
    ["value as number", { ...d, type: "number", value: 152500 }],
    ["type", { ...d, type: "number" }],
    ["path", { ...d, path: "/lineItems/0/amount" }],
    ["salt", { ...d, salt: vectorSalt("/other") }],
    ["index", { ...d, index: d.index - 1 }],
    ["leafCount", { ...d, leafCount: d.leafCount + 1 }],
    ["proof sibling", { ...d, proof: [toHex(fromHex(d.proof[0]!).map((b, i) => (i === 0 ? b ^ 1 : b))), ...d.proof.slice(1)] }],
    ["proof truncated", { ...d, proof: d.proof.slice(1) }],
    ["proof extended", { ...d, proof: [...d.proof, d.proof[0]!] }],
  ];
  for (const [what, bad] of tampered) t.notOk(verifyDisclosure(inv.root, bad), `changed ${what} fails`);
  t.notOk(verifyDisclosure(caseByName("sample-packing-list").root, d), "another document's root fails");
});

t.test("a disclosure reveals no other field's value or salt", async (t) => {
  const inv = caseByName("sample-commercial-invoice");
  const doc = JSON.parse(inv.json);
  const salts = Object.fromEntries(inv.leaves.map((l: any) => [l.path, l.salt]));
  for (const path of ["/invoiceNumber", "/totalAmount", "/buyer/identifier"]) {
    const text = JSON.stringify(discloseField(doc, salts, path));
    for (const l of inv.leaves) {
      if (l.path === path) continue;
      t.notOk(text.includes(l.salt), `${path}: no salt of ${l.path}`);
      if (l.type === "string" && l.value.length > 6) t.notOk(text.includes(JSON.parse(l.value)), `${path}: no value of ${l.path}`);
    }
  }
});

t.test("hashing.json: invalid documents and salt maps are refused with the named error", async (t) => {
  for (const v of H.invalid) {
    const err = thrown(() => hashDocument(JSON.parse(v.json)));
    t.ok(err instanceof HashingError, v.name);
    t.equal(err?.kind, v.error, v.name);
    t.equal(err?.code, "MALFORMED");
  }
  for (const v of H.invalidSalts) {
    const err = thrown(() => discloseField(JSON.parse(v.json), v.salts, ""));
    t.ok(err instanceof HashingError, v.name);
    t.equal(err?.kind, v.error, v.name);
  }
});

t.test("different documents under the same salts give different roots; parsing detail does not", async (t) => {
  const root = (name: string): string => caseByName(name).root;
  t.not(root("empty-array-and-object"), root("absent-vs-empty-array"), "absent vs empty array");
  t.not(root("array-not-object"), root("object-not-array"), "[x] vs {0: x} at the same pointer");
  t.not(root("amount-as-number"), root("amount-as-string"), "number vs string");
  t.not(root("amount-as-string"), root("amount-as-decimal-string"), "152500 vs 152500.00");
  t.not(root("precomposed"), root("combining"), "no normalisation: é vs e + U+0301");
  t.not(root("full-width"), root("ascii-invoice-number"), "no NFKC in the document hash");
  t.equal(root("escaped-precomposed"), root("precomposed"), "\\u00e9 and é parse to the same string");
  // Hand-made near-collisions under identical path-derived salts.
  const pairs: [unknown, unknown][] = [
    [{ a: null }, { a: "null" }],
    [{ a: true }, { a: "true" }],
    [{ a: 1 }, { a: [1] }],
    [{ a: [] }, { a: {} }],
    [{ a: {} }, {}],
    [{ a: "" }, { a: null }],
    [{ "a/b": 1 }, { a: { b: 1 } }],
    [{ "a~1b": 1 }, { "a/b": 1 }],
    [[["x"]], [{ "0": "x" }]],
    [{ a: "1", b: "2" }, { a: "2", b: "1" }],
  ];
  for (const [x, y] of pairs) {
    const salts = { ...saltsFor(x), ...saltsFor(y) };
    const pick = (d: unknown) => Object.fromEntries(refFlatten(d).map((f) => [f.path, salts[f.path]!]));
    t.not(hashDocument(x, { salts: pick(x) }).rootHex, hashDocument(y, { salts: pick(y) }).rootHex, `${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
  }
});

// ---- input checks ------------------------------------------------------------------------------

t.test("values that cannot be hashed safely are refused with a typed error, never converted", async (t) => {
  class Invoice {
    n = 1;
  }
  const sparse: unknown[] = [1];
  sparse[2] = 3;
  const extra: any = [1, 2];
  extra.note = "x";
  const cyclic: any = { a: {} };
  cyclic.a.b = cyclic;
  const cases: [string, unknown, string][] = [
    ["NaN", { a: NaN }, "non_finite_number"],
    ["Infinity", { a: Infinity }, "non_finite_number"],
    ["-Infinity", [-Infinity], "non_finite_number"],
    ["undefined member", { a: undefined }, "unsupported_type"],
    ["undefined in array", [undefined], "unsupported_type"],
    ["undefined document", undefined, "unsupported_type"],
    ["function", { a: () => 1 }, "unsupported_type"],
    ["symbol", { a: Symbol("x") }, "unsupported_type"],
    ["bigint", { amount: 152500n }, "unsupported_type"],
    ["Date", { d: new Date(0) }, "not_plain_object"],
    ["Map", { m: new Map() }, "not_plain_object"],
    ["class instance", { i: new Invoice() }, "not_plain_object"],
    ["Uint8Array", { b: new Uint8Array(2) }, "not_plain_object"],
    ["symbol key", { [Symbol("k")]: 1 }, "not_plain_object"],
    ["sparse array", { a: sparse }, "not_plain_object"],
    ["array with an extra property", { a: extra }, "not_plain_object"],
    ["lone surrogate", { a: "x\ud83d" }, "lone_surrogate"],
    ["lone surrogate key", { ["\udfff"]: 1 }, "lone_surrogate"],
    ["cycle", cyclic, "too_deep"],
  ];
  for (const [name, doc, kind] of cases) {
    const err = thrown(() => hashDocument(doc));
    t.ok(err instanceof HashingError, name);
    t.equal(err?.kind, kind, name);
    const err2 = thrown(() => canonicalJson(doc));
    t.equal(err2?.kind, kind, `${name} (canonicalJson)`);
  }
  t.equal(thrown(() => hashDocument({ a: NaN }))?.path, "/a");
  // A null-prototype object is a plain object (JSON.parse never makes one, but it is harmless).
  const bare = Object.assign(Object.create(null), { a: 1 });
  t.equal(hashDocument(bare, { salts: saltsFor({ a: 1 }) }).rootHex, hashDocument({ a: 1 }, { salts: saltsFor({ a: 1 }) }).rootHex);
});

t.test("size and depth limits", async (t) => {
  const deep = (n: number): unknown => (n === 0 ? "x" : { d: deep(n - 1) });
  t.doesNotThrow(() => hashDocument(deep(DOCUMENT_LIMITS.maxDepth)));
  t.equal(thrown(() => hashDocument(deep(DOCUMENT_LIMITS.maxDepth + 1)))?.kind, "too_deep");
  t.equal(thrown(() => hashDocument(new Array(DOCUMENT_LIMITS.maxLeaves).fill(0)))?.kind, "too_large", "root + 65,536 leaves");
  t.doesNotThrow(() => hashDocument(new Array(DOCUMENT_LIMITS.maxLeaves - 1).fill(0)), "exactly 65,536 leaves");
  t.equal(thrown(() => hashDocument({ s: "x".repeat(DOCUMENT_LIMITS.maxValueBytes) }))?.kind, "too_large", "value over 1 MiB with quotes");
  t.doesNotThrow(() => hashDocument({ s: "x".repeat(DOCUMENT_LIMITS.maxValueBytes - 2) }));
  t.equal(thrown(() => hashDocument({ ["k".repeat(DOCUMENT_LIMITS.maxPathBytes)]: 1 }))?.kind, "too_large", "path over 4 KiB");
  const big = Array.from({ length: 10 }, () => "y".repeat(DOCUMENT_LIMITS.maxValueBytes - 2));
  t.equal(thrown(() => hashDocument(big))?.kind, "too_large", "total over 8 MiB");
});

t.test("salts: fresh and random by default, reusable, checked", async (t) => {
  const doc = JSON.parse(caseByName("sample-commercial-invoice").json);
  const a = hashDocument(doc);
  const b = hashDocument(doc);
  t.not(a.rootHex, b.rootHex, "two hashes of one document differ (random salts)");
  t.equal(Object.keys(a.salts).length, a.leaves.length);
  t.equal(new Set(Object.values(a.salts)).size, a.leaves.length, "every salt distinct");
  for (const s of Object.values(a.salts)) t.match(s, /^[0-9a-f]{64}$/);
  t.equal(hashDocument(doc, { salts: a.salts }).rootHex, a.rootHex, "same salts, same root");
  t.equal(toHex(a.root), a.rootHex);
  // Partial salts are kept, the rest drawn fresh.
  const partial = hashDocument(doc, { salts: { "/invoiceNumber": a.salts["/invoiceNumber"]! } });
  t.equal(partial.salts["/invoiceNumber"], a.salts["/invoiceNumber"]);
  t.not(partial.salts["/totalAmount"], a.salts["/totalAmount"]);
  // Injected randomness is used as given and checked.
  let counter = 0;
  const random = (n: number) => sha(Uint8Array.of(counter++)).subarray(0, n);
  const c1 = hashDocument(doc, { random });
  counter = 0;
  t.equal(hashDocument(doc, { random }).rootHex, c1.rootHex, "deterministic with an injected source");
  t.equal(thrown(() => hashDocument(doc, { random: () => new Uint8Array(31) }))?.kind, "bad_random");
  t.equal(thrown(() => hashDocument(doc, { random: () => "00".repeat(32) as any }))?.kind, "bad_random");
  t.equal(thrown(() => hashDocument(doc, { random: () => new Uint8Array(32) }))?.kind, "bad_salt", "a source repeating itself is caught");
  t.equal(thrown(() => hashDocument(doc, { salts: null as any }))?.kind, "invalid_argument");
  t.equal(thrown(() => hashDocument(doc, { salts: { "/nope": a.salts[""]! } }))?.kind, "salt_mismatch");
  t.equal(thrown(() => discloseField(doc, { ...a.salts, "": undefined as any }, ""))?.kind, "bad_salt");
  const { ["/currency"]: _dropped, ...missing } = a.salts;
  t.equal(thrown(() => discloseField(doc, missing, "/currency"))?.kind, "salt_mismatch", "disclosure needs every salt");
  t.equal(thrown(() => discloseField(doc, a.salts, "/nope"))?.kind, "unknown_path");
  t.equal(thrown(() => discloseField(doc, a.salts, 7 as any))?.kind, "invalid_argument");
});

t.test("container and root disclosures", async (t) => {
  const doc = { lineItems: [{ a: 1 }, { a: 2 }], meta: {} };
  const c = hashDocument(doc);
  const items = discloseField(doc, c.salts, "/lineItems");
  t.same([items.type, items.value], ["array", 2]);
  t.ok(verifyDisclosure(c.root, items));
  t.notOk(verifyDisclosure(c.root, { ...items, value: 3 }), "the member count is committed");
  t.notOk(verifyDisclosure(c.root, { ...items, type: "object" }));
  const rootField = discloseField(doc, c.salts, "");
  t.same([rootField.type, rootField.value, rootField.index], ["object", 2, 0]);
  t.ok(verifyDisclosure(c.rootHex, rootField));
  const meta = discloseField(doc, c.salts, "/meta");
  t.same([meta.type, meta.value], ["object", 0]);
  t.ok(verifyDisclosure(c.root, meta));
  const single = hashDocument("only");
  const d = discloseField("only", single.salts, "");
  t.same(d.proof, []);
  t.ok(verifyDisclosure(single.root, d));
});

t.test("verifyDisclosure never throws, whatever it is given", async (t) => {
  const doc = { a: "b", n: 1 };
  const c = hashDocument(doc);
  const good = discloseField(doc, c.salts, "/a");
  const junk: unknown[] = [
    null, undefined, 1, "x", [], {}, { ...good, path: 1 }, { ...good, path: "a" }, { ...good, path: "/a~2" }, { ...good, path: "/\ud800" },
    { ...good, type: "date" }, { ...good, value: undefined }, { ...good, value: { x: 1 } }, { ...good, type: "number", value: NaN },
    { ...good, salt: "zz" }, { ...good, salt: good.salt.toUpperCase() }, { ...good, salt: fromHex(good.salt) }, { ...good, index: -1 },
    { ...good, index: 1.5 }, { ...good, index: 2 ** 60 }, { ...good, leafCount: 0 }, { ...good, leafCount: 1e9 }, { ...good, leafCount: "3" },
    { ...good, proof: "ab" }, { ...good, proof: [1] }, { ...good, proof: ["00"] }, { ...good, proof: new Array(1000).fill(good.proof[0]) },
    { ...good, type: "array", value: -1 }, { ...good, type: "object", value: 1.5 },
  ];
  for (const j of junk) t.equal(verifyDisclosure(c.root, j), false);
  for (const r of [null, undefined, "", "00", c.rootHex.toUpperCase(), c.root.subarray(1), 42]) t.equal(verifyDisclosure(r as any, good), false);
  const getter = { ...good };
  Object.defineProperty(getter, "proof", { get: () => { throw new Error("boom"); } });
  t.equal(verifyDisclosure(c.root, getter), false);
  t.equal(verifyDisclosure(c.root, good), true);
});

// ---- RFC 8785 --------------------------------------------------------------------------------

t.test("canonicalJson agrees with the RFC 8785 reference implementation (canonicalize)", async (t) => {
  const numbers = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 0.000001, 5e-324, -5e-324, 1.7976931348623157e308, 9.999999999999997e22, 1e23, 333333333.3333333, 2 ** 53 + 2, 4.35, 0.002, 1e-6];
  for (const n of numbers) t.equal(canonicalJson(n), canonicalize(n), String(n));
  t.equal(canonicalJson(-0), "0");
  t.equal(canonicalJson(1e21), "1e+21");
  t.equal(canonicalJson({ b: 1, a: [true, null, "x"] }), `{"a":[true,null,"x"],"b":1}`);
  t.equal(canonicalJson({ "😀": 1, "～": 2 }), `{"😀":1,"～":2}`, "UTF-16 order: U+D83D sorts before U+FF5E");
  t.same(Array.from(canonicalJsonBytes({ é: "é" })), Array.from(enc.encode(`{"é":"é"}`)));
  // Seeded random documents with awkward keys and strings.
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const alphabet = ["a", "B", "é", "e\u0301", "😀", "～", "\u0000", "\u001f", "\"", "\\", "/", "~", "\u2028", "ß", "Σ", " ", "1", "\u007f", "\ud800\udc00"];
  const str = () => Array.from({ length: Math.floor(rnd() * 6) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");
  const gen = (depth: number): unknown => {
    const r = rnd();
    if (depth > 3 || r < 0.3) return [null, true, false, rnd() * 1e6 - 5e5, Math.floor(rnd() * 1e4), str(), (rnd() - 0.5) * 1e-8, 1e300 * rnd()][Math.floor(rnd() * 8)];
    if (r < 0.6) return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 5) }, () => [str(), gen(depth + 1)]));
  };
  for (let i = 0; i < 500; i++) {
    const doc = gen(0);
    t.equal(canonicalJson(doc), canonicalize(doc));
    // Hashing is a function of the parsed value only: re-parsing the canonical text changes nothing.
    const salts = saltsFor(doc);
    t.equal(hashDocument(JSON.parse(canonicalJson(doc)), { salts }).rootHex, hashDocument(doc, { salts }).rootHex);
  }
});

// ---- fingerprints ------------------------------------------------------------------------------

t.test("fingerprints.json: tags, normalised references, currencies", async (t) => {
  t.same(F.tags, Object.fromEntries(Object.entries(FINGERPRINT_TAGS).map(([k, v]) => [k, toHex(v)])));
  t.equal(new Set(Object.values(F.tags)).size, Object.keys(FINGERPRINT_TAGS).length, "one distinct tag per document kind");
  for (const r of F.references) t.equal(normalizeReference(r.input), r.key, `${JSON.stringify(r.input)}: ${r.note}`);
  for (const r of F.referenceErrors) {
    const err = thrown(() => normalizeReference(r.input));
    t.ok(err instanceof FingerprintError, JSON.stringify(r.input).slice(0, 40));
    t.equal(err?.kind, r.error);
    t.equal(err?.code, "MALFORMED");
  }
  for (const c of F.currencies) t.equal(normalizeCurrency(c.input), c.code);
  for (const c of F.currencyErrors) t.equal(thrown(() => normalizeCurrency(c.input))?.kind, c.error);
});

t.test("fingerprints.json: the brief's spellings collide, INV-0001 does not", async (t) => {
  const key = (s: string) => normalizeReference(s);
  for (const s of ["INV-001", "inv 001", "INV/001", "Inv.001", "ＩＮＶ－００１", "INV\u2010001", "I\u200bNV-001"]) t.equal(key(s), "inv001", s);
  t.equal(key("INV-0001"), "inv0001");
  t.not(key("INV-0001"), key("INV-001"));
  t.equal(key("Straße"), key("STRASSE"));
  t.equal(key("STRAẞE"), key("strasse"));
  t.equal(key("σος"), key("ΣΟΣ"), "final sigma");
  t.equal(key("İNV"), key("inv"), "Turkish capital dotted I");
  t.equal(key("ınv"), key("INV"), "Turkish dotless i");
  t.equal(key("Cafe\u0301"), key("Café"));
  t.not(key("СФ-001"), key("CФ-001"), "Cyrillic С is not Latin C (documented limit)");
});

t.test("fingerprints.json: invoices, declarations and bills of lading recompute; groups collide exactly", async (t) => {
  const check = (cases: any[], keyFn: (i: any) => any, fpFn: (i: any) => Uint8Array, tag: Uint8Array, order: string[], label: string) => {
    for (const c of cases) {
      const key = keyFn(c.input);
      t.same(key, c.key, `${label} ${c.name}: key`);
      t.equal(toHex(fingerprintPreimage(tag, order.map((f) => key[f]))), c.preimage, `${label} ${c.name}: preimage`);
      // Independently: tag || u32be(len) || utf8 per field, SHA-256.
      const pre = Uint8Array.from([...tag, ...order.flatMap((f) => [...u32(enc.encode(key[f]).length), ...enc.encode(key[f])])]);
      t.equal(toHex(pre), c.preimage);
      t.equal(toHex(sha(pre)), c.fingerprint, `${label} ${c.name}: fingerprint`);
      t.equal(toHex(fpFn(c.input)), c.fingerprint);
    }
    for (const a of cases)
      for (const b of cases) if (a !== b) t.equal(a.fingerprint === b.fingerprint, a.group === b.group, `${label} ${a.name} vs ${b.name}`);
  };
  check(F.invoices, invoiceFingerprintKey, fingerprintInvoice, FINGERPRINT_TAGS.invoice, ["sellerId", "buyerId", "invoiceNumber", "currency"], "invoice");
  check(F.declarations, declarationFingerprintKey, fingerprintDeclaration, FINGERPRINT_TAGS.declaration, ["country", "declarationNumber"], "declaration");
  check(F.billsOfLading, billOfLadingFingerprintKey, fingerprintBillOfLading, FINGERPRINT_TAGS.billOfLading, ["carrierScac", "blNumber"], "B/L");
  check(F.warehouseReceipts, warehouseReceiptFingerprintKey, fingerprintWarehouseReceipt, FINGERPRINT_TAGS.warehouseReceipt, ["custodianId", "receiptNumber"], "warehouse receipt");
  t.ok(F.warehouseReceipts.length >= 5);
  for (const e of F.warehouseReceiptErrors) t.equal(thrown(() => fingerprintWarehouseReceipt(e.input))?.kind, e.error, e.name);
  for (const e of F.invoiceErrors) t.equal(thrown(() => fingerprintInvoice(e.input))?.kind, e.error, e.name);
  // The same fields under different tags never collide.
  const same = ["exporter-a", "x1"];
  t.not(toHex(sha(fingerprintPreimage(FINGERPRINT_TAGS.declaration, same))), toHex(sha(fingerprintPreimage(FINGERPRINT_TAGS.billOfLading, same))));
  // Length prefixes: moving a character across a field boundary changes the fingerprint.
  t.not(toHex(fingerprintPreimage(FINGERPRINT_TAGS.invoice, ["ab", "c"])), toHex(fingerprintPreimage(FINGERPRINT_TAGS.invoice, ["a", "bc"])));
});

t.test("fingerprint inputs are checked at the edge", async (t) => {
  const good = { sellerId: "exporter-a", buyerId: "B-1", invoiceNumber: "INV-1", currency: "USD" };
  for (const bad of [null, undefined, "x", [], 5]) t.equal(thrown(() => fingerprintInvoice(bad as any))?.kind, "invalid_argument");
  t.equal(thrown(() => fingerprintInvoice({ ...good, invoiceNumber: 17 as any }))?.kind, "invalid_argument");
  t.equal(thrown(() => fingerprintInvoice({ ...good, sellerId: "exporter-a " }))?.kind, "invalid_field", "party ids are used as given");
  t.equal(thrown(() => fingerprintInvoice({ ...good, buyerId: undefined as any }))?.field, "buyerId");
  t.equal(thrown(() => fingerprintDeclaration({ country: "CHN", declarationNumber: "1" }))?.kind, "invalid_field");
  t.equal(thrown(() => fingerprintBillOfLading({ blNumber: "NBOHAM2610417" } as any))?.kind, "invalid_argument", "carrier code required");
  t.equal(thrown(() => fingerprintBillOfLading({ carrierScac: "MAEU1", blNumber: "X" }))?.kind, "invalid_field");
  t.equal(fingerprintInvoice(good).length, 32);
});

t.test("full case folding and the digit table against this runtime's Unicode", async (t) => {
  t.equal(caseFold("Straße"), "strasse");
  t.equal(caseFold("ẞ"), "ss");
  t.equal(caseFold("ΟΔΟΣ"), "οδοσ", "no final-sigma context rule");
  t.equal("ΟΔΟΣ".toLowerCase(), "οδος", "(toLowerCase applies it)");
  t.equal(caseFold("ς"), "σ");
  t.equal(caseFold("İ"), "i\u0307");
  t.equal(caseFold("ı"), "ı", "default folding keeps dotless i; normalizeReference maps it");
  t.equal(caseFold("ﬃ"), "ffi");
  t.equal(caseFold("ᏣᎳᎩ ꮳꮃꭹ"), "ᏣᎳᎩ ᏣᎳᎩ");
  t.equal(caseFold("ᾈ"), "ἀι");
  // Folding is idempotent for every code point (Unicode §3.13), and the key is a fixed point.
  let notIdempotent = 0;
  let keyNotFixed = 0;
  for (let cp = 0; cp < 0x110000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCodePoint(cp);
    if (/\p{Cn}/u.test(ch)) continue;
    const f = caseFold(ch);
    if (caseFold(f) !== f) notIdempotent++;
    if (cp < 0x3000 || (cp >= 0xff00 && cp < 0xfff0) || (cp >= 0x1d400 && cp < 0x1d800)) {
      let k: string;
      try {
        k = normalizeReference(ch);
      } catch {
        continue;
      }
      if (normalizeReference(k) !== k || !/^[\p{L}\p{N}]+$/u.test(k) || k !== k.normalize("NFC")) keyNotFixed++;
    }
  }
  t.equal(notIdempotent, 0, "caseFold(caseFold(c)) === caseFold(c)");
  t.equal(keyNotFixed, 0, "normalizeReference is idempotent, letters and digits only, NFC");
  // Every Nd code point of this runtime is in the table with its run's value.
  let wrong = 0;
  let start = -1;
  for (let cp = 0; cp <= 0x110000; cp++) {
    const nd = cp < 0x110000 && !(cp >= 0xd800 && cp <= 0xdfff) && /\p{Nd}/u.test(String.fromCodePoint(cp));
    if (nd && start < 0) start = cp;
    if (nd && decimalDigitValue(cp) !== (cp - start) % 10) wrong++;
    if (!nd) start = -1;
  }
  t.equal(wrong, 0, "the digit table matches \\p{Nd} of this runtime (update it for a new Unicode version)");
  t.equal(decimalDigitValue(0x41), -1);
});

// ---- verifyDocument ------------------------------------------------------------------------------

const samples = () => {
  const doc = (name: string) => JSON.parse(caseByName(name).json);
  return { invoice: doc("sample-commercial-invoice"), declaration: doc("sample-export-declaration"), bl: doc("sample-bill-of-lading"), packing: doc("sample-packing-list") };
};

t.test("verifyDocument: the lender's check passes for the genuine invoice, with the documented mapping", async (t) => {
  const { invoice } = samples();
  const c = hashDocument(invoice);
  const fp = fingerprintInvoice({ sellerId: invoice.seller.partyId, buyerId: invoice.buyer.identifier, invoiceNumber: invoice.invoiceNumber, currency: invoice.currency });
  t.equal(toHex(fp), F.documents.find((d: any) => d.kind === "invoice").fingerprint);
  const r = verifyDocument(invoice, c.salts, {
    documentHash: c.rootHex,
    fingerprint: toHex(fp),
    exporterId: "exporter-hz-textiles",
    buyerId: "de-hrb-204871",
    currency: "USD",
    amount: 15_250_000n,
    issueDate: "2026-10-02",
    dueDate: "2026-12-31",
  });
  t.same(r.problems, []);
  t.ok(r.ok);
  t.equal(r.kind, "invoice");
  t.ok(r.documentHashMatches);
  t.equal(r.fingerprintMatches, true);
  t.same(r.fingerprintKey, { sellerId: "exporter-hz-textiles", buyerId: "dehrb204871", invoiceNumber: "inv202600417", currency: "USD" });
  t.same(r.warnings, []);
  t.ok(verifyDocument(invoice, c.salts, { documentHash: c.root, fingerprint: fp }).ok, "bytes as well as hex");
});

t.test("verifyDocument catches a fake fingerprint, a changed document and a lying ledger record", async (t) => {
  const { invoice } = samples();
  const c = hashDocument(invoice);
  const fp = fingerprintInvoice({ sellerId: "exporter-hz-textiles", buyerId: "DE-HRB-204871", invoiceNumber: "INV-2026/00417", currency: "USD" });
  // The exporter anchored the true document but a fingerprint of another number, to dodge
  // DUPLICATE_RECEIVABLE: the bank recomputes from the document and sees it.
  const fake = fingerprintInvoice({ sellerId: "exporter-hz-textiles", buyerId: "DE-HRB-204871", invoiceNumber: "INV-2026/00417-B", currency: "USD" });
  const r1 = verifyDocument(invoice, c.salts, { documentHash: c.root, fingerprint: fake });
  t.notOk(r1.ok);
  t.ok(r1.documentHashMatches);
  t.equal(r1.fingerprintMatches, false);
  t.same(r1.problems.map((p) => p.code), ["FINGERPRINT_MISMATCH"]);
  // Without the anchored fingerprint the check refuses to pass silently.
  const r2 = verifyDocument(invoice, c.salts, { documentHash: c.root });
  t.notOk(r2.ok);
  t.same(r2.problems.map((p) => p.code), ["FINGERPRINT_MISSING"]);
  // A document changed after anchoring.
  const changed = { ...invoice, totalAmount: "252500.00" };
  const r3 = verifyDocument(changed, c.salts, { documentHash: c.root, fingerprint: fp });
  t.same(r3.problems.map((p) => p.code), ["DOCUMENT_HASH_MISMATCH"]);
  t.equal(r3.fingerprintMatches, true);
  // The re-spelled invoice number of a second registration gives the same fingerprint: the same receivable.
  const respelled = { ...invoice, invoiceNumber: "inv 2026 00417" };
  const c2 = hashDocument(respelled);
  t.ok(verifyDocument(respelled, c2.salts, { documentHash: c2.root, fingerprint: fp }).ok);
  // The ledger record says more than the document.
  const r4 = verifyDocument(invoice, c.salts, { documentHash: c.root, fingerprint: fp, amount: 15_250_001n, exporterId: "exporter-other", currency: "EUR", dueDate: "2027-01-31" });
  t.same(r4.mismatches.sort(), ["amount", "currency", "dueDate", "exporterId"]);
  t.same(r4.problems.map((p) => p.code), ["FIELD_MISMATCH"]);
  t.same(verifyDocument(invoice, c.salts, { documentHash: c.root, fingerprint: fp, amount: 152_500n }).mismatches, ["amount"], "units, not minor units");
  // Wrong salts, missing salts.
  const other = hashDocument(invoice);
  t.same(verifyDocument(invoice, other.salts, { documentHash: c.root, fingerprint: fp }).problems.map((p) => p.code), ["DOCUMENT_HASH_MISMATCH"]);
  const { ["/currency"]: _x, ...missing } = c.salts;
  t.same(verifyDocument(invoice, missing, { documentHash: c.root, fingerprint: fp }).problems.map((p) => p.code), ["SALTS_MISMATCH"]);
  // A seller id that is not a party id cannot be fingerprinted.
  const badSeller = { ...invoice, seller: { ...invoice.seller, partyId: "Hangzhou Silkroad" } };
  const c3 = hashDocument(badSeller);
  const r5 = verifyDocument(badSeller, c3.salts, { documentHash: c3.root, fingerprint: fp });
  t.same(r5.problems.map((p) => p.code), ["FINGERPRINT_INPUTS_INVALID"]);
  t.equal(r5.fingerprintMatches, false);
  // Look-alike letters are flagged for a human.
  const cyrillic = { ...invoice, invoiceNumber: "ІNV-2026/00417" };
  const c4 = hashDocument(cyrillic);
  const r6 = verifyDocument(cyrillic, c4.salts, { documentHash: c4.root, fingerprint: fingerprintInvoice({ sellerId: "exporter-hz-textiles", buyerId: "DE-HRB-204871", invoiceNumber: "ІNV-2026/00417", currency: "USD" }) });
  t.ok(r6.ok);
  t.same(r6.warnings, ["NON_ASCII_REFERENCE:invoiceNumber"]);
});

t.test("verifyDocument: declarations and bills of lading from the sample shapes", async (t) => {
  const { declaration, bl, packing } = samples();
  const cd = hashDocument(declaration);
  const fd = F.documents.find((d: any) => d.kind === "declaration").fingerprint;
  t.equal(toHex(fingerprintDeclaration({ country: "CN", declarationNumber: "310420261000478215" })), fd);
  const rd = verifyDocument(declaration, cd.salts, { documentHash: cd.root, fingerprint: fd, exporterId: "exporter-hz-textiles", currency: "USD", amount: 15_250_000n, exportDate: "2026-10-05" });
  t.same(rd.problems, []);
  t.equal(rd.kind, "declaration");
  t.same(rd.fingerprintKey, { country: "CN", declarationNumber: "310420261000478215" });
  // An office without a country code cannot be fingerprinted; an explicit customsCountry wins.
  const noCode = { ...declaration, customsOffice: "Ningbo Beilun" };
  const cn = hashDocument(noCode);
  t.same(verifyDocument(noCode, cn.salts, { documentHash: cn.root, fingerprint: fd }).problems.map((p) => p.code), ["FINGERPRINT_INPUTS_INVALID"]);
  const explicit = { ...noCode, customsCountry: "CN" };
  const ce = hashDocument(explicit);
  t.ok(verifyDocument(explicit, ce.salts, { documentHash: ce.root, fingerprint: fd }).ok);

  const cb = hashDocument(bl);
  const fb = F.documents.find((d: any) => d.kind === "billOfLading").fingerprint;
  t.ok(verifyDocument(bl, cb.salts, { documentHash: cb.root, fingerprint: fb }).ok);
  const noFp = verifyDocument(bl, cb.salts, { documentHash: cb.root });
  t.ok(noFp.ok, "a B/L may be anchored without a fingerprint");
  t.equal(noFp.fingerprintMatches, null);
  t.equal(noFp.fingerprint, fb, "but it is still computed");
  t.notOk(verifyDocument(bl, cb.salts, { documentHash: cb.root, fingerprint: F.documents[0].fingerprint }).ok);

  // Kinds: inferred from documentType, checked against an explicit one; unknown kinds have no fingerprint.
  t.same(verifyDocument(bl, cb.salts, { documentHash: cb.root, fingerprint: fb }, "invoice").problems.map((p) => p.code).includes("KIND_MISMATCH"), true);
  const cp = hashDocument(packing);
  const rp = verifyDocument(packing, cp.salts, { documentHash: cp.root });
  t.ok(rp.ok);
  t.equal(rp.kind, null);
  t.same(verifyDocument(packing, cp.salts, { documentHash: cp.root, fingerprint: fb }).problems.map((p) => p.code), ["UNKNOWN_KIND"]);
});

t.test("verifyDocument never throws", async (t) => {
  const { invoice } = samples();
  const c = hashDocument(invoice);
  const args: [unknown, unknown, unknown, unknown][] = [
    [undefined, undefined, undefined, undefined],
    [invoice, null, { documentHash: c.root }, undefined],
    [invoice, c.salts, null, undefined],
    [invoice, c.salts, { documentHash: "xyz" }, undefined],
    [invoice, c.salts, { documentHash: c.root, fingerprint: 5 }, undefined],
    [invoice, c.salts, { documentHash: c.root, fingerprint: c.root }, "cheque"],
    [{ a: NaN }, {}, { documentHash: c.root }, undefined],
    [invoice, c.salts, { documentHash: c.root, fingerprint: c.root, amount: "152500.00" }, undefined],
    [[1, 2], {}, { documentHash: c.root }, "invoice"],
  ];
  for (const [d, s, a, k] of args) {
    const r = verifyDocument(d, s as any, a as any, k as any);
    t.equal(r.ok, false);
    t.ok(r.problems.length > 0);
  }
});

t.test("decimal amounts to minor units (ISO 4217 exponents)", async (t) => {
  t.equal(decimalToMinorUnits("152500.00", "USD"), 15_250_000n);
  t.equal(decimalToMinorUnits("152500", "USD"), 15_250_000n);
  t.equal(decimalToMinorUnits("152500.000", "USD"), 15_250_000n);
  t.equal(decimalToMinorUnits("0.5", "EUR"), 50n);
  t.equal(decimalToMinorUnits("1000", "JPY"), 1000n);
  t.equal(decimalToMinorUnits("1.234", "KWD"), 1234n);
  for (const [a, c] of [["152500.001", "USD"], ["1000.5", "JPY"], ["01", "USD"], ["-1", "USD"], ["1e3", "USD"], ["", "USD"], ["1.", "USD"], ["1", "XAU"]])
    t.equal(decimalToMinorUnits(a, c!), null, `${a} ${c}`);
  t.equal(decimalToMinorUnits(152500 as any, "USD"), null);
  t.equal(decimalToMinorUnits("18446744073709551616", "JPY"), 18446744073709551616n, "bigint, no float");
});

t.test("FIELD_TYPE_CODES are the leaf type bytes", async (t) => {
  const salt = new Uint8Array(32).fill(7);
  for (const type of Object.keys(FIELD_TYPE_CODES) as FieldType[]) {
    const pre = leafPreimage("/x", type, "1", salt);
    t.equal(pre[TAG_LEAF.length + 4 + 2], FIELD_TYPE_CODES[type]);
  }
  t.equal(thrown(() => leafPreimage("/x", "date" as any, "1", salt))?.kind, "invalid_argument");
  t.equal(thrown(() => leafPreimage("/x", "string", "1", salt.subarray(1)))?.kind, "bad_salt");
});
