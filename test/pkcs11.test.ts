// PKCS#11 keys against SoftHSM2 (Debian): a key generated in the token signs party transactions
// (the SDK's asynchronous Signer) and consensus messages (synchronously, as the replica does), with
// signatures every verifier of the ledger accepts. In CI the test must run (`.ci/run` installs
// softhsm2); elsewhere it is skipped with the reason if SoftHSM2 is missing.
import t from "tap";
import { rmSync } from "node:fs";
import { initTestToken, softhsmUnavailable } from "./softhsm.js";
import { Pkcs11Key, Pkcs11KeyError, pkcs11Signer } from "../node/keys/pkcs11.js";
import { nodeCrypto } from "../node/crypto.js";
import { nobleCrypto } from "../sdk/crypto.js";
import { buildTxBody, tx } from "../sdk/index.js";
import { signTransaction } from "../sdk/signer.js";
import { decodeTx, verifyTxSignature } from "../sdk/tx.js";
import { commitSigningBytes } from "../sdk/commit.js";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { createDevnet } from "../config/devnet.js";
import { freePortRange } from "../tools/cluster.js";
import { TradeLedgerNode } from "../node/node.js";
import { rpcFactory } from "../rpc/server.js";
import { NodeMetrics } from "../node/metrics.js";
import { silentLogger } from "../node/log.js";
import { createClient } from "../sdk/client.js";
import { fromHex, toHex } from "../sdk/bytes.js";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { loadGenesisEntry } from "../config/genesis-entry.js";

