#!/usr/bin/env node
// Generates the known-answer vectors in test/vectors/ (hashing.json, fingerprints.json,
// ed25519.json) from the built SDK (run `npm run build` first). The vectors are generated ONCE and
// committed: test/hashing.test.ts and test/crypto.test.ts recompute every one of them, so a change
// of algorithm shows up as a failing test and, when intended, as a diff of these files.
//
//   node scripts/gen-vectors.mjs            writes the files that do not exist yet
//   node scripts/gen-vectors.mjs --force    regenerates all of them (an algorithm change!)
//   node scripts/gen-vectors.mjs --check    regenerates in memory and reports differences
//
// Everything here is deterministic: salts are SHA-256 of their path, seeds are fixed.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ed25519, ED25519_TORSION_SUBGROUP } from "@noble/curves/ed25519.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sdk = (m) => import(join(root, "dist", "sdk", m));
const { canonicalJson, hashDocument, discloseField, leafPreimage, DOCUMENT_TAGS, FIELD_TYPE_CODES, DOCUMENT_LIMITS, HashingError } = await sdk("hashing/index.js");
const fp = await sdk("fingerprint.js");
const { toHex, fromHex, utf8 } = await sdk("bytes.js");
const { nobleCrypto } = await sdk("crypto.js");
const { signTx, txSigningBytes, TX_SIGNING_DOMAIN } = await sdk("tx.js");
const { nodeCrypto } = await import(join(root, "dist", "node", "crypto.js"));

const args = new Set(process.argv.slice(2));
const outDir = join(root, "test", "vectors");
const samplesDir = "/work/shared/samples";

// ---- hashing ----------------------------------------------------------------------------------

/** Vector salts: SHA-256("tradeledger/test-vector/salt/v1" || 0x00 || path). Never do this for real. */
function vectorSalt(path) {
  return toHex(sha256(utf8(`tradeledger/test-vector/salt/v1\u0000${path}`)));
}

function saltsFor(doc) {
  const paths = hashDocument(doc).leaves.map((l) => l.path);
  return Object.fromEntries(paths.map((p) => [p, vectorSalt(p)]));
}

function sample(name) {
  // Re-serialised with two-space indentation so the vector does not depend on the file's layout.
  return JSON.stringify(JSON.parse(readFileSync(join(samplesDir, name), "utf8")), null, 2);
}

const nested = (n) => "[".repeat(n) + "]".repeat(n);

const HASHING_CASES = [
  ["minimal", "a single string field", `{"a":"b"}`],
  ["empty-object", "the empty object: one leaf, the root", `{}`],
  ["empty-array-and-object", "empty containers are leaves of their own (member count 0)", `{"items":[],"meta":{}}`],
  ["absent-vs-empty-array", "compare with empty-array-and-object: absent and empty differ", `{"meta":{}}`],
  ["array-not-object", "same pointer /a/0 as object-not-array, different root (container type)", `{"a":["x"]}`],
  ["object-not-array", "same pointer /a/0 as array-not-object, different root", `{"a":{"0":"x"}}`],
  ["amount-as-number", "a JSON number is hashed as its RFC 8785 form", `{"amount":152500}`],
  ["amount-as-string", "a decimal string differs from the number (type and quotes)", `{"amount":"152500"}`],
  ["amount-as-decimal-string", "amounts are decimal strings, hashed as given", `{"amount":"152500.00"}`],
  [
    "number-forms",
    "RFC 8785 §3.2.2.3 number serialisation: 1.0->1, 1e21->1e+21, -0->0, 2^67+..->123456789012345680000",
    `{"a":1.0,"b":1e21,"c":-0,"d":0.000001,"e":1e-7,"f":123456789012345678901,"g":5e-324,"h":1.7976931348623157e308,"i":-1.5E+3,"j":0.1,"k":1E-6}`,
  ],
  ["literals", "true, false and null", `{"t":true,"f":false,"n":null}`],
  ["nested", "nested objects and arrays", `{"a":{"b":{"c":[1,[2,{"d":"e"}]]}},"z":[[],[{}]]}`],
  ["key-escaping", "RFC 6901 escaping: '/' -> ~1, '~' -> ~0, the empty key is pointer \"/\"", `{"a/b":1,"m~n":2,"~1":3,"":4," ":5,"é":6,"a":{"":{"/":7}}}`],
  ["precomposed", "U+00E9: no Unicode normalisation for hashing, bytes are bytes", `{"name":"Café"}`],
  ["combining", "e + U+0301: differs from precomposed", `{"name":"Cafe\u0301"}`],
  ["escaped-precomposed", "JSON escapes are parsing detail: same root as precomposed", `{"name":"Caf\\u00e9"}`],
  ["full-width", "full-width characters are hashed as they are (no NFKC)", `{"invoiceNumber":"ＩＮＶ－００１"}`],
  ["ascii-invoice-number", "compare with full-width", `{"invoiceNumber":"INV-001"}`],
  ["emoji", "astral code points in keys and values", `{"note":"📦🚢 ok","👍":"yes"}`],
  ["leaf-order-utf8-vs-utf16", "leaves sort by UTF-8 bytes (～ U+FF5E before 😀 U+1F600); RFC 8785 sorts by UTF-16 (😀 first)", `{"～":1,"😀":2,"a":3,"Z":4,"é":5}`],
  ["string-escapes", "RFC 8785 §3.2.2.2 string escaping of controls, quote, backslash; U+2028 and DEL literal", `{"s":"line\\nbreak\\t\\"quoted\\" \\\\ \\u0000 \\u001f \\u007f \\u2028 \\/"}`],
  ["top-level-array", "any JSON value may be hashed; the root leaf is the array", `[1,"a",[],{}]`],
  ["top-level-string", "a scalar document is one leaf at pointer \"\"", `"just a string"`],
  ["depth-limit", `${DOCUMENT_LIMITS.maxDepth} levels of nesting: the deepest accepted`, nested(DOCUMENT_LIMITS.maxDepth)],
  ["sample-commercial-invoice", "/work/shared/samples/commercial-invoice.json", sample("commercial-invoice.json")],
  ["sample-bill-of-lading", "/work/shared/samples/bill-of-lading.json", sample("bill-of-lading.json")],
  ["sample-export-declaration", "/work/shared/samples/export-declaration.json", sample("export-declaration.json")],
  ["sample-packing-list", "/work/shared/samples/packing-list.json", sample("packing-list.json")],
];

