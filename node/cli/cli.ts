#!/usr/bin/env node
// `tradeledger`: the node's command line (commander). Operator commands: start, devnet, init,
// keys, genesis. Client commands (register, finance, ...) are added by node/cli/cli-client.ts.
import "../../p2p/polyfill.js";
import { Command, InvalidArgumentError, Option } from "commander";
import { existsSync, realpathSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { toHex } from "../../sdk/bytes.js";
import { ConfigError, keyFileInfo, loadGenesis, loadKeyFile, readJsonFile, writeJsonFile, writeKeyFile, parseWith } from "../../config/load.js";
import { nodeCrypto } from "../crypto.js";
import { readPassphrase } from "../keys/passphrase.js";
import { nodeConfigSchema } from "../../config/schema.js";
import { peerIdFromNodePublicKey } from "../../p2p/identity.js";
import { createLogger } from "../log.js";
import { addClientCommands } from "./cli-client.js";
import { outputFormat, render } from "./output.js";
import type { TradeLedgerNode } from "../node.js";

import { VERSION } from "../version.js";

// The node stack (libp2p, LevelDB, koa) is loaded only by the commands that run a node, so the
// client commands and --help start fast.

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError("expected a TCP port (1-65535)");
  return n;
}

const JSON_HELP = "print JSON";
/** What an operator command prints: `value` as JSON with --json, else its text (as before --json existed, for scripts that read it). */
function report(opts: { json?: boolean }, value: unknown, text: string): void {
  process.stdout.write(opts.json ? render(value, "json") : text);
}

function fail(err: unknown): never {
  if (err instanceof ConfigError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const e = err as Error & { code?: string };
  process.stderr.write(`error: ${e.code ? `[${e.code}] ` : ""}${e.message}\n`);
  process.exit(1);
}

/**
 * A signal arriving this soon after the first is the same stop delivered twice, not an operator's
 * second request: Ctrl-C signals the terminal's whole process group, so a devnet node gets SIGINT
 * from the terminal and SIGTERM from its supervisor within milliseconds.
 */
const SAME_STOP_MS = 3_000;

/** Runs `stop` on the first SIGINT/SIGTERM; another signal later than SAME_STOP_MS exits at once. */
function onShutdown(stop: () => Promise<void>): void {
  let stoppingSince: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (performance.now() - stoppingSince < SAME_STOP_MS) return; // the same stop, delivered again
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(130);
    }
    stoppingSince = performance.now();
    stop().then(
      () => process.exit(0),
      (err) => fail(err),
    );
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}

/** The production composition: the RPC of rpc/ serving the node's own metrics registry. */
async function standardNode(file: string, onNodeKeyRotated?: (restart: () => Promise<TradeLedgerNode>) => void): Promise<TradeLedgerNode> {
  const [{ TradeLedgerNode }, { NodeMetrics }, { rpcFactory }] = await Promise.all([import("../node.js"), import("../metrics.js"), import("../../rpc/server.js")]);
  const metrics = new NodeMetrics();
  return TradeLedgerNode.fromConfigFile(file, { rpc: rpcFactory({ metrics }), metrics, ...(onNodeKeyRotated ? { onNodeKeyRotated } : {}) });
}

interface InitOptions {
  dir: string;
  party?: string;
  role?: string;
  name?: string;
  country?: string;
  lei?: string;
  partyKey?: string;
  address?: string;
  validatorId?: string;
  observer?: boolean;
  genesis: string;
  listen: string;
  rpcHost: string;
  rpcPort: number;
  passphraseFile?: string;
  plaintextKeys?: boolean;
  pkcs11Module?: string;
  pkcs11Token?: string;
  pkcs11NodeKey?: string;
  pkcs11PartyKey?: string;
  json?: boolean;
}

