// The encrypted keystore (sdk/keystore.ts) and key files (config/load.ts): round trips with both
// scrypt implementations, a wrong passphrase and every tampered field refused, bounded parameters,
// plaintext keys labelled as development keys.
import t from "tap";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decryptKey, encryptKey, KeystoreError, loadEncryptedSigner, MIN_SCRYPT_N, nobleScryptFn, parseKeystore, type KeystoreFile } from "../sdk/keystore.js";
import { ConfigError, keyFileInfo, loadKeyFile, nodeScrypt, PLAINTEXT_KEY_NOTE, writeKeyFile } from "../config/load.js";
import { nodeCrypto } from "../node/crypto.js";
import { toHex } from "../sdk/bytes.js";
import { loadSigner } from "../sdk/client.js";

const FAST = { N: MIN_SCRYPT_N, r: 8, p: 1 };
const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const dir = mkdtempSync(join(tmpdir(), "tl-keystore-"));

t.test("seal and open: noble and node:crypto scrypt are the same function", async (t) => {
  const sealed = encryptKey(seed, "correct horse", { kind: "party", partyId: "bank-a", scrypt: FAST });
  t.equal(sealed.format, "tradeledger-keystore/v1");
  t.equal(sealed.publicKey, toHex(nodeCrypto.publicKeyFromSeed(seed)));
  t.notMatch(JSON.stringify(sealed), toHex(seed), "the seed is not in the file");
  t.same(decryptKey(sealed, "correct horse").seed, seed, "noble opens what noble sealed");
  t.same(decryptKey(sealed, "correct horse", { scryptFn: nodeScrypt }).seed, seed, "node:crypto opens what noble sealed");
  const byNode = encryptKey(seed, "correct horse", { kind: "party", partyId: "bank-a", scrypt: FAST, scryptFn: nodeScrypt });
  t.same(decryptKey(byNode, "correct horse", { scryptFn: nobleScryptFn }).seed, seed, "noble opens what node:crypto sealed (a browser can open a node's keystore)");
  t.not(byNode.kdf.salt, sealed.kdf.salt, "a fresh salt each time");
  t.not(byNode.cipher.nonce, sealed.cipher.nonce, "a fresh nonce each time");
  // NFKC: the composed and decomposed spellings of a passphrase open the same file
  const accented = encryptKey(seed, "caf\u00e9", { kind: "node", scrypt: FAST, scryptFn: nodeScrypt });
  t.same(decryptKey(accented, "cafe\u0301", { scryptFn: nodeScrypt }).seed, seed);
});

t.test("a wrong passphrase and any edited header field fail the tag", async (t) => {
  const sealed = encryptKey(seed, "pass", { kind: "party", partyId: "bank-a", scrypt: FAST, scryptFn: nodeScrypt });
  const open = (k: unknown, p = "pass") => decryptKey(k, p, { scryptFn: nodeScrypt });
  t.throws(() => open(sealed, "Pass"), { code: "WRONG_PASSPHRASE" });
  const other = toHex(nodeCrypto.publicKeyFromSeed(new Uint8Array(32).fill(9)));
  const edits: [string, KeystoreFile][] = [
    ["partyId", { ...sealed, partyId: "bank-b" }],
    ["publicKey", { ...sealed, publicKey: other }],
    ["kind", { ...sealed, kind: "node" }],
    ["kdf.salt", { ...sealed, kdf: { ...sealed.kdf, salt: "00".repeat(32) } }],
    ["kdf.r", { ...sealed, kdf: { ...sealed.kdf, r: 7 } }],
    ["ciphertext", { ...sealed, ciphertext: (sealed.ciphertext[0] === "0" ? "1" : "0") + sealed.ciphertext.slice(1) }],
    ["cipher.nonce", { ...sealed, cipher: { ...sealed.cipher, nonce: "00".repeat(24) } }],
  ];
  for (const [field, k] of edits) t.throws(() => open(k), { code: "WRONG_PASSPHRASE" }, `an edited ${field} is refused`);
});

t.test("malformed files and out-of-range scrypt parameters are refused before any work", async (t) => {
  const sealed = encryptKey(seed, "pass", { kind: "party", scrypt: FAST, scryptFn: nodeScrypt });
  t.throws(() => parseKeystore({ ...sealed, kdf: { ...sealed.kdf, N: 2 ** 30 } }), { code: "MALFORMED" }, "a hostile N (memory) is refused");
  t.throws(() => parseKeystore({ ...sealed, kdf: { ...sealed.kdf, N: 1024 } }), { code: "MALFORMED" }, "a weak N is refused");
  t.throws(() => parseKeystore({ ...sealed, kdf: { ...sealed.kdf, N: 3 * 2 ** 14 } }), { code: "MALFORMED" }, "N not a power of two");
  t.throws(() => parseKeystore({ ...sealed, kdf: { ...sealed.kdf, p: 64 } }), { code: "MALFORMED" });
  t.throws(() => parseKeystore({ ...sealed, cipher: { name: "aes-128-cbc", nonce: sealed.cipher.nonce } }), { code: "MALFORMED" });
  t.throws(() => parseKeystore({ ...sealed, ciphertext: "00" }), { code: "MALFORMED" });
  t.throws(() => parseKeystore({ seed: "00" }), KeystoreError);
  t.throws(() => encryptKey(seed, "", { kind: "party", scrypt: FAST }), { code: "MALFORMED" }, "an empty passphrase");
});

t.test("key files: encrypted with a passphrase, plaintext labelled; both 0600", async (t) => {
  const enc = join(dir, "party.json");
  writeKeyFile(enc, { partyId: "bank-a", seed }, { passphrase: "s3cret", scrypt: FAST });
  t.equal(statSync(enc).mode & 0o777, 0o600);
  t.match(keyFileInfo(enc), { partyId: "bank-a", encrypted: true, kind: "party" }, "the public part reads without the passphrase");
  t.same(keyFileInfo(enc).publicKey, nodeCrypto.publicKeyFromSeed(seed));
  t.same(loadKeyFile(enc, "s3cret").seed, seed);
  t.match((() => { try { loadKeyFile(enc); } catch (e) { return e; } })(), { message: /is an encrypted key: give its passphrase/ });
  t.throws(() => loadKeyFile(enc, "wrong"), ConfigError);
  const plain = join(dir, "dev.json");
  writeKeyFile(plain, { partyId: "bank-a", seed });
  t.equal(JSON.parse(readFileSync(plain, "utf8")).note, PLAINTEXT_KEY_NOTE);
  t.match(loadKeyFile(plain), { partyId: "bank-a", encrypted: false });
  t.equal(toHex(loadSigner(readFileSync(plain, "utf8")).publicKey), toHex(nodeCrypto.publicKeyFromSeed(seed)), "the SDK reads a labelled dev key");
  const text = readFileSync(enc, "utf8");
  t.equal(toHex(loadEncryptedSigner(text, "s3cret").publicKey), toHex(nodeCrypto.publicKeyFromSeed(seed)), "the SDK opens the node's keystore");
  t.equal(loadEncryptedSigner(text, "s3cret").partyId, "bank-a");
  t.throws(() => loadSigner(text), { code: "MALFORMED", field: "keyFile", message: /loadEncryptedSigner/ }, "loadSigner points to the keystore opener");
  t.throws(() => loadEncryptedSigner(text, "nope"), { code: "WRONG_PASSPHRASE" });
  writeFileSync(join(dir, "garbage.json"), JSON.stringify({ format: "tradeledger-keystore/v1", kind: "party" }));
  t.throws(() => keyFileInfo(join(dir, "garbage.json")), ConfigError);
});