const INVALID_DOCUMENTS = [
  ["lone-surrogate-value", `{"a":"\\ud800"}`, "lone_surrogate"],
  ["lone-surrogate-key", `{"\\udc00":1}`, "lone_surrogate"],
  ["lone-surrogate-reversed-pair", `{"a":"\\udc00\\ud800"}`, "lone_surrogate"],
  ["non-finite-number", `{"a":1e400}`, "non_finite_number"],
  ["too-deep", nested(DOCUMENT_LIMITS.maxDepth + 1), "too_deep"],
];

function hashingVectors() {
  const cases = HASHING_CASES.map(([name, description, json]) => {
    const doc = JSON.parse(json);
    const salts = saltsFor(doc);
    const c = hashDocument(doc, { salts });
    const leaves = c.leaves.map((l) => ({
      path: l.path,
      type: l.type,
      value: l.value,
      salt: salts[l.path],
      preimage: toHex(leafPreimage(l.path, l.type, l.value, fromHex(salts[l.path]))),
      leaf: toHex(l.leaf),
    }));
    const disclosures = c.leaves.map((l) => {
      const d = discloseField(doc, salts, l.path);
      return { path: d.path, index: d.index, proof: d.proof };
    });
    return { name, description, json, canonicalJson: canonicalJson(doc), leafCount: leaves.length, root: c.rootHex, leaves, disclosures };
  });
  const invalid = INVALID_DOCUMENTS.map(([name, json, error]) => {
    let doc;
    try {
      doc = JSON.parse(json);
    } catch {
      throw new Error(`invalid vector ${name} is not JSON text`);
    }
    try {
      hashDocument(doc);
    } catch (err) {
      if (!(err instanceof HashingError) || err.kind !== error) throw new Error(`${name}: expected ${error}, got ${err}`);
      return { name, json, error };
    }
    throw new Error(`${name}: was accepted`);
  });
  const invalidSalts = [
    { name: "salt-for-unknown-path", json: `{"a":1}`, salts: { "": vectorSalt(""), "/a": vectorSalt("/a"), "/b": vectorSalt("/b") }, error: "salt_mismatch" },
    { name: "missing-salt", json: `{"a":1}`, salts: { "": vectorSalt("") }, error: "salt_mismatch" },
    { name: "duplicate-salt", json: `{"a":1}`, salts: { "": vectorSalt(""), "/a": vectorSalt("") }, error: "bad_salt" },
    { name: "upper-case-hex-salt", json: `{"a":1}`, salts: { "": vectorSalt("").toUpperCase(), "/a": vectorSalt("/a") }, error: "bad_salt" },
    { name: "short-salt", json: `{"a":1}`, salts: { "": vectorSalt("").slice(0, 62), "/a": vectorSalt("/a") }, error: "bad_salt" },
  ];
  return {
    description:
      "TradeLedger document hash v1 (docs/hashing.md §2-§4). For each case: parse `json` (I-JSON, numbers as IEEE 754 doubles), " +
      "flatten it into one leaf per JSON node, hash each leaf with the given salt, build the RFC 6962 tree with the document tags. " +
      "`canonicalJson` is the RFC 8785 form of the whole document. `disclosures` are audit paths (sibling hashes, leaf to root). " +
      "`invalid` documents and `invalidSalts` must be rejected; salts given in `invalidSalts` are used as the complete salt map.",
    algorithm: "tradeledger/doc/v1",
    hash: "SHA-256",
    tags: { leaf: toHex(DOCUMENT_TAGS.leaf), node: toHex(DOCUMENT_TAGS.node), empty: toHex(DOCUMENT_TAGS.empty) },
    typeCodes: FIELD_TYPE_CODES,
    limits: DOCUMENT_LIMITS,
    vectorSalts: "salt(path) = SHA-256(UTF-8(\"tradeledger/test-vector/salt/v1\") || 0x00 || UTF-8(path)); real salts are 32 random bytes",
    cases,
    invalid,
    invalidSalts,
  };
}