/** `tradeledger init`: keys (encrypted by default), node.json and, with --party, the genesis entry. */
async function init(opts: InitOptions): Promise<void> {
  const dir = resolve(opts.dir);
  const keyFile = join(dir, "node-key.json");
  const configFile = join(dir, "node.json");
  const partyKeyFile = join(dir, "party-key.json");
  const entryFile = join(dir, "genesis-entry.json");
  if ([keyFile, configFile, partyKeyFile, entryFile].some((f) => existsSync(f))) throw new Error(`${dir} already holds a node key, party key, config or genesis entry; refusing to overwrite`);
  if (opts.observer && opts.validatorId) throw new Error("--observer and --validator-id exclude each other");
  const validatorId = opts.observer ? undefined : (opts.validatorId ?? opts.party);
  if (opts.party) {
    const missing = (["role", "name", "country"] as const).filter((k) => !opts[k]);
    if (missing.length) throw new Error(`--party needs ${missing.map((k) => `--${k}`).join(", ")} for the genesis entry`);
    if (validatorId && !opts.address) throw new Error("--party with a validator needs --address: where the other validators reach this node");
  }
  const hsm = opts.pkcs11Module ? { module: opts.pkcs11Module, tokenLabel: opts.pkcs11Token ?? "" } : undefined;
  if ((opts.pkcs11NodeKey || opts.pkcs11PartyKey) && !(hsm && opts.pkcs11Token)) throw new Error("--pkcs11-node-key and --pkcs11-party-key need --pkcs11-module and --pkcs11-token");
  if (opts.pkcs11PartyKey && opts.partyKey) throw new Error("--pkcs11-party-key and --party-key exclude each other");
  const needsFileKeys = !opts.pkcs11NodeKey || (opts.party && !opts.pkcs11PartyKey && !opts.partyKey);
  const passphrase = opts.plaintextKeys || !needsFileKeys ? undefined : await readPassphrase({ ...(opts.passphraseFile ? { file: opts.passphraseFile } : {}), confirm: true, what: `the keys in ${dir}` });
  const enc = passphrase !== undefined ? { passphrase } : {};
  const opened: { close(): void }[] = [];
  /** A key in the HSM: generated there unless it exists (its label names it; the PIN from the environment). */
  const hsmKey = async (keyLabel: string) => {
    const { Pkcs11Key, pinFromEnvironment } = await import("../keys/pkcs11.js");
    const ref = { ...hsm!, keyLabel, pin: pinFromEnvironment() };
    let key;
    try {
      key = Pkcs11Key.open(ref);
    } catch (err) {
      if ((err as { code?: string }).code !== "KEY_NOT_FOUND") throw err;
      key = Pkcs11Key.generate(ref);
    }
    opened.push(key);
    return { publicKey: key.publicKey, sign: (m: Uint8Array) => key.signSync(m) };
  };
  const fileKey = (seed: Uint8Array) => ({ publicKey: nodeCrypto.publicKeyFromSeed(seed), sign: (m: Uint8Array) => nodeCrypto.sign(seed, m) });
  try {
    const lines: string[] = [];
    const summary: Record<string, unknown> = {};
    let node: { publicKey: Uint8Array; sign(m: Uint8Array): Uint8Array };
    if (opts.pkcs11NodeKey) {
      node = await hsmKey(opts.pkcs11NodeKey);
      lines.push(`node key:    in the HSM, token ${hsm!.tokenLabel}, label ${opts.pkcs11NodeKey} (never leaves it)`);
      summary.nodeKey = { pkcs11: { token: hsm!.tokenLabel, label: opts.pkcs11NodeKey } };
    } else {
      const seed = new Uint8Array(randomBytes(32));
      writeKeyFile(keyFile, { seed, kind: "node" }, enc);
      node = fileKey(seed);
      lines.push(`node key:    ${keyFile} (mode 0600, ${passphrase !== undefined ? "encrypted" : "PLAINTEXT: for a local test network only"}; back it up, never share it)`);
      summary.nodeKey = { file: keyFile, encrypted: passphrase !== undefined };
    }
    const config = parseWith(
      nodeConfigSchema,
      {
        dataDir: "data",
        genesisFile: resolve(opts.genesis),
        ...(opts.pkcs11NodeKey ? { nodeKeyPkcs11: { ...hsm!, keyLabel: opts.pkcs11NodeKey } } : { nodeKeyFile: "node-key.json" }),
        mode: validatorId ? "validator" : "observer",
        ...(validatorId ? { validatorId } : {}),
        p2p: { listen: [opts.listen] },
        rpc: { host: opts.rpcHost, port: opts.rpcPort },
      },
      "node config",
    );
    if (opts.party) {
      let party: { publicKey: Uint8Array; sign(m: Uint8Array): Uint8Array };
      if (opts.pkcs11PartyKey) {
        party = await hsmKey(opts.pkcs11PartyKey);
        lines.push(`party key:   in the HSM, token ${hsm!.tokenLabel}, label ${opts.pkcs11PartyKey}`);
        summary.partyKey = { pkcs11: { token: hsm!.tokenLabel, label: opts.pkcs11PartyKey } };
      } else if (opts.partyKey) {
        const file = resolve(opts.partyKey);
        const existing = loadKeyFile(file, keyFileInfo(file).encrypted ? (passphrase ?? (await readPassphrase({ what: opts.partyKey }))) : undefined);
        if (existing.partyId && existing.partyId !== opts.party) throw new Error(`${opts.partyKey} is ${existing.partyId}'s key, not ${opts.party}'s`);
        party = fileKey(existing.seed);
        summary.partyKey = { file };
      } else {
        const seed = new Uint8Array(randomBytes(32));
        writeKeyFile(partyKeyFile, { partyId: opts.party, seed, kind: "party" }, enc);
        party = fileKey(seed);
        lines.push(`party key:   ${partyKeyFile} (mode 0600; the organisation's signing key: move it to where its application signs, or into an HSM)`);
        summary.partyKey = { file: partyKeyFile, encrypted: passphrase !== undefined };
      }
      const { signGenesisEntry, GENESIS_ENTRY_FORMAT } = await import("../../config/genesis-entry.js");
      const entry = await signGenesisEntry(
        {
          format: GENESIS_ENTRY_FORMAT,
          party: { id: opts.party, role: opts.role as "BANK", name: opts.name!, country: opts.country!, publicKey: toHex(party.publicKey), ...(opts.lei ? { lei: opts.lei } : {}) },
          ...(validatorId ? { validator: { id: validatorId, nodePublicKey: toHex(node.publicKey), addresses: [opts.address!], peerId: peerIdFromNodePublicKey(node.publicKey) } } : {}),
        },
        (m) => party.sign(m),
        (m) => node.sign(m),
      );
      writeJsonFile(entryFile, entry);
      lines.push(`genesis entry: ${entryFile} (public: send it to the founders; tradeledger genesis create collects them)`);
      summary.party = { id: opts.party, publicKey: toHex(party.publicKey) };
      summary.genesisEntry = entryFile;
    }
    writeJsonFile(configFile, config);
    lines.push(
      `node config: ${configFile}`,
      validatorId
        ? `node public key (put it in the genesis validators/observers list): ${toHex(node.publicKey)}\n` +
          `  (to join a running network instead: start the node, it follows the chain; a validator's party proposes it with \`tradeledger governance propose add --node-key ${toHex(node.publicKey)} --validator-party ${validatorId}\`, and it votes from the switch: docs/governance.md §7)`
        : `node public key (an observer: a BANK or REGULATOR party admits it on the running network with \`tradeledger observer admit ${toHex(node.publicKey)} --operator <your party>\`, docs/governance.md): ${toHex(node.publicKey)}`,
      `peer id: ${peerIdFromNodePublicKey(node.publicKey)}`,
      "",
    );
    report(opts, { ...summary, configFile, nodePublicKey: toHex(node.publicKey), peerId: peerIdFromNodePublicKey(node.publicKey), ...(validatorId ? { validatorId } : { mode: "observer" }) }, lines.join("\n"));
  } finally {
    for (const k of opened) k.close();
  }
}