const why = softhsmUnavailable();
if (why && !process.env.CI) {
  t.pass(`skipped: ${why}`);
} else {
  const token = initTestToken();
  t.teardown(() => rmSync(token.dir, { recursive: true, force: true }));
  const ref = (keyLabel: string) => ({ module: token.module, tokenLabel: token.tokenLabel, pin: token.pin, keyLabel });

  t.test("a key generated in the token signs as RFC 8032 ed25519: node:crypto and noble verify it", async (t) => {
    const key = Pkcs11Key.generate(ref("bank-a-party"));
    t.teardown(() => key.close());
    t.equal(key.publicKey.length, 32);
    const msg = new TextEncoder().encode("tradeledger pkcs11 probe");
    const a = key.signSync(msg);
    const b = await key.sign(msg);
    t.same(a, b, "ed25519 is deterministic: the synchronous and asynchronous paths agree");
    t.ok(nodeCrypto.verify(key.publicKey, msg, a), "node:crypto (the node's hot path) verifies it");
    t.ok(nobleCrypto.verify(key.publicKey, msg, a), "noble (the SDK, the browser) verifies it");
    t.notOk(nodeCrypto.verify(key.publicKey, new TextEncoder().encode("another message"), a));
    // concurrent asynchronous signatures on one key are serialised, each correct
    const msgs = Array.from({ length: 16 }, (_, i) => new TextEncoder().encode(`message ${i}`));
    const sigs = await Promise.all(msgs.map((m) => key.sign(m)));
    sigs.forEach((s, i) => t.ok(nodeCrypto.verify(key.publicKey, msgs[i]!, s), `concurrent signature ${i}`));
    // the same key opened again (a restarted process) has the same public key
    const again = Pkcs11Key.open(ref("bank-a-party"));
    t.same(again.publicKey, key.publicKey);
    again.close();
  });

  t.test("a party signer in the token signs transactions the node admits", async (t) => {
    const key = Pkcs11Key.generate(ref("exporter-party"));
    t.teardown(() => key.close());
    const signer = pkcs11Signer("exporter-a", key);
    const body = buildTxBody(tx.anchorDocument({ documentHash: nodeCrypto.sha256(new TextEncoder().encode("b/l")), documentType: "BILL_OF_LADING" }), { chainId: "tl-hsm", signer });
    const signed = await signTransaction(signer, body);
    const received = decodeTx(nodeCrypto, signed.bytes);
    t.equal(received.hashHex, signed.hashHex);
    t.ok(verifyTxSignature(nodeCrypto, key.publicKey, received), "the mempool's check passes");
    t.notMatch(JSON.stringify(signer), /seed|private/i, "a signer holds no key material");
  });

  t.test("a node key in the token signs consensus messages synchronously, as the replica does", async (t) => {
    const key = Pkcs11Key.generate(ref("bank-a-node"));
    t.teardown(() => key.close());
    const bytes = commitSigningBytes("tl-hsm", 0n, 7n, nodeCrypto.sha256(new Uint8Array([7])), 2);
    const signature = key.signSync(bytes);
    t.ok(nodeCrypto.verify(key.publicKey, bytes, signature));
  });

  t.test("a validator whose node key and party key are in the HSM: it proposes, votes and signs its bank's transactions", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "tl-hsm-net-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const rpcBase = await freePortRange(4);
    const p2pBase = await freePortRange(4, [rpcBase]);
    const net = createDevnet({ dir, rpcBasePort: rpcBase, p2pBasePort: p2pBase, consensus: { requestTimeoutMs: 1000, viewChangeTimeoutMs: 1000, maxViewChangeTimeoutMs: 8000 } });
    // bank-a's node key (validator 0: the primary of view 0) and its party key live in the token
    const nodeKey = Pkcs11Key.generate(ref("bank-a-validator"));
    const partyKey = Pkcs11Key.generate(ref("bank-a-signing"));
    t.teardown(() => partyKey.close());
    nodeKey.close(); // the node opens it itself, from its config
    const genesis = JSON.parse(readFileSync(net.genesisFile, "utf8"));
    genesis.validators[0].nodePublicKey = toHex(nodeKey.publicKey);
    genesis.parties.find((p: { id: string }) => p.id === "bank-a").publicKey = toHex(partyKey.publicKey);
    writeFileSync(net.genesisFile, JSON.stringify(genesis, null, 2));
    const config0 = JSON.parse(readFileSync(net.nodes[0]!.configFile, "utf8"));
    delete config0.nodeKeyFile;
    config0.nodeKeyPkcs11 = { module: token.module, tokenLabel: token.tokenLabel, keyLabel: "bank-a-validator" };
    writeFileSync(net.nodes[0]!.configFile, JSON.stringify(config0, null, 2));

    const env = { ...process.env, TRADELEDGER_PKCS11_PIN: token.pin };
    const nodes: TradeLedgerNode[] = [];
    t.teardown(async () => {
      for (const n of nodes) await n.stop();
    });
    for (const node of net.nodes) nodes.push(await TradeLedgerNode.fromConfigFile(node.configFile, { env, logger: silentLogger, rpc: rpcFactory({ metrics: new NodeMetrics() }), metrics: new NodeMetrics() }));

    const bank = pkcs11Signer("bank-a", partyKey);
    const client = createClient({ url: net.nodes[1]!.rpcUrl, signer: bank });
    const exporter = nodeCrypto.publicKeyFromSeed(new Uint8Array(32).fill(5));
    const receipts = [];
    for (let i = 0; i < 3; i++) {
      receipts.push(await client.submit(tx.registerParty({ id: `exporter-hsm-${i}`, role: "ENTERPRISE", name: `HSM Exporter ${i}`, country: "CN", publicKey: i === 0 ? exporter : nodeCrypto.publicKeyFromSeed(new Uint8Array(32).fill(6 + i)) }), bank, { wait: "commit", timeoutMs: 30_000 }));
    }
    t.same(receipts.map((r) => r.receipt.code), ["OK", "OK", "OK"], "the bank onboarded exporters with its key in the HSM");
    let fromReplica0 = 0;
    for (const r of receipts) {
      const block = await client.getBlock(BigInt(r.height));
      const cert = block.certificate!;
      t.ok(cert, `block ${r.height} has its certificate`);
      t.equal(String(block.header.view), "0", `block ${r.height}: committed in view 0, so the HSM primary's pre-prepare was accepted`);
      for (const c of cert.commits) {
        if (c.replica !== 0) continue;
        fromReplica0++;
        const bytes = commitSigningBytes(cert.chainId, BigInt(cert.view), BigInt(cert.seq), fromHex(cert.digest), 0);
        t.ok(nodeCrypto.verify(nodeKey.publicKey, bytes, fromHex(c.signature)), `block ${r.height}: the HSM validator's COMMIT verifies`);
      }
    }
    t.comment(`COMMIT signatures of the HSM validator in the certificates: ${fromReplica0}`);
    const status = await createClient({ url: net.nodes[0]!.rpcUrl }).status();
    t.equal(status.peers.filter((p) => p.validator).length, 3, "the HSM node's libp2p identity (noise handshake signed in the token) is accepted by the 3 other validators");
  });

  t.test("tradeledger init keeps a founder's node and party keys in the HSM and signs its genesis entry there", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "tl-hsm-init-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "node", "cli", "cli.js");
    const env: NodeJS.ProcessEnv = { ...process.env, TRADELEDGER_PKCS11_PIN: token.pin };
    delete env.TRADELEDGER_KEY_PASSPHRASE;
    delete env.TRADELEDGER_KEY_PASSPHRASE_FILE;
    const res = spawnSync(
      process.execPath,
      [cli, "init", "--dir", join(dir, "node"), "--party", "bank-h", "--role", "BANK", "--name", "HSM Bank", "--country", "DE", "--address", "/ip4/10.1.2.3/tcp/26601",
        "--pkcs11-module", token.module, "--pkcs11-token", token.tokenLabel, "--pkcs11-node-key", "bank-h-node", "--pkcs11-party-key", "bank-h-party"],
      { encoding: "utf8", env },
    );
    t.equal(res.status, 0, res.stderr);
    t.match(res.stdout, /node key: +in the HSM, token tradeledger-test, label bank-h-node/);
    t.notOk(existsSync(join(dir, "node", "node-key.json")), "no key file: the keys are in the token");
    t.notOk(existsSync(join(dir, "node", "party-key.json")));
    const config = JSON.parse(readFileSync(join(dir, "node", "node.json"), "utf8"));
    t.same(config.nodeKeyPkcs11, { module: token.module, tokenLabel: token.tokenLabel, keyLabel: "bank-h-node" });
    t.notOk(config.nodeKeyFile);
    const entry = loadGenesisEntry(join(dir, "node", "genesis-entry.json"));
    const node = Pkcs11Key.open(ref("bank-h-node"));
    const party = Pkcs11Key.open(ref("bank-h-party"));
    t.equal(entry.validator?.nodePublicKey, toHex(node.publicKey), "the entry names the HSM's node key, and its proofs verify");
    t.equal(entry.party.publicKey, toHex(party.publicKey));
    node.close();
    party.close();
  });

  t.test("errors are typed and name what is wrong", async (t) => {
    t.throws(() => Pkcs11Key.open(ref("no-such-key")), { code: "KEY_NOT_FOUND" });
    t.throws(() => Pkcs11Key.generate(ref("bank-a-party")), { code: "KEY_EXISTS" }, "never overwrites a key");
    t.throws(() => Pkcs11Key.open({ ...ref("bank-a-party"), tokenLabel: "other-token" }), { code: "TOKEN_NOT_FOUND" });
    const err = (() => {
      try {
        Pkcs11Key.open({ ...ref("bank-a-party"), module: "/nonexistent/libpkcs11.so" });
      } catch (e) {
        return e;
      }
    })();
    t.ok(err instanceof Pkcs11KeyError && err.code === "PKCS11_ERROR", "a missing module");
    const key = Pkcs11Key.open(ref("bank-a-party"));
    key.close();
    t.throws(() => key.signSync(new Uint8Array(1)), { code: "PKCS11_ERROR" }, "a closed key signs nothing");
    await t.rejects(key.sign(new Uint8Array(1)), { code: "PKCS11_ERROR" });
  });
}