// ---- fingerprints -----------------------------------------------------------------------------

const REFERENCE_INPUTS = [
  // The same invoice number, re-spelled: all "inv001".
  ["INV-001", "the reference spelling"],
  ["inv 001", "case and a space"],
  ["INV/001", "slash"],
  ["Inv.001", "full stop"],
  ["ＩＮＶ－００１", "full-width letters, digits and hyphen (NFKC)"],
  ["INV\u2010001", "U+2010 HYPHEN"],
  ["INV\u2014001", "U+2014 EM DASH"],
  ["INV\u00a0001", "NO-BREAK SPACE"],
  ["I\u200bNV-001", "ZERO WIDTH SPACE (format character) inside"],
  ["INV-001\u0301", "a combining acute accent appended (marks are removed)"],
  ["ÍNV-001", "precomposed accented letter: accents are removed"],
  ["INV-001📦", "an emoji (symbols are removed)"],
  ["INV-٠٠١", "ARABIC-INDIC digits map to ASCII digits"],
  ["INV-𝟎𝟎𝟏", "MATHEMATICAL BOLD digits (NFKC)"],
  ["\tINV 001\n", "controls and surrounding white space"],
  ["İNV-001", "U+0130 (Turkish capital dotted I) folds to i + U+0307, the mark is removed"],
  ["ınv-001", "U+0131 (Turkish dotless i) is mapped to i"],
  // Leading zeros are significant.
  ["INV-0001", "leading zeros are significant: differs from INV-001"],
  ["INV-01", "differs from INV-001"],
  // Case folding, not lower-casing.
  ["STRASSE", "ss"],
  ["Straße", "full case folding: ß -> ss"],
  ["STRAẞE", "U+1E9E capital sharp s -> ss"],
  ["ΣΟΣ", "Greek capitals"],
  ["σος", "final sigma folds to σ (toLowerCase() would keep ς)"],
  ["ﬁnance", "ligature ﬁ (NFKC)"],
  ["ᏣᎳᎩ", "Cherokee capitals are the folded form"],
  ["ꮳꮃꭹ", "Cherokee small letters fold to the capitals"],
  ["Ⅻ-7", "Roman numeral (Nl) decomposes to letters"],
  ["①②③", "circled digits (NFKC)"],
  ["№ 17", "numero sign decomposes to 'No'"],
  ["发票-2026-001", "CJK letters are kept"],
  ["СФ-001", "Cyrillic is kept as Cyrillic: look-alikes of Latin letters are NOT mapped"],
  ["Café-1", "precomposed é"],
  ["Cafe\u0301-1", "combining acute: same key as precomposed"],
  ["한국-1", "Hangul syllables (NFKD jamo recomposed by the final NFC)"],
  ["31042026 1000 4782 15", "a declaration number with spaces"],
];

const REFERENCE_ERRORS = [
  ["", "empty_after_normalization"],
  ["---", "empty_after_normalization"],
  ["📦", "empty_after_normalization"],
  ["\u0301", "empty_after_normalization"],
  ["INV-\ud800", "lone_surrogate"],
  ["INV-\u0378", "unassigned_code_point"],
  ["X".repeat(257), "too_long"],
];

const CURRENCY_INPUTS = [["USD", "USD"], ["usd", "USD"], [" eur ", "EUR"], ["ＵＳＤ", "USD"]];
const CURRENCY_ERRORS = [["US", "invalid_field"], ["US$", "invalid_field"], ["dollar", "invalid_field"], ["ＵＳ＄", "invalid_field"]];

