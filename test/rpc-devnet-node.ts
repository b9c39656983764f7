// One devnet validator as its own OS process, with the RPC of rpc/ (test/rpc-devnet.test.ts runs
// four): `node dist/test/rpc-devnet-node.js <node.json>`. The same composition as `tradeledger
// start` (TradeLedgerNode.fromConfigFile) plus the RPC factory and the node's metrics.
import { TradeLedgerNode, type RpcFactory } from "../node/node.js";
import { NodeMetrics } from "../node/metrics.js";
import { rpcFactory } from "../rpc/server.js";

const config = process.argv[2];
if (!config) {
  process.stderr.write("usage: rpc-devnet-node <node.json>\n");
  process.exit(2);
}
const rpc: RpcFactory = rpcFactory({ metrics: new NodeMetrics() });
const node = await TradeLedgerNode.fromConfigFile(config, { rpc });
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    node.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
