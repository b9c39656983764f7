#!/usr/bin/env node
// `tradeledger`: the node's command line (commander). Operator commands: start, devnet, init,
// keys, genesis. Client commands (register, finance, ...) are added by node/cli/cli-client.ts.
import "../../p2p/polyfill.js";
import { Command, InvalidArgumentError, Option } from "commander";
import { existsSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { toHex } from "../../sdk/bytes.js";
import { ConfigError, loadGenesis, loadKeyFile, writeJsonFile, writeKeyFile, parseWith } from "../../config/load.js";
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
async function standardNode(file: string): Promise<TradeLedgerNode> {
  const [{ TradeLedgerNode }, { NodeMetrics }, { rpcFactory }] = await Promise.all([import("../node.js"), import("../metrics.js"), import("../../rpc/server.js")]);
  const metrics = new NodeMetrics();
  return TradeLedgerNode.fromConfigFile(file, { rpc: rpcFactory({ metrics }), metrics });
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
        const node = await standardNode(resolve(opts.config));
        onShutdown(() => node.stop());
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
    .description("create a node key and a node config for a validator or an observer (see docs/operator.md)")
    .requiredOption("-d, --dir <dir>", "the node's folder (created)")
    .option("--validator-id <id>", "the genesis validator this node runs (omit for an observer)")
    .option("--genesis <file>", "the network's genesis file", "genesis.json")
    .option("--listen <multiaddr>", "p2p listen address", "/ip4/0.0.0.0/tcp/26601")
    .option("--rpc-host <host>", "RPC listen host", "127.0.0.1")
    .option("--rpc-port <port>", "RPC port", port, 7001)
    .option("--json", JSON_HELP)
    .action((opts: { dir: string; validatorId?: string; genesis: string; listen: string; rpcHost: string; rpcPort: number; json?: boolean }) => {
      try {
        const dir = resolve(opts.dir);
        const keyFile = join(dir, "node-key.json");
        const configFile = join(dir, "node.json");
        if (existsSync(keyFile) || existsSync(configFile)) throw new Error(`${dir} already holds a node key or config; refusing to overwrite`);
        writeKeyFile(keyFile, { seed: new Uint8Array(randomBytes(32)) });
        const key = loadKeyFile(keyFile);
        const config = parseWith(
          nodeConfigSchema,
          {
            dataDir: "data",
            genesisFile: resolve(opts.genesis),
            nodeKeyFile: "node-key.json",
            mode: opts.validatorId ? "validator" : "observer",
            ...(opts.validatorId ? { validatorId: opts.validatorId } : {}),
            p2p: { listen: [opts.listen] },
            rpc: { host: opts.rpcHost, port: opts.rpcPort },
          },
          "node config",
        );
        writeJsonFile(configFile, config);
        report(
          opts,
          { nodeKeyFile: keyFile, configFile, publicKey: toHex(key.publicKey), peerId: peerIdFromNodePublicKey(key.publicKey) },
          [
            `node key:    ${keyFile} (mode 0600; back it up, never share it)`,
            `node config: ${configFile}`,
            `node public key (put it in the genesis validators/observers list): ${toHex(key.publicKey)}`,
            `peer id: ${peerIdFromNodePublicKey(key.publicKey)}`,
            "",
          ].join("\n"),
        );
      } catch (err) {
        fail(err);
      }
    });

  const keys = program.command("keys").description("party and node keys");
  keys
    .command("generate")
    .description("generate an ed25519 key file (mode 0600) for a party or a node")
    .requiredOption("-o, --out <file>", "where to write it (refuses to overwrite)")
    .option("-p, --party <id>", "the party id the key signs for")
    .option("--json", JSON_HELP)
    .action((opts: { out: string; party?: string; json?: boolean }) => {
      try {
        if (existsSync(opts.out)) throw new Error(`${opts.out} exists; refusing to overwrite a key`);
        writeKeyFile(resolve(opts.out), { ...(opts.party ? { partyId: opts.party } : {}), seed: new Uint8Array(randomBytes(32)) });
        const key = loadKeyFile(resolve(opts.out));
        report(opts, { file: opts.out, ...(opts.party ? { partyId: opts.party } : {}), publicKey: toHex(key.publicKey) }, `${opts.out}: public key ${toHex(key.publicKey)}\n`);
      } catch (err) {
        fail(err);
      }
    });
  keys
    .command("show")
    .description("print a key file's party id, public key and peer id (never the seed)")
    .argument("<file>")
    .option("--json", "print JSON (the default when the output is not a terminal)")
    .action((file: string, opts: { json?: boolean }) => {
      try {
        const key = loadKeyFile(resolve(file));
        const shown = { ...(key.partyId ? { partyId: key.partyId } : {}), publicKey: toHex(key.publicKey), peerId: peerIdFromNodePublicKey(key.publicKey) };
        process.stdout.write(render(shown, outputFormat(opts, process.stdout.isTTY === true)));
      } catch (err) {
        fail(err);
      }
    });

  program
    .command("genesis")
    .description("genesis files")
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