const INVOICE = { sellerId: "exporter-hz-textiles", buyerId: "DE-HRB-204871", invoiceNumber: "INV-2026/00417", currency: "USD" };
const INVOICE_CASES = [
  ["sample", "A", INVOICE],
  ["number-respelled", "A", { ...INVOICE, invoiceNumber: "inv 2026 00417" }],
  ["number-full-width", "A", { ...INVOICE, invoiceNumber: "ＩＮＶ－２０２６／００４１７" }],
  ["buyer-respelled", "A", { ...INVOICE, buyerId: "de hrb 204871" }],
  ["currency-lower-case", "A", { ...INVOICE, currency: "usd" }],
  ["number-extra-leading-zero", "B", { ...INVOICE, invoiceNumber: "INV-2026/000417" }],
  ["other-currency", "C", { ...INVOICE, currency: "EUR" }],
  ["other-seller", "D", { ...INVOICE, sellerId: "exporter-sz-electronics" }],
  ["other-buyer", "E", { ...INVOICE, buyerId: "DE-HRB-204872" }],
  ["short-number", "F", { ...INVOICE, invoiceNumber: "INV-001" }],
  ["short-number-spaced", "F", { ...INVOICE, invoiceNumber: "inv 001" }],
  ["short-number-padded", "G", { ...INVOICE, invoiceNumber: "INV-0001" }],
];
const INVOICE_ERRORS = [
  ["seller-not-a-party-id", { ...INVOICE, sellerId: "Exporter HZ Textiles" }, "invalid_field"],
  ["number-without-letters-or-digits", { ...INVOICE, invoiceNumber: "-/-" }, "empty_after_normalization"],
  ["bad-currency", { ...INVOICE, currency: "US$" }, "invalid_field"],
];

const DECLARATION = { country: "CN", declarationNumber: "310420261000478215" };
const DECLARATION_CASES = [
  ["sample", "A", DECLARATION],
  ["spaced", "A", { country: "cn", declarationNumber: "3104 2026 1000 4782 15" }],
  ["other-country", "B", { country: "DE", declarationNumber: "310420261000478215" }],
  ["eu-mrn", "C", { country: "DE", declarationNumber: "26DE004850000123E4" }],
];
const BILL_OF_LADING = { carrierScac: "MAEU", blNumber: "NBOHAM2610417" };
const BILL_OF_LADING_CASES = [
  ["sample", "A", BILL_OF_LADING],
  ["with-carrier-prefix", "A", { carrierScac: "MAEU", blNumber: "MAEUNBOHAM2610417" }],
  ["spaced-lower-case", "A", { carrierScac: "maeu", blNumber: "maeu nboham 2610417" }],
  ["other-carrier", "B", { carrierScac: "MSCU", blNumber: "NBOHAM2610417" }],
];

const WAREHOUSE_RECEIPT = { custodianId: "qingdao-bonded-warehouse", receiptNumber: "WR-2026/0042" };
const WAREHOUSE_RECEIPT_CASES = [
  ["sample", "A", WAREHOUSE_RECEIPT],
  ["number-respelled", "A", { ...WAREHOUSE_RECEIPT, receiptNumber: "wr 2026 0042" }],
  ["number-full-width", "A", { ...WAREHOUSE_RECEIPT, receiptNumber: "ＷＲ－２０２６／００４２" }],
  ["other-custodian", "B", { ...WAREHOUSE_RECEIPT, custodianId: "shanghai-metals-store" }],
  ["number-extra-leading-zero", "C", { ...WAREHOUSE_RECEIPT, receiptNumber: "WR-2026/00042" }],
];
const WAREHOUSE_RECEIPT_ERRORS = [
  ["custodian-not-a-party-id", { ...WAREHOUSE_RECEIPT, custodianId: "Qingdao Bonded Warehouse" }, "invalid_field"],
  ["number-without-letters-or-digits", { ...WAREHOUSE_RECEIPT, receiptNumber: "/-/" }, "empty_after_normalization"],
  ["number-missing", { custodianId: WAREHOUSE_RECEIPT.custodianId }, "invalid_argument"],
];

function keyCase(name, group, input, keyFn, fingerprintFn, tag, order) {
  const key = keyFn(input);
  const fields = order.map((f) => key[f]);
  return { name, group, input, key, preimage: toHex(fp.fingerprintPreimage(tag, fields)), fingerprint: toHex(fingerprintFn(input)) };
}

function expectError(fn, kind, label) {
  try {
    fn();
  } catch (err) {
    if (err?.kind !== kind) throw new Error(`${label}: expected ${kind}, got ${err}`);
    return kind;
  }
  throw new Error(`${label}: was accepted`);
}