/** Writes a file's exact text atomically (temp file + rename), mode 0644. */
function writeJsonFileText(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, file);
}

export function buildCli(): Command {
  const program = new Command("tradeledger")
    .description("TradeLedger: a permissioned PBFT ledger for cross-border trade finance")
    .version(VERSION)
    .showHelpAfterError();

  program
    .command("start")
    .description("run a node (validator or observer) from its config file")
    .requiredOption("-c, --config <file>", "node config (JSON); see docs/operator.md")
    .action(async (opts: { config: string }) => {
      try {
        // a validator whose node key is rotated at a switch (nextNodeKeyFile) restarts in process with
        // the next key: same data, config and RPC port, a new libp2p identity (docs/operator.md)
        let node: TradeLedgerNode | undefined;
        let restarting: Promise<void> = Promise.resolve();
        const onRotated = (restart: () => Promise<TradeLedgerNode>) => {
          restarting = restarting.then(async () => {
            const old = node;
            node = undefined;
            await old?.stop();
            node = await restart();
          });
          restarting.catch(fail);
        };
        node = await standardNode(resolve(opts.config), onRotated);
        onShutdown(async () => {
          await restarting.catch(() => undefined);
          await node?.stop();
        });
      } catch (err) {
        fail(err);
      }
    });

  program
    .command("devnet")
    .description("create (once) and run a local network: 4 validators (bank-a, bank-b, customs, core-enterprise), sample exporters, the warrant example's supply chain, a warehouse and a carrier (custodians), a buyer and an auditor")
    .option("-d, --dir <dir>", "folder holding keys, genesis, configs and data", ".devnet")
    .addOption(new Option("--validators <n>", "number of validators").choices(["4", "7"]).default("4"))
    .option("--rpc-port <port>", "RPC port of the first validator (the others follow)", port, 7001)
    .option("--p2p-port <port>", "p2p port of the first validator (the others follow)", port, 26601)
    .option("-v, --verbose", "show debug log lines on the console")
    .action(async (opts: { dir: string; validators: string; rpcPort: number; p2pPort: number; verbose?: boolean }) => {
      try {
        const { DevnetSupervisor } = await import("./devnet.js");
        const supervisor = new DevnetSupervisor({
          dir: resolve(opts.dir),
          validators: Number(opts.validators) as 4 | 7,
          rpcBasePort: opts.rpcPort,
          p2pBasePort: opts.p2pPort,
          verbose: opts.verbose ?? false,
        });
        supervisor.start();
        onShutdown(async () => {
          process.stdout.write("stopping the devnet...\n");
          await supervisor.stop();
          process.stdout.write("devnet stopped; `npm start` resumes the same chain\n");
        });
      } catch (err) {
        fail(err);
      }
    });

  program
    .command("init")
    .description("create a node's keys (encrypted), its config and, with --party, the organisation's party key and genesis entry (see docs/operator.md §3)")
    .requiredOption("-d, --dir <dir>", "the node's folder (created)")
    .option("--party <id>", "the organisation's party id: also creates its party key and genesis-entry.json")
    .addOption(new Option("--role <role>", "the party's role").choices(["BANK", "CUSTOMS", "ENTERPRISE", "AUDITOR", "CUSTODIAN"]))
    .option("--name <name>", "the party's legal name")
    .option("--country <code>", "the party's ISO 3166-1 alpha-2 country")
    .option("--lei <lei>", "the party's LEI (optional)")
    .option("--party-key <file>", "an existing party key of the organisation (its second validator) instead of a new one")
    .option("--address <multiaddr>", "where the other validators reach this node, for the genesis entry (e.g. /dns4/tl.bank-a.example/tcp/26601)")
    .option("--validator-id <id>", "the genesis validator this node runs (default: the party id; omit both for an observer)")
    .option("--observer", "an observer node (follows, never votes)")
    .option("--genesis <file>", "the network's genesis file (may not exist yet)", "genesis.json")
    .option("--listen <multiaddr>", "p2p listen address", "/ip4/0.0.0.0/tcp/26601")
    .option("--rpc-host <host>", "RPC listen host", "127.0.0.1")
    .option("--rpc-port <port>", "RPC port", port, 7001)
    .option("--passphrase-file <file>", "the keys' passphrase (else TRADELEDGER_KEY_PASSPHRASE_FILE, TRADELEDGER_KEY_PASSPHRASE, or a prompt)")
    .option("--plaintext-keys", "write unencrypted keys (a local test network only; never production)")
    .option("--pkcs11-module <so>", "an HSM's PKCS#11 module, for --pkcs11-node-key / --pkcs11-party-key (PIN: TRADELEDGER_PKCS11_PIN_FILE or TRADELEDGER_PKCS11_PIN)")
    .option("--pkcs11-token <label>", "the HSM token's label")
    .option("--pkcs11-node-key <label>", "keep the node key in the HSM under this label (generated there if absent)")
    .option("--pkcs11-party-key <label>", "keep the party key in the HSM under this label (generated there if absent)")
    .option("--json", JSON_HELP)
    .action(async (opts: InitOptions) => {
      try {
        await init(opts);
      } catch (err) {
        fail(err);
      }
    });

  const keys = program.command("keys").description("party and node keys");
  keys
    .command("generate")
    .description("generate an ed25519 key file (mode 0600, encrypted unless --plaintext) for a party or a node")
    .requiredOption("-o, --out <file>", "where to write it (refuses to overwrite)")
    .option("-p, --party <id>", "the party id the key signs for")
    .option("--passphrase-file <file>", "the passphrase (else TRADELEDGER_KEY_PASSPHRASE_FILE, TRADELEDGER_KEY_PASSPHRASE, or a prompt)")
    .option("--plaintext", "write an unencrypted development key (tests, a local devnet)")
    .option("--json", JSON_HELP)
    .action(async (opts: { out: string; party?: string; passphraseFile?: string; plaintext?: boolean; json?: boolean }) => {
      try {
        if (existsSync(opts.out)) throw new Error(`${opts.out} exists; refusing to overwrite a key`);
        const passphrase = opts.plaintext ? undefined : await readPassphrase({ ...(opts.passphraseFile ? { file: opts.passphraseFile } : {}), confirm: true, what: `the new key ${opts.out}` });
        writeKeyFile(resolve(opts.out), { ...(opts.party ? { partyId: opts.party } : {}), seed: new Uint8Array(randomBytes(32)) }, passphrase !== undefined ? { passphrase } : {});
        const key = keyFileInfo(resolve(opts.out));
        report(opts, { file: opts.out, ...(opts.party ? { partyId: opts.party } : {}), publicKey: toHex(key.publicKey), encrypted: key.encrypted }, `${opts.out}: public key ${toHex(key.publicKey)}${key.encrypted ? " (encrypted)" : " (PLAINTEXT development key)"}\n`);
      } catch (err) {
        fail(err);
      }
    });
  keys
    .command("show")
    .description("print a key file's party id, public key and peer id (never the seed; no passphrase needed)")
    .argument("<file>")
    .option("--json", "print JSON (the default when the output is not a terminal)")
    .action((file: string, opts: { json?: boolean }) => {
      try {
        const key = keyFileInfo(resolve(file));
        const shown = { ...(key.partyId ? { partyId: key.partyId } : {}), publicKey: toHex(key.publicKey), peerId: peerIdFromNodePublicKey(key.publicKey), encrypted: key.encrypted };
        process.stdout.write(render(shown, outputFormat(opts, process.stdout.isTTY === true)));
      } catch (err) {
        fail(err);
      }
    });

  const genesis = program.command("genesis").description("genesis files");
  genesis
    .command("validate")
    .description("check a genesis file; errors name the offending field")
    .argument("<file>")
    .option("--json", JSON_HELP)
    .action((file: string, opts: { json?: boolean }) => {
      try {
        const g = loadGenesis(resolve(file));
        const f = Math.floor((g.validators.length - 1) / 3);
        report(
          opts,
          { file, valid: true, chainId: g.chainId, genesisTime: g.genesisTime, parties: g.parties.length, validators: g.validators.length, f },
          `${file}: chain ${g.chainId}, ${g.parties.length} parties, ${g.validators.length} validators (f = ${f}): valid\n`,
        );
      } catch (err) {
        fail(err);
      }
    });
  genesis
    .command("create")
    .description("collect the founding organisations' genesis entries (from tradeledger init) into a genesis; the same entries give the same file on every host")
    .argument("<entries...>", "genesis-entry.json files, in any order")
    .requiredOption("--chain-id <id>", "the network's chain id")
    .requiredOption("--genesis-time <time>", "ISO 8601 instant or ms since the epoch (agreed by the founders; never the local clock)")
    .requiredOption("-o, --out <file>", "where to write the genesis (refuses to overwrite)")
    .option("--params <file>", "JSON with consensus and/or ledger parameters (docs/operator.md §3)")
    .option("--json", JSON_HELP)
    .action(async (files: string[], opts: { chainId: string; genesisTime: string; out: string; params?: string; json?: boolean }) => {
      try {
        const { createGenesis, loadGenesisEntry, parseGenesisTime } = await import("../../config/genesis-entry.js");
        if (existsSync(opts.out)) throw new Error(`${opts.out} exists; refusing to overwrite a genesis`);
        const params = opts.params ? (readJsonFile(resolve(opts.params)) as { consensus?: Record<string, unknown>; ledger?: Record<string, unknown> }) : {};
        const result = createGenesis(
          files.map((f) => ({ file: f, entry: loadGenesisEntry(resolve(f)) })),
          { chainId: opts.chainId, genesisTime: parseGenesisTime(opts.genesisTime), ...(params.consensus ? { consensus: params.consensus } : {}), ...(params.ledger ? { ledger: params.ledger } : {}) },
        );
        for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
        writeJsonFileText(resolve(opts.out), result.text);
        const g = result.genesis;
        const f = Math.floor((g.validators.length - 1) / 3);
        report(
          opts,
          { file: opts.out, chainId: g.chainId, genesisTime: g.genesisTime, parties: g.parties.length, validators: g.validators.length, f, sha256: result.sha256, warnings: result.warnings },
          `${opts.out}: chain ${g.chainId}, ${g.parties.length} parties, ${g.validators.length} validators (f = ${f})\n` + `sha256 ${result.sha256}  (every founder compares this out of band)\n`,
        );
      } catch (err) {
        fail(err);
      }
    });

  addClientCommands(program);
  return program;
}

/** Is this module the program (node dist/node/cli/cli.js, or the `tradeledger` bin, a symlink to it)? */
function isMain(): boolean {
  const argv1 = process.argv[1];
  if (!argv1) return false;
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// Run when executed directly (not when imported by tests).
if (isMain()) {
  process.on("unhandledRejection", (err) => {
    createLogger({ name: "cli" }).error("unhandled rejection", { err });
    process.exit(1);
  });
  buildCli().parseAsync(process.argv).catch(fail);
}
