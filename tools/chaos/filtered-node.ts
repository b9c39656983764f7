#!/usr/bin/env node
// The fallback partition for machines without network namespaces (not root, no iproute2): an
// honest node whose consensus traffic to and from the validators listed in a control file is
// dropped at the libp2p channel boundary (NodeOptions.consensusTap). It is weaker than a real
// partition - transaction gossip and block sync still flow, TCP stays up - and the campaign says
// so in its output. The control file (`--partition <file>`, JSON {"blocked": ["bank-b", ...]}) is
// re-read whenever it changes.
//   node dist/tools/chaos/filtered-node.js --partition partition.json --config node.json
import "../../p2p/polyfill.js";
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { loadGenesis, loadNodeConfig } from "../../config/load.js";
import { NodeMetrics } from "../../node/metrics.js";
import { TradeLedgerNode, type ConsensusTap } from "../../node/node.js";
import type { ConsensusTransport } from "../../node/driver/driver.js";
import { rpcFactory } from "../../rpc/server.js";

export class PartitionFilter implements ConsensusTap {
  private blocked = new Set<number>();
  private mtime = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly file: string,
    private readonly validatorIds: string[],
    private readonly self: number,
  ) {
    this.timer = setInterval(() => this.reload(), 100);
    this.timer.unref();
    this.reload();
  }

  private reload(): void {
    try {
      const m = statSync(this.file).mtimeMs;
      if (m === this.mtime) return;
      this.mtime = m;
      const ids = (JSON.parse(readFileSync(this.file, "utf8")) as { blocked?: string[] }).blocked ?? [];
      this.blocked = new Set(ids.map((id) => this.validatorIds.indexOf(id)).filter((i) => i >= 0 && i !== this.self));
    } catch {
      /* no file yet: nothing blocked */
    }
  }

  outbound(inner: ConsensusTransport): ConsensusTransport {
    return {
      sendTo: (replica, bytes) => {
        if (!this.blocked.has(replica)) inner.sendTo(replica, bytes);
      },
      broadcast: (bytes) => {
        for (let r = 0; r < this.validatorIds.length; r++) if (r !== this.self && !this.blocked.has(r)) inner.sendTo(r, bytes);
      },
    };
  }

  inbound(from: number): boolean {
    return !this.blocked.has(from);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const configFile = get("--config");
  const partition = get("--partition");
  if (!configFile || !partition) throw new Error("usage: filtered-node --partition <file> --config node.json");
  const config = loadNodeConfig(resolve(configFile));
  const genesis = loadGenesis(config.genesisFile);
  const ids = genesis.validators.map((v) => v.id);
  const filter = new PartitionFilter(resolve(partition), ids, ids.indexOf(config.validatorId ?? ""));
  const metrics = new NodeMetrics();
  const node = await TradeLedgerNode.fromConfigFile(resolve(configFile), { rpc: rpcFactory({ metrics }), metrics, consensusTap: filter });
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    node.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (process.argv[1]?.endsWith("filtered-node.js")) {
  main().catch((err) => {
    const e = err as Error & { code?: string };
    process.stderr.write(`error: ${e.code ? `[${e.code}] ` : ""}${e.message}\n`);
    process.exit(1);
  });
}