function fingerprintVectors() {
  const docs = {
    invoice: JSON.parse(sample("commercial-invoice.json")),
    declaration: JSON.parse(sample("export-declaration.json")),
    billOfLading: JSON.parse(sample("bill-of-lading.json")),
  };
  return {
    description:
      "TradeLedger fingerprints v1 (docs/hashing.md §5-§6). fingerprint = SHA-256(tag || for each key field: u32be(UTF-8 length) || UTF-8). " +
      "`references` gives the normalised key of each input string; cases with the same `group` must have the same fingerprint, " +
      "cases of different groups different ones. `documents` derives the fingerprint inputs from the sample document shapes.",
    tags: Object.fromEntries(Object.entries(fp.FINGERPRINT_TAGS).map(([k, v]) => [k, toHex(v)])),
    unicodeVersion: process.versions.unicode,
    references: REFERENCE_INPUTS.map(([input, note]) => ({ input, key: fp.normalizeReference(input), note })),
    referenceErrors: REFERENCE_ERRORS.map(([input, error]) => ({ input, error: expectError(() => fp.normalizeReference(input), error, input) })),
    currencies: CURRENCY_INPUTS.map(([input, code]) => {
      if (fp.normalizeCurrency(input) !== code) throw new Error(`currency ${input}`);
      return { input, code };
    }),
    currencyErrors: CURRENCY_ERRORS.map(([input, error]) => ({ input, error: expectError(() => fp.normalizeCurrency(input), error, input) })),
    invoices: INVOICE_CASES.map(([n, g, i]) =>
      keyCase(n, g, i, fp.invoiceFingerprintKey, fp.fingerprintInvoice, fp.FINGERPRINT_TAGS.invoice, ["sellerId", "buyerId", "invoiceNumber", "currency"]),
    ),
    invoiceErrors: INVOICE_ERRORS.map(([name, input, error]) => ({ name, input, error: expectError(() => fp.fingerprintInvoice(input), error, name) })),
    declarations: DECLARATION_CASES.map(([n, g, i]) =>
      keyCase(n, g, i, fp.declarationFingerprintKey, fp.fingerprintDeclaration, fp.FINGERPRINT_TAGS.declaration, ["country", "declarationNumber"]),
    ),
    billsOfLading: BILL_OF_LADING_CASES.map(([n, g, i]) =>
      keyCase(n, g, i, fp.billOfLadingFingerprintKey, fp.fingerprintBillOfLading, fp.FINGERPRINT_TAGS.billOfLading, ["carrierScac", "blNumber"]),
    ),
    warehouseReceipts: WAREHOUSE_RECEIPT_CASES.map(([n, g, i]) =>
      keyCase(n, g, i, fp.warehouseReceiptFingerprintKey, fp.fingerprintWarehouseReceipt, fp.FINGERPRINT_TAGS.warehouseReceipt, ["custodianId", "receiptNumber"]),
    ),
    warehouseReceiptErrors: WAREHOUSE_RECEIPT_ERRORS.map(([name, input, error]) => ({ name, input, error: expectError(() => fp.fingerprintWarehouseReceipt(input), error, name) })),
    documents: [
      {
        kind: "invoice",
        mapping: { sellerId: "/seller/partyId", buyerId: "/buyer/identifier", invoiceNumber: "/invoiceNumber", currency: "/currency" },
        json: JSON.stringify(docs.invoice),
        fingerprint: toHex(fp.fingerprintInvoice({ sellerId: docs.invoice.seller.partyId, buyerId: docs.invoice.buyer.identifier, invoiceNumber: docs.invoice.invoiceNumber, currency: docs.invoice.currency })),
      },
      {
        kind: "declaration",
        mapping: { country: "/customsCountry, else the two letters that begin the office code in /customsOffice", declarationNumber: "/declarationNumber" },
        json: JSON.stringify(docs.declaration),
        fingerprint: toHex(fp.fingerprintDeclaration({ country: docs.declaration.customsOffice.slice(0, 2), declarationNumber: docs.declaration.declarationNumber })),
      },
      {
        kind: "billOfLading",
        mapping: { carrierScac: "/carrierCode", blNumber: "/transportDocumentReference" },
        json: JSON.stringify(docs.billOfLading),
        fingerprint: toHex(fp.fingerprintBillOfLading({ carrierScac: docs.billOfLading.carrierCode, blNumber: docs.billOfLading.transportDocumentReference })),
      },
    ],
  };
}

// ---- ed25519 ------------------------------------------------------------------------------------

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;
const Point = ed25519.Point;
const le = (n, len = 32) => {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
};
const numLE = (b) => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);
const cat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) out.set(p, (off += p.length) - p.length);
  return out;
};
const challenge = (R, A, M) => numLE(sha512(cat(R, A, M))) % L;
const flip = (bytes, i, bit = 0) => {
  const out = Uint8Array.from(bytes);
  out[i] ^= 1 << bit;
  return out;
};

