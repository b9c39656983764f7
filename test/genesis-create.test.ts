// `tradeledger init --party …` writes a signed genesis entry; `tradeledger genesis create` collects
// the founders' entries into one genesis: the same bytes whatever the order, every proof checked,
// conflicts named. As operators run it: separate processes, real files, exit codes.
import t from "tap";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadGenesis, loadKeyFile } from "../config/load.js";
import { createGenesis, loadGenesisEntry, signGenesisEntry } from "../config/genesis-entry.js";
import { nodeCrypto } from "../node/crypto.js";
import { toHex } from "../sdk/bytes.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "node", "cli", "cli.js");
const env = { ...process.env, TRADELEDGER_KEY_PASSPHRASE: "founders test passphrase" };
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env });
const dir = mkdtempSync(join(tmpdir(), "tl-genesis-"));

const ORGS = [
  { dir: "bank-a", args: ["--party", "bank-a", "--role", "BANK", "--name", "Bank A AG", "--country", "DE", "--address", "/dns4/tl.bank-a.example/tcp/26601"] },
  { dir: "bank-a-2", args: ["--party", "bank-a", "--role", "BANK", "--name", "Bank A AG", "--country", "DE", "--validator-id", "bank-a-2", "--address", "/dns4/tl2.bank-a.example/tcp/26601"] },
  { dir: "customs", args: ["--party", "customs", "--role", "CUSTOMS", "--name", "Customs Authority", "--country", "CN", "--address", "/ip4/10.0.0.3/tcp/26601"] },
  { dir: "core", args: ["--party", "core-enterprise", "--role", "ENTERPRISE", "--name", "Core Motors", "--country", "CN", "--lei", "5299000J2N45DDNE4Y28", "--address", "/ip4/10.0.0.4/tcp/26601"] },
];

t.test("init --party writes encrypted keys and a signed entry; genesis create collects them deterministically", async (t) => {
  for (const o of ORGS) {
    const extra = o.dir === "bank-a-2" ? ["--party-key", join(dir, "bank-a", "party-key.json")] : [];
    const res = run("init", "--dir", join(dir, o.dir), ...o.args, ...extra, "--genesis", join(dir, o.dir, "genesis.json"));
    t.equal(res.status, 0, `${o.dir}: ${res.stderr}`);
    if (o.dir !== "bank-a-2") t.match(res.stdout, /genesis entry: .*genesis-entry\.json/);
  }
  const entries = ORGS.map((o) => join(dir, o.dir, "genesis-entry.json"));
  const entry = JSON.parse(readFileSync(entries[0]!, "utf8"));
  t.match(entry, { format: "tradeledger-genesis-entry/v1", party: { id: "bank-a", role: "BANK" }, validator: { id: "bank-a", peerId: /^12D3KooW/ }, proofs: { party: /^[0-9a-f]{128}$/, node: /^[0-9a-f]{128}$/ } });
  t.match(JSON.parse(readFileSync(join(dir, "bank-a", "party-key.json"), "utf8")), { format: "tradeledger-keystore/v1", partyId: "bank-a" });
  t.equal(JSON.parse(readFileSync(entries[1]!, "utf8")).party.publicKey, entry.party.publicKey, "the second validator of bank-a signs for the same party key");

  const out1 = join(dir, "genesis-1.json");
  const out2 = join(dir, "genesis-2.json");
  const time = "2027-01-04T00:00:00Z";
  const a = run("genesis", "create", ...entries, "--chain-id", "tl-founders", "--genesis-time", time, "--out", out1);
  t.equal(a.status, 0, a.stderr);
  t.match(a.stderr, /warning: bank-a runs 2 of 4 validators, more than f = 1/, "an organisation with more than f validators is pointed out");
  const b = run("genesis", "create", ...[...entries].reverse(), "--chain-id", "tl-founders", "--genesis-time", String(Date.parse(time)), "--out", out2);
  t.equal(b.status, 0, b.stderr);
  t.equal(readFileSync(out1, "utf8"), readFileSync(out2, "utf8"), "the same entries in another order give the same bytes");
  const sha = /sha256 ([0-9a-f]{64})/.exec(a.stdout)?.[1];
  t.equal(sha, toHex(nodeCrypto.sha256(readFileSync(out1))), "the printed hash is the file's");
  t.equal(/sha256 ([0-9a-f]{64})/.exec(b.stdout)?.[1], sha);
  const g = loadGenesis(out1);
  t.same(g.validators.map((v) => v.id), ["bank-a", "bank-a-2", "core-enterprise", "customs"], "validators sorted by id");
  t.same(g.parties.map((p) => p.id), ["bank-a", "core-enterprise", "customs"], "one party per organisation");
  t.equal(g.genesisTime, Date.parse(time));
  t.equal(run("genesis", "validate", out1).status, 0);
  const asJson = run("genesis", "create", ...entries, "--chain-id", "tl-founders", "--genesis-time", time, "--out", join(dir, "genesis-3.json"), "--json");
  t.equal(asJson.status, 0, asJson.stderr);
  t.match(JSON.parse(asJson.stdout), { chainId: "tl-founders", parties: 3, validators: 4, f: 1, sha256: sha, warnings: [/bank-a runs 2 of 4 validators/] }, "--json: the same facts as JSON");
  t.not(run("genesis", "create", ...entries, "--chain-id", "tl-founders", "--genesis-time", time, "--out", out1).status, 0, "never overwrites a genesis");
});

