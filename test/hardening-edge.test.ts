// Issue 18, findings 5, 8, 9 and 10: what a hostile peer or client could do at the node's edge.
// Each test here failed before its fix (docs/security.md §9 lists the limits they pin).
import "../p2p/polyfill.js";
import t from "tap";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDevnet } from "../config/devnet.js";
import { nodeConfigSchema } from "../config/schema.js";
import { nodeCrypto } from "../node/crypto.js";
import { DEFAULT_MAX_BYTES_PER_PARTY, DEFAULT_MAX_TXS_PER_PARTY, Mempool, SIGNATURE_REFUSAL, type Admission, type MempoolOptions } from "../node/driver/mempool.js";
import { SignatureCache } from "../node/driver/sigcache.js";
import { SignedMessageLog } from "../node/driver/signed-log.js";
import type { Crypto } from "../sdk/crypto.js";
import { signTx, type TxBody } from "../sdk/tx.js";
import { openNodeLog } from "../node/cli/devnet.js";
import { createLogger } from "../node/log.js";
import { StoreError, storeOpenError } from "../node/store/errors.js";
import { privateDirectory, Store } from "../node/store/store.js";
import { encodeFrame, encodeVarint, FrameDecoder, FrameError } from "../p2p/index.js";
import { tx } from "../sdk/builders.js";
import { currency, dateOfDayNumber, dayAfter, dayNumber, hasInvisibleCharacters, isCalendarDate, ISO_4217_CURRENCIES, MalformedError, text } from "../sdk/checks.js";
import { DAY, h32, makeParty, pk32, T0, TestChain } from "./ledger-harness.js";

// ---- finding 5: a length prefix does not make the receiver allocate the frame up front ----------

t.test("5: a peer announcing a 64 MiB frame and sending 10 bytes makes the reader hold ~10 bytes", async (t) => {
  const MiB = 1024 * 1024;
  const before = process.memoryUsage().arrayBuffers;
  const decoders: FrameDecoder[] = [];
  // Four streams at the consensus channel's ceiling: before the fix each allocated 64 MiB here.
  for (let i = 0; i < 4; i++) {
    const d = new FrameDecoder(64 * MiB);
    d.push(encodeVarint(64 * MiB));
    d.push(new Uint8Array(10).fill(7));
    t.equal(d.next(), null, "the frame is incomplete");
    t.equal(d.bufferedBytes, 10);
    t.ok(d.heldBytes <= 64 * 1024, `the reader holds ${d.heldBytes} bytes, not the announced 64 MiB`);
    decoders.push(d);
  }
  const grown = process.memoryUsage().arrayBuffers - before;
  t.ok(grown < 16 * MiB, `array buffers grew by ${(grown / MiB).toFixed(1)} MiB for four 64 MiB announcements (was 256 MiB)`);

  // The buffer grows with what arrives, never past the announced length, and the frame is exact.
  const d = new FrameDecoder(1 * MiB);
  const payload = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);
  const wire = encodeFrame(payload);
  let maxHeld = 0;
  let out: Uint8Array | null = null;
  for (let off = 0; off < wire.length; off += 4096) {
    d.push(wire.subarray(off, off + 4096));
    out = d.next();
    maxHeld = Math.max(maxHeld, d.heldBytes);
    if (out) break;
    const received = Math.min(off + 4096, wire.length);
    t.ok(d.heldBytes <= 2 * received + 16 * 1024, `held ${d.heldBytes} after ${received} bytes`);
  }
  t.ok(out, "the frame completes");
  t.equal(out!.length, payload.length);
  t.same(Buffer.from(out!).equals(Buffer.from(payload)), true, "byte for byte");
  t.ok(maxHeld <= payload.length + 4096, "never more than the frame plus one chunk");
  t.equal(d.heldBytes, 0, "nothing held after the frame");
  decoders.length = 0;
});

t.test("5: an announced length above the channel's max is refused before any payload is buffered", async (t) => {
  const d = new FrameDecoder(1024 * 1024);
  d.push(encodeVarint(64 * 1024 * 1024));
  let err: unknown;
  try {
    d.next();
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof FrameError && err.kind === "oversized", "oversized: the channel resets the stream and penalises the peer");
  t.equal(d.heldBytes, 0, "no frame buffer was allocated");
});

// ---- finding 8: currencies, invisible characters, past due dates, the last calendar day ---------