// RFC 8032 §7.1. Signatures are checked against both implementations below before writing.
const RFC8032 = [
  {
    name: "RFC 8032 §7.1 TEST 1",
    secretKey: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    message: "",
    signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    name: "RFC 8032 §7.1 TEST 2",
    secretKey: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    message: "72",
    signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
  {
    name: "RFC 8032 §7.1 TEST 3",
    secretKey: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
    message: "af82",
    signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
  },
  {
    name: "RFC 8032 §7.1 TEST SHA(abc)",
    secretKey: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
    publicKey: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
    message: toHex(sha512(utf8("abc"))),
    signature: "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
  },
];

function hostileCases() {
  const t1 = RFC8032[0];
  const t2 = RFC8032[1];
  const pk1 = fromHex(t1.publicKey);
  const sig1 = fromHex(t1.signature);
  const pk2 = fromHex(t2.publicKey);
  const sig2 = fromHex(t2.signature);
  const msg2 = fromHex(t2.message);
  const S1 = numLE(sig1.subarray(32));
  const identity = Point.ZERO.toBytes(); // 01 00 .. 00
  const zeroS = new Uint8Array(32);
  const cases = [];
  const add = (name, publicKey, message, signature, valid, note) =>
    cases.push({ name, publicKey: toHex(publicKey), message: toHex(message), signature: toHex(signature), valid, strongPublicKey: null, note });

  add("wrong-length public key (31 bytes)", pk1.subarray(0, 31), new Uint8Array(0), sig1, false, "length is checked before anything else");
  add("wrong-length public key (33 bytes)", cat(pk1, Uint8Array.of(0)), new Uint8Array(0), sig1, false, "");
  add("empty public key", new Uint8Array(0), new Uint8Array(0), sig1, false, "");
  add("wrong-length signature (63 bytes)", pk1, new Uint8Array(0), sig1.subarray(0, 63), false, "");
  add("wrong-length signature (65 bytes)", pk1, new Uint8Array(0), cat(sig1, Uint8Array.of(0)), false, "");
  add("empty signature", pk1, new Uint8Array(0), new Uint8Array(0), false, "");
  add("S + L (non-canonical S, same value mod L)", pk1, new Uint8Array(0), cat(sig1.subarray(0, 32), le(S1 + L)), false, "RFC 8032 §5.1.7: S >= L is invalid; a verifier reducing S mod L would accept (malleability)");
  add("S = L", pk1, new Uint8Array(0), cat(sig1.subarray(0, 32), le(L)), false, "");
  add("S = 2^256 - 1", pk1, new Uint8Array(0), cat(sig1.subarray(0, 32), le(2n ** 256n - 1n)), false, "");
  add("flipped bit in the message", pk2, flip(msg2, 0), sig2, false, "TEST 2 with message 0x73");
  add("flipped bit in R", pk2, msg2, flip(sig2, 0), false, "");
  add("flipped bit in S", pk2, msg2, flip(sig2, 32), false, "");
  add("flipped bit in the public key", flip(pk2, 0), msg2, sig2, false, "");
  add("flipped top bit of the public key (sign of x)", flip(pk2, 31, 7), msg2, sig2, false, "");
  add("signature of the empty message, one-byte message", pk1, Uint8Array.of(0), sig1, false, "TEST 1 signs the empty message");
  add("signature of a one-byte message, empty message", pk2, new Uint8Array(0), sig2, false, "");
  add("all-zero signature, TEST 1 key", pk1, new Uint8Array(0), new Uint8Array(64), false, "R = 00..00 is not the identity's encoding");
  add("public key not on the curve", fromHex("0200000000000000000000000000000000000000000000000000000000000000"), new Uint8Array(0), sig1, false, "y = 2 has no x");

  // Small-order and non-canonical keys: forged signatures OpenSSL 3.0's equation accepts (3.5's does
  // not). The rule refuses them because a weak key verifies nothing, and the ledger refuses such keys
  // at registration too (isStrongPublicKey is false for every one of them).
  const m = utf8("any message at all");
  add("small-order public key: identity, forged (R = identity, S = 0)", identity, m, cat(identity, zeroS), false, "a universal forgery under OpenSSL 3.0 ([0]B - [k]O = O encodes as R for every message), refused by OpenSSL 3.5: a weak key verifies nothing (§7), on every version");
  add("small-order public key: identity, TEST 1 signature", identity, new Uint8Array(0), sig1, false, "");
  const nonCanonicalIdentity = le(P + 1n); // y = p + 1 = 1 (mod p)
  add("non-canonical public key (y = p + 1), forged (R = identity, S = 0)", nonCanonicalIdentity, m, cat(identity, zeroS), false, "OpenSSL 3.0 reduces y mod p and accepts this forgery, 3.5 refuses it: a weak key verifies nothing (§7)");
  const negativeZeroIdentity = flip(identity, 31, 7); // x = 0 with the sign bit set
  add("public key with x = 0 and sign bit set, forged (R = identity, S = 0)", negativeZeroIdentity, m, cat(identity, zeroS), false, "RFC 8032 §5.1.3 refuses this encoding; OpenSSL 3.0 accepts the forgery, 3.5 does not: a weak key verifies nothing (§7)");
  add("non-canonical R (identity encoded as y = p + 1), identity key", identity, m, cat(nonCanonicalIdentity, zeroS), false, "R is compared as bytes with a canonical encoding: a non-canonical R never verifies");
  // An order-8 key: find a message for which some torsion point R forges a signature with S = 0.
  const torsion = ED25519_TORSION_SUBGROUP.map((h) => Point.fromHex(h));
  const T8 = torsion.find((t) => !t.is0() && !t.double().is0() && !t.double().double().is0());
  if (!T8) throw new Error("no order-8 torsion point");
  const A8 = T8.toBytes();
  let forged = null;
  for (let i = 0; i < 64 && !forged; i++) {
    const msg = utf8(`order-8 key forgery ${i}`);
    for (const R of torsion) {
      const Rb = R.toBytes();
      const k = challenge(Rb, A8, msg);
      const check = Point.ZERO.subtract(T8.multiplyUnsafe(k)).toBytes(); // [0]B - [k]A
      if (toHex(check) === toHex(Rb)) {
        forged = { msg, sig: cat(Rb, zeroS) };
        break;
      }
    }
  }
  if (!forged) throw new Error("no order-8 forgery found");
  add("small-order public key (order 8), forged (R torsion, S = 0)", A8, forged.msg, forged.sig, false, "a universal forgery for a small-order key under OpenSSL 3.0, refused by 3.5: a weak key verifies nothing (§7), and is refused at registration");

  // Mixed-order R and A: valid under the cofactored equation (noble's ed25519.verify), invalid
  // under the cofactorless one (OpenSSL, and this ledger).
  const a = numLE(sha256(utf8("tradeledger/test-vector/scalar"))) % L;
  const A = Point.BASE.multiply(a);
  const Ab = A.toBytes();
  const r = numLE(sha256(utf8("tradeledger/test-vector/nonce"))) % L;
  let mixedR = null;
  let mixedA = null;
  for (let i = 0; i < 64 && (!mixedR || !mixedA); i++) {
    const msg = utf8(`mixed order ${i}`);
    if (!mixedR) {
      const Rb = Point.BASE.multiply(r).add(T8).toBytes();
      const k = challenge(Rb, Ab, msg);
      mixedR = { msg, sig: cat(Rb, le((r + k * a) % L)) };
    }
    if (!mixedA) {
      const Amixed = A.add(T8).toBytes();
      const Rb = Point.BASE.multiply(r).toBytes();
      const k = challenge(Rb, Amixed, msg);
      if (k % 8n !== 0n) mixedA = { msg, pk: Amixed, sig: cat(Rb, le((r + k * a) % L)) };
    }
  }
  add("mixed-order R (R = rB + T8), honest S", Ab, mixedR.msg, mixedR.sig, false, "cofactored verification (noble ed25519.verify) accepts; cofactorless (OpenSSL, TradeLedger) refuses");
  add("mixed-order public key (A = aB + T8), honest S, k mod 8 != 0", mixedA.pk, mixedA.msg, mixedA.sig, false, "cofactored verification accepts; cofactorless refuses");
  const honest = cat(Point.BASE.multiply(r).toBytes(), le((r + challenge(Point.BASE.multiply(r).toBytes(), Ab, mixedR.msg) * a) % L));
  add("control: the same key and nonce, honest R", Ab, mixedR.msg, honest, true, "a valid signature made without the secret-key derivation of RFC 8032 (any nonce r works)");
  return cases;
}

function ed25519Vectors() {
  const both = [nobleCrypto, nodeCrypto];
  const rfc = RFC8032.map((v) => {
    for (const c of both) {
      const seed = fromHex(v.secretKey);
      if (toHex(c.publicKeyFromSeed(seed)) !== v.publicKey) throw new Error(`${v.name}: public key`);
      if (toHex(c.sign(seed, fromHex(v.message))) !== v.signature) throw new Error(`${v.name}: signature`);
    }
    return v;
  });
  const hostile = hostileCases().map((v) => {
    const got = both.map((c) => c.verify(fromHex(v.publicKey), fromHex(v.message), fromHex(v.signature)));
    if (got[0] !== v.valid || got[1] !== v.valid) throw new Error(`${v.name}: expected ${v.valid}, noble ${got[0]}, node ${got[1]}`);
    v.strongPublicKey = v.publicKey.length === 64 ? isStrong(fromHex(v.publicKey)) : false;
    return v;
  });

  // TradeLedger transactions: a fixed seed and body, encoded by sdk/tx.ts.
  const exporterSeed = sha256(utf8("tradeledger/test-vector/seed/exporter-hz-textiles"));
  const bankSeed = sha256(utf8("tradeledger/test-vector/seed/bank-a"));
  const invoice = JSON.parse(sample("commercial-invoice.json"));
  const invoiceRoot = hashDocument(invoice, { salts: saltsFor(invoice) }).root;
  const invoiceFp = fp.fingerprintInvoice({ sellerId: invoice.seller.partyId, buyerId: invoice.buyer.identifier, invoiceNumber: invoice.invoiceNumber, currency: invoice.currency });
  const register = {
    chainId: "tradeledger-devnet",
    signer: "exporter-hz-textiles",
    createdAt: 1_790_899_200_000n,
    nonce: fromHex("000102030405060708090a0b0c0d0e0f"),
    payload: { type: "registerReceivable", documentHash: invoiceRoot, fingerprint: invoiceFp, buyerId: "DE-HRB-204871", amount: 15_250_000n, currency: "USD", issueDate: "2026-10-02", dueDate: "2026-12-31" },
  };
  const registered = signTx(nodeCrypto, register, exporterSeed);
  const finance = {
    chainId: "tradeledger-devnet",
    signer: "bank-a",
    createdAt: 1_791_331_200_000n,
    nonce: fromHex("f0e0d0c0b0a090807060504030201000"),
    payload: { type: "financeReceivable", receivableId: registered.hashHex, amount: 12_200_000n, currency: "USD" },
  };
  const txs = [
    ["registerReceivable of the sample invoice (document hash and fingerprint from hashing.json / fingerprints.json)", exporterSeed, register],
    ["financeReceivable of that receivable (its id is the registering transaction's hash)", bankSeed, finance],
  ].map(([name, seed, body]) => {
    const a = signTx(nobleCrypto, body, seed);
    const b = signTx(nodeCrypto, body, seed);
    if (toHex(a.bytes) !== toHex(b.bytes)) throw new Error(`${name}: noble and node:crypto differ`);
    return {
      name,
      seed: toHex(seed),
      publicKey: toHex(nodeCrypto.publicKeyFromSeed(seed)),
      body: jsonBody(body),
      bodyBytes: toHex(a.bodyBytes),
      signingBytes: toHex(txSigningBytes(a.bodyBytes)),
      txHash: a.hashHex,
      signature: toHex(a.signature),
      signedTx: toHex(a.bytes),
    };
  });
  return {
    description:
      "ed25519 known answers for TradeLedger (docs/hashing.md §7). `rfc8032`: sign and verify. `transactions`: TxBody encoded by sdk/tx.ts " +
      "(protobuf, proto/tradeledger.proto), signature over signingBytes = UTF-8(\"tradeledger/tx/v1\") || 0x00 || bodyBytes, txHash = SHA-256(bodyBytes). " +
      "`hostile`: expected verification results under the TradeLedger acceptance rule (OpenSSL 3's: S < L, lenient A decoding, cofactorless, " +
      "R compared as bytes); `strongPublicKey` is whether the key may be registered for a party (canonical, not of small order).",
    signingDomain: toHex(TX_SIGNING_DOMAIN),
    rfc8032: rfc,
    transactions: txs,
    hostile,
  };
}

let isStrong = () => false;

/** bigint -> decimal string, Uint8Array -> hex: the JSON form of a TxBody in the vector file. */
function jsonBody(body) {
  return JSON.parse(JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? toHex(v) : v)));
}

// ---- main -----------------------------------------------------------------------------------------

({ isStrongPublicKey: isStrong } = await sdk("crypto.js"));
const outputs = { "hashing.json": hashingVectors(), "fingerprints.json": fingerprintVectors(), "ed25519.json": ed25519Vectors() };
mkdirSync(outDir, { recursive: true });
let differences = 0;
for (const [file, data] of Object.entries(outputs)) {
  const path = join(outDir, file);
  const text = JSON.stringify(data, null, 2) + "\n";
  if (args.has("--check")) {
    const same = existsSync(path) && readFileSync(path, "utf8") === text;
    if (!same) differences++;
    console.log(`${same ? "same" : "DIFFERENT"}  ${path}`);
  } else if (existsSync(path) && !args.has("--force")) {
    console.log(`kept     ${path} (frozen; --force to regenerate)`);
  } else {
    writeFileSync(path, text);
    console.log(`wrote    ${path}`);
  }
}
if (differences > 0) process.exit(1);