t.test("genesis create refuses forged, conflicting and incomplete entries, naming the file", async (t) => {
  const entries = ORGS.map((o) => join(dir, o.dir, "genesis-entry.json"));
  const write = (name: string, value: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(value));
    return f;
  };
  const customs = JSON.parse(readFileSync(entries[2]!, "utf8"));
  const opts = ["--chain-id", "tl-x", "--genesis-time", "2027-01-04T00:00:00Z"];
  let n = 0;
  const create = (...files: string[]) => run("genesis", "create", ...files, ...opts, "--out", join(dir, `out-${n++}.json`));

  // someone else's public key in my entry: the proof of possession fails
  const stolen = write("stolen.json", { ...customs, party: { ...customs.party, publicKey: JSON.parse(readFileSync(entries[0]!, "utf8")).party.publicKey } });
  let res = create(entries[0]!, entries[1]!, stolen, entries[3]!);
  t.equal(res.status, 78);
  t.match(res.stderr, /stolen\.json: proofs\.party: not a signature of this entry by the party key/);
  const moved = write("moved.json", { ...customs, validator: { ...customs.validator, addresses: ["/ip4/6.6.6.6/tcp/1"] } });
  t.match(create(entries[0]!, entries[1]!, moved, entries[3]!).stderr, /proofs\.party: not a signature/, "an edited address is caught");
  const noNode = write("no-node.json", { ...customs, proofs: { party: customs.proofs.party } });
  t.match(create(entries[0]!, entries[1]!, noNode, entries[3]!).stderr, /proofs\.node: a validator's entry must be signed by its node key/);
  // the same party described differently by two entries
  // (re-signed with bank-a's real keys, so only the conflict is wrong)
  const pass = env.TRADELEDGER_KEY_PASSPHRASE;
  const partySeed = loadKeyFile(join(dir, "bank-a", "party-key.json"), pass).seed;
  const nodeSeed = loadKeyFile(join(dir, "bank-a-2", "node-key.json"), pass).seed;
  const { proofs: _p, ...second } = JSON.parse(readFileSync(entries[1]!, "utf8"));
  const renamed = await signGenesisEntry({ ...second, party: { ...second.party, name: "Bank A plc" } }, (m) => nodeCrypto.sign(partySeed, m), (m) => nodeCrypto.sign(nodeSeed, m));
  res = create(entries[0]!, write("renamed.json", renamed), entries[2]!, entries[3]!);
  t.match(res.stderr, /renamed\.json: party: party bank-a differs from its entry in .*bank-a\/genesis-entry\.json/);
  // one validator twice, and three validators (not 3f + 1)
  t.match(create(entries[0]!, entries[0]!, entries[2]!, entries[3]!).stderr, /validator bank-a is also in/);
  t.match(create(entries[0]!, entries[2]!, entries[3]!).stderr, /PBFT needs n = 3f \+ 1 validators/);
  t.match(create(entries[2]!, entries[3]!, entries[1]!, entries[1]!.replace("bank-a-2", "bank-a")).stdout, /4 validators/);
  t.match(run("genesis", "create", ...entries, "--chain-id", "tl-x", "--genesis-time", "yesterday", "--out", join(dir, "x.json")).stderr, /--genesis-time: expected an ISO 8601 instant/);
  t.match(create(write("junk.json", { format: "tradeledger-genesis-entry/v1" })).stderr, /junk\.json: party/);
});

t.test("createGenesis (library): needs a BANK, and entries load with their proofs", async (t) => {
  const customs = loadGenesisEntry(join(dir, "customs", "genesis-entry.json"));
  const core = loadGenesisEntry(join(dir, "core", "genesis-entry.json"));
  t.throws(() => createGenesis([{ file: "c", entry: customs }, { file: "e", entry: core }], { chainId: "tl-x", genesisTime: 0 }), /needs at least one BANK|PBFT needs/);
  t.throws(() => createGenesis([], { chainId: "tl-x", genesisTime: 0 }), /no genesis entries/);
});