const base = {
  documentHash: h32("edge/doc"),
  fingerprint: h32("edge/fp"),
  buyerId: "ACME-BUYER-01",
  amount: 1_000n,
  currency: "USD",
  issueDate: "2026-09-01",
  dueDate: "2026-12-31",
};

function malformedField(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof MalformedError && err.code === "MALFORMED" ? err.field : `other: ${String(err)}`;
  }
  return "no error";
}

t.test("8: currency is an ISO 4217 code of a circulating currency, in the SDK and in the ledger", async (t) => {
  for (const ccy of ["USD", "EUR", "CNY", "JPY", "KWD", "XOF", "XAF", "XCD", "XPF", "CHF", "ZWG", "XCG"]) {
    t.equal(currency(ccy), undefined, `${ccy} accepted`);
  }
  for (const ccy of ["ZZZ", "XTS", "XXX", "XAU", "XDR", "BOV", "CHE", "USN", "HRK", "usd", "US", "USDX", "", 840]) {
    t.type(currency(ccy), "string", `${String(ccy)} refused`);
  }
  t.ok(ISO_4217_CURRENCIES.size > 150 && ISO_4217_CURRENCIES.size < 170, `${ISO_4217_CURRENCIES.size} codes`);
  // every builder that names a currency refuses a fake one as MALFORMED naming the field
  t.equal(malformedField(() => tx.registerReceivable({ ...base, currency: "ZZZ" })), "currency");
  t.equal(malformedField(() => tx.financeReceivable({ receivableId: "ab".repeat(32), amount: 1n, currency: "XTS" })), "currency");
  t.equal(malformedField(() => tx.grantCreditLine({ lineId: "line-1", obligor: "core-1", currency: "XXX", limit: 1n, expiryDate: "2027-01-01" })), "currency");
  t.equal(malformedField(() => tx.offerPledge({ titleId: "ab".repeat(32), bank: "bank-a", securedAmount: 1n, currency: "ZZZ", expiryDate: "2027-01-01" })), "currency");
  t.equal(malformedField(() => tx.issueWarrant({ lineId: "line-1", holder: "ent-1", amount: 1n, currency: "XTS", maturityDate: "2027-01-01", sources: ["ab".repeat(32)] })), "currency");
  t.equal(
    malformedField(() => tx.attestShipment({ declarationFingerprint: h32("d"), declarationHash: h32("h"), exporterId: "exporter-1", declaredValue: 1n, currency: "ZZZ", exportDate: "2026-10-01", receivableIds: ["ab".repeat(32)] })),
    "currency",
  );
  // the ledger runs the same check in consensus: a hand-signed body with ZZZ is MALFORMED
  const c = new TestChain([makeParty("exporter-1", "ENTERPRISE"), makeParty("bank-a", "BANK")]);
  const r = c.run(c.signRaw("exporter-1", { type: "registerReceivable", ...base, currency: "ZZZ", buyerPartyId: "" }));
  t.equal(r.code, "MALFORMED");
  t.match(r.message, /^payload\.currency: must be an ISO 4217 currency code/);
  t.equal(c.run(c.signRaw("exporter-1", { type: "registerReceivable", ...base, buyerPartyId: "" })).code, "OK", "USD registers");
});

t.test("8: names, buyer ids and reasons refuse bidi, zero-width and other invisible format characters", async (t) => {
  const bad: [string, string][] = [
    ["\u202e", "right-to-left override"],
    ["\u202a", "left-to-right embedding"],
    ["\u202d", "left-to-right override"],
    ["\u2066", "left-to-right isolate"],
    ["\u2069", "pop directional isolate"],
    ["\u200b", "zero width space"],
    ["\u200c", "zero width non-joiner"],
    ["\u200d", "zero width joiner"],
    ["\u2060", "word joiner"],
    ["\ufeff", "zero width no-break space"],
    ["\u200f", "right-to-left mark"],
    ["\u061c", "Arabic letter mark"],
    ["\u00ad", "soft hyphen"],
    ["\u2028", "line separator"],
    ["\u{e0041}", "tag latin capital A"],
    ["\ud800", "lone surrogate"],
  ];
  for (const [ch, what] of bad) {
    t.equal(malformedField(() => tx.registerReceivable({ ...base, buyerId: `ACME${ch}-01` })), "buyerId", `buyerId with ${what}`);
    t.equal(malformedField(() => tx.registerParty({ id: "exporter-x", role: "ENTERPRISE", name: `bank${ch}-a`, country: "CN", publicKey: pk32("x") })), "name", `name with ${what}`);
    t.equal(malformedField(() => tx.disputeReceivable({ receivableId: "ab".repeat(32), reason: `goods${ch} damaged` })), "reason", `dispute reason with ${what}`);
    t.equal(malformedField(() => tx.cancelReceivable({ receivableId: "ab".repeat(32), reason: `typo${ch}` })), "reason", `cancel reason with ${what}`);
    t.ok(hasInvisibleCharacters(`x${ch}y`));
  }
  // ordinary text in any script, with accents, CJK, RTL letters and emoji, still passes
  for (const name of ["Hangzhou Textiles 杭州纺织有限公司", "Société Générale", "شركة التجارة", "Zürich AG 🚢", "O'Brien & Sons, Ltd."]) {
    t.equal(text(1, 200)(name), undefined, name);
  }
  // the ledger refuses them too (a body the SDK would not build)
  const c = new TestChain([makeParty("exporter-1", "ENTERPRISE")]);
  const r = c.run(c.signRaw("exporter-1", { type: "registerReceivable", ...base, buyerId: "ACME\u202e10-EMCA", buyerPartyId: "" }));
  t.equal(r.code, "MALFORMED");
  t.match(r.message, /^payload\.buyerId: must not contain invisible or bidi format characters \(U\+202E\)/);
});

t.test("8: a receivable already past due at registration is OVERDUE; due on the block's day registers", async (t) => {
  const c = new TestChain([makeParty("exporter-1", "ENTERPRISE")]); // block time T0 = 2026-10-01T00:00:00Z
  const reg = (label: string, dueDate: string) =>
    c.run(c.sign("exporter-1", tx.registerReceivable({ ...base, documentHash: h32(`due/${label}`), fingerprint: h32(`due/fp/${label}`), issueDate: "1970-01-01", dueDate })));
  const past = reg("epoch", "1970-01-01");
  t.equal(past.code, "OVERDUE");
  t.match(past.message, /due date 1970-01-01 is before the block's date/);
  t.equal(reg("yesterday", "2026-09-30").code, "OVERDUE");
  t.equal(reg("today", "2026-10-01").code, "OK", "due on the block's UTC day: not yet overdue");
  t.equal(reg("later", "9999-12-31").code, "OK");
  // block time decides, never a clock: late in the day is still the same day
  const late = c.block([c.sign("exporter-1", tx.registerReceivable({ ...base, documentHash: h32("due/late"), fingerprint: h32("due/fp/late"), dueDate: "2026-10-01" }), { createdAt: T0 + DAY - 1n })], T0 + DAY - 1n);
  t.equal(late.receipts[0]!.code, "OK");
  // a duplicate that is also past due keeps its duplicate code (the evidence names the original)
  const dup = c.run(c.sign("exporter-1", tx.registerReceivable({ ...base, documentHash: h32("due/today"), fingerprint: h32("due/fp/x"), issueDate: "2025-12-01", dueDate: "2026-01-01" })));
  t.equal(dup.code, "DUPLICATE_DOCUMENT");
});

t.test("8: the day after 9999-12-31 does not overflow; calendar arithmetic round-trips", async (t) => {
  t.equal(dayAfter("9999-12-31"), undefined, "no day after the last date a format accepts");
  t.equal(dayAfter("9999-12-30"), "9999-12-31");
  t.equal(dayAfter("2024-02-28"), "2024-02-29");
  t.equal(dayAfter("2023-02-28"), "2023-03-01");
  t.equal(dayAfter("1999-12-31"), "2000-01-01");
  t.equal(dayAfter("0001-01-01"), "0001-01-02");
  t.equal(dateOfDayNumber(0n), "1970-01-01");
  t.equal(dateOfDayNumber(dayNumber("0001-01-01") - 1n), undefined);
  for (const d of ["0001-01-01", "1600-02-29", "1969-12-31", "2000-02-29", "2026-10-01", "9999-12-31"]) t.equal(dateOfDayNumber(dayNumber(d)), d, d);
  for (let n = dayNumber("1999-01-01"); n < dayNumber("2001-03-01"); n++) {
    const d = dateOfDayNumber(n)!;
    t.ok(isCalendarDate(d) && dayNumber(d) === n, d);
  }
});

// ---- finding 9: a read-only data directory is not "corrupted"; data, logs and keys are private --

/** Whether this process may mount a tmpfs (root in a container that allows it): the real test. */
function canMount(dir: string): boolean {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return false;
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

t.test("9: a store on a read-only mount is STORE_NOT_WRITABLE with its path, not STORE_CORRUPTED", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tl-ro-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  if (canMount(dir)) {
    t.teardown(() => execFileSync("umount", [dir]));
    const store = await Store.open(join(dir, "ledger"));
    await store.close();
    execFileSync("mount", ["-o", "remount,ro", dir]);
    const err = await Store.open(join(dir, "ledger")).catch((e: unknown) => e);
    t.ok(err instanceof StoreError, String(err));
    t.equal((err as StoreError).code, "STORE_NOT_WRITABLE", (err as Error).message);
    t.match((err as StoreError).message, new RegExp(`store ${join(dir, "ledger")} is not writable .*read-only file system.*not damaged`, "i"));
    t.equal((err as StoreError).detail.path, join(dir, "ledger"));
    const fresh = await Store.open(join(dir, "new-ledger")).catch((e: unknown) => e);
    t.equal((fresh as StoreError).code, "STORE_NOT_WRITABLE", "a store to be created there too");
  } else if (process.getuid?.() !== 0) {
    // not root: permissions apply, a 0500 directory is enough
    const store = await Store.open(join(dir, "ledger"));
    await store.close();
    chmodSync(join(dir, "ledger"), 0o500);
    t.teardown(() => chmodSync(join(dir, "ledger"), 0o700));
    const err = await Store.open(join(dir, "ledger")).catch((e: unknown) => e);
    t.equal((err as StoreError).code, "STORE_NOT_WRITABLE", (err as Error).message);
  } else {
    t.comment("root without mount: the read-only case is covered by the classification below only");
  }
});

t.test("9: the OS errors LevelDB and fs report are classified by what they mean", async (t) => {
  // the shapes LevelDB (classic-level) and node:fs give, as seen on a read-only mount and a full disk
  const level = (message: string) => Object.assign(new Error("Database failed to open"), { code: "LEVEL_DATABASE_NOT_OPEN", cause: Object.assign(new Error(message), { code: "LEVEL_IO_ERROR" }) });
  const fsErr = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}`), { code });
  t.equal(storeOpenError("/d", level("IO error: /d/LOCK: Read-only file system")).code, "STORE_NOT_WRITABLE");
  t.equal(storeOpenError("/d", level("IO error: /d/LOCK: Permission denied")).code, "STORE_NOT_WRITABLE");
  t.equal(storeOpenError("/d", fsErr("EROFS", "read-only file system, open '/d/.write-probe-1'")).code, "STORE_NOT_WRITABLE");
  t.equal(storeOpenError("/d", fsErr("EACCES", "permission denied, mkdir '/d'")).code, "STORE_NOT_WRITABLE");
  t.equal(storeOpenError("/d", fsErr("ENOSPC", "no space left on device, write")).code, "STORE_IO");
  t.equal(storeOpenError("/d", level("IO error: /d/000005.log: No space left on device")).code, "STORE_IO");
  t.equal(storeOpenError("/d", fsErr("ENOTDIR", "not a directory")).code, "STORE_IO");
  t.equal(storeOpenError("/d", Object.assign(new Error("locked"), { code: "LEVEL_DATABASE_NOT_OPEN", cause: { code: "LEVEL_LOCKED", message: "lock held" } })).code, "STORE_LOCKED");
  t.equal(storeOpenError("/d", level("Corruption: CURRENT file does not end with newline")).code, "STORE_CORRUPTED", "damaged files stay corruption");
  const notWritable = storeOpenError("/data/ledger", level("IO error: /data/ledger/LOCK: Read-only file system"));
  t.same(notWritable.detail.path, "/data/ledger");
});

t.test("9: the data directory and store are 0700, node.log 0600, devnet folders 0700 and key files 0600", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tl-modes-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const mode = (p: string) => statSync(p).mode & 0o777;
  const oldUmask = process.umask(0o022); // the common default: group and others would read
  t.teardown(() => void process.umask(oldUmask));

  // the node's data directory (node.ts) and the store inside it
  privateDirectory(join(dir, "data"));
  t.equal(mode(join(dir, "data")), 0o700, "data/ 0700");
  const store = await Store.open(join(dir, "data", "ledger"));
  await store.close();
  t.equal(mode(join(dir, "data", "ledger")), 0o700, "data/ledger 0700");
  // an existing world-readable one is tightened
  mkdirSync(join(dir, "old-data"), { mode: 0o755 });
  chmodSync(join(dir, "old-data"), 0o755);
  privateDirectory(join(dir, "old-data"));
  t.equal(mode(join(dir, "old-data")), 0o700, "an older 0755 data/ becomes 0700");

  // node.log, through the logger and the devnet supervisor's writer
  const logFile = join(dir, "logs", "node.log");
  const logger = createLogger({ file: logFile, level: "info" });
  logger.info("hello");
  t.equal(mode(logFile), 0o600, "node.log 0600");
  t.equal(mode(join(dir, "logs")), 0o700, "its new folder 0700");
  writeFileSync(join(dir, "older.log"), "x\n", { mode: 0o644 });
  chmodSync(join(dir, "older.log"), 0o644);
  const w = openNodeLog(join(dir, "older.log"));
  await new Promise<void>((resolve) => w.end(() => resolve()));
  t.equal(mode(join(dir, "older.log")), 0o600, "an older 0644 node.log becomes 0600");
  const fresh = openNodeLog(join(dir, "n1", "node.log"));
  await new Promise<void>((resolve) => fresh.end(() => resolve()));
  t.equal(mode(join(dir, "n1", "node.log")), 0o600);

  // the devnet folder, its key files and configs
  const devnet = join(dir, "devnet");
  ensureDevnet({ dir: devnet, rpcBasePort: 47_001, p2pBasePort: 47_101 });
  t.equal(mode(devnet), 0o700, "the devnet folder 0700");
  t.equal(mode(join(devnet, "keys")), 0o700, "keys/ 0700");
  const keys = readdirSync(join(devnet, "keys"));
  t.ok(keys.length > 0);
  for (const k of keys) t.equal(mode(join(devnet, "keys", k)), 0o600, `keys/${k} 0600`);
  for (const entry of readdirSync(devnet, { withFileTypes: true })) {
    if (entry.isDirectory()) t.equal(mode(join(devnet, entry.name)), 0o700, `${entry.name}/ 0700`);
  }
});

// ---- finding 10: no party enumeration through submissions; per-party budgets in the mempool -----

const NOW = 1_790_812_800_000;
const seedA = new Uint8Array(32).fill(7);
const seedB = new Uint8Array(32).fill(8);
const stranger = new Uint8Array(32).fill(9);

function txBody(signer: string, n: number, reasonBytes = 4): TxBody {
  const nonce = new Uint8Array(16);
  new DataView(nonce.buffer).setUint32(0, n);
  return { chainId: "test-chain", signer, createdAt: BigInt(NOW), nonce, payload: { type: "cancelReceivable", receivableId: "ab".repeat(32), reason: "x".repeat(reasonBytes) } };
}

function edgePool(opts: Partial<MempoolOptions> = {}) {
  let verifications = 0;
  const crypto: Crypto = { ...nodeCrypto, verify: (pk, m, s) => (verifications++, nodeCrypto.verify(pk, m, s)) };
  const keys = new Map([
    ["bank-a", nodeCrypto.publicKeyFromSeed(seedA)],
    ["exporter-b", nodeCrypto.publicKeyFromSeed(seedB)],
  ]);
  const mp = new Mempool(
    { maxTxs: 100, maxBytes: 1 << 20, txMaxAgeMs: 3_600_000, txMaxFutureMs: 300_000, ...opts },
    { crypto, sigCache: new SignatureCache(crypto), chainId: "test-chain", partyKey: (id) => keys.get(id), isCommitted: () => false, now: () => NOW },
  );
  return { mp, verifications: () => verifications };
}

t.test("10: an unknown signer and a bad signature get the same answer, after the same work", async (t) => {
  const { mp, verifications } = edgePool();
  const v0 = verifications();
  const unknown = await mp.admit(signTx(nodeCrypto, txBody("nobody-here", 1), stranger).bytes);
  const v1 = verifications();
  const forged = await mp.admit(signTx(nodeCrypto, txBody("bank-a", 2), stranger).bytes);
  const v2 = verifications();
  t.equal(v1 - v0, 1, "an unknown signer costs one signature verification");
  t.equal(v2 - v1, 1, "as a known one does");
  const strip = (a: Admission) => (a.ok ? a : { ...a, txHash: undefined });
  t.same(strip(unknown), strip(forged), "same code, message and fields");
  t.match(unknown, { ok: false, code: "BAD_SIGNATURE", message: SIGNATURE_REFUSAL });
  t.notMatch(JSON.stringify(unknown), /nobody-here|registered|unknown/i, "the answer says nothing about whether the party exists");
  t.equal(mp.rejected.UNKNOWN_SIGNER, 1, "the operator still counts unknown signers apart");
  // the ledger keeps its receipt codes: a forged or unknown signer that a faulty primary orders
  // is still UNKNOWN_SIGNER in its receipt (test/ledger.test.ts "envelope")
});

t.test("10: each party may have at most maxTxsPerParty / maxBytesPerParty pending client submissions", async (t) => {
  const { mp } = edgePool({ maxTxsPerParty: 3, maxBytesPerParty: 64 * 1024 });
  const a = [1, 2, 3, 4].map((n) => signTx(nodeCrypto, txBody("bank-a", n), seedA));
  for (const x of a.slice(0, 3)) t.match(await mp.admit(x.bytes), { ok: true });
  const over = await mp.admit(a[3]!.bytes);
  t.match(over, { ok: false, code: "MEMPOOL_FULL", scope: "party" });
  t.match((over as { message: string }).message, /bank-a has 3 transactions .* pending, its budget is 3/);
  t.same(mp.pendingOf("bank-a"), { txs: 3, bytes: a.slice(0, 3).reduce((s, x) => s + x.bytes.length, 0) });
  t.match(await mp.admit(signTx(nodeCrypto, txBody("exporter-b", 1), seedB).bytes), { ok: true }, "another party is not affected");
  t.match(await mp.admit(a[0]!.bytes), { ok: true, alreadyPending: true }, "resubmitting a pending one is still idempotent");
  // committing frees the budget
  mp.removeCommitted([a[0]!.hashHex]);
  t.same(mp.pendingOf("bank-a").txs, 2);
  t.match(await mp.admit(a[3]!.bytes), { ok: true });
  // gossip from peers is not charged against the budget (it was admitted under some node's)
  t.match(await mp.admit(signTx(nodeCrypto, txBody("bank-a", 5), seedA).bytes, "peer"), { ok: true });
  t.equal(mp.pendingOf("bank-a").txs, 4);
  t.match(await mp.admit(signTx(nodeCrypto, txBody("bank-a", 6), seedA).bytes), { ok: false, code: "MEMPOOL_FULL", scope: "party" }, "but it counts as pending");

  // the byte budget
  const bytes = edgePool({ maxTxsPerParty: 100, maxBytesPerParty: 64 * 1024 }).mp;
  const big = (n: number) => signTx(nodeCrypto, txBody("bank-a", n, 30_000), seedA);
  t.match(await bytes.admit(big(1).bytes), { ok: true });
  t.match(await bytes.admit(big(2).bytes), { ok: true });
  t.match(await bytes.admit(big(3).bytes), { ok: false, code: "MEMPOOL_FULL", scope: "party" }, "a third 30 KB transaction exceeds 64 KiB");
  // and the whole pool's limit is reported as such
  const small = edgePool({ maxTxs: 1 }).mp;
  t.match(await small.admit(signTx(nodeCrypto, txBody("bank-a", 1), seedA).bytes), { ok: true });
  t.match(await small.admit(signTx(nodeCrypto, txBody("exporter-b", 1), seedB).bytes), { ok: false, code: "MEMPOOL_FULL", scope: "pool" });
});

t.test("10: the budget defaults and the node config keys", async (t) => {
  t.equal(DEFAULT_MAX_TXS_PER_PARTY, 1_000);
  t.equal(DEFAULT_MAX_BYTES_PER_PARTY, 4 * 1024 * 1024);
  const cfg = nodeConfigSchema.parse({ dataDir: "data", genesisFile: "g.json", nodeKeyFile: "k.json", mode: "observer", p2p: { listen: ["/ip4/127.0.0.1/tcp/0"] } });
  t.match(cfg.mempool, { maxTxsPerParty: 1_000, maxBytesPerParty: 4 * 1024 * 1024 });
  const set = nodeConfigSchema.parse({ dataDir: "data", genesisFile: "g.json", nodeKeyFile: "k.json", mode: "observer", p2p: { listen: ["/ip4/127.0.0.1/tcp/0"] }, mempool: { maxTxsPerParty: 50, maxBytesPerParty: 1 << 20 } });
  t.match(set.mempool, { maxTxs: 100_000, maxTxsPerParty: 50, maxBytesPerParty: 1 << 20 });
});

t.test("the signed-message log (evidence of what this validator signed) is readable by its owner only", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tl-signed-log-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "logs", "signed.jsonl");
  const log = new SignedMessageLog(file, "tradeledger-test", 0);
  log.close();
  t.equal(statSync(file).mode & 0o777, 0o600);
});
