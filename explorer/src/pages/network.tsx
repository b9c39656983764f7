// The network: this node's status, the validators, and the latest blocks, each block's commit
// certificate verified here against the pinned validator set. Open: no key needed.
import type { BlockJson } from "@tradeledger/sdk";
import { verifyBlock } from "@tradeledger/sdk/audit";
import { Badge, Field, Id, Page, Show, Time, useApp, useLoad } from "../ui.js";
import { openClient } from "../session.js";

const RECENT = 12;

export function NetworkPage() {
  const { status, validators } = useApp();
  const head = status ? BigInt(status.height) : null;
  const blocks = useLoad(async () => {
    if (head === null) return [];
    const out: BlockJson[] = [];
    for (let h = head; h >= 1n && out.length < RECENT; h--) out.push(await openClient.getBlock(h, { minHeight: 0 }));
    return out;
  }, [head?.toString()]);
  return (
    <Page title="Network" lead="The node serving this page, the validators, and the latest blocks with their commit certificates checked in your browser.">
      {status ? (
        <div class="cards">
          <dl class="card facts" aria-label="Node status">
            <Field label="Chain">{status.chainId}</Field>
            <Field label="This node">
              {status.nodeId} ({status.mode}, {status.version})
            </Field>
            <Field label="Height">
              <a href={`#/block/${status.height}`} data-testid="height">
                {status.height}
              </a>
            </Field>
            <Field label="Head time">
              <Time ms={status.headTime} />
            </Field>
            <Field label="PBFT view">
              {status.view ?? "—"}
              {status.primary ? ` (primary ${status.primary})` : ""}
            </Field>
            <Field label="Ready">{status.ready ? "yes" : `no${status.syncing ? " (syncing)" : ""}${status.halted ? ` (halted: ${status.halted})` : ""}`}</Field>
            <Field label="Mempool">
              {status.mempool.txs} transactions, {status.mempool.bytes} bytes
            </Field>
          </dl>
          <div class="card">
            <h2>Validators</h2>
            <table>
              <caption class="sr-only">The validator set and this node's connections</caption>
              <thead>
                <tr>
                  <th scope="col">Validator</th>
                  <th scope="col">Public key</th>
                  <th scope="col">Connected to this node</th>
                  <th scope="col">Pinned</th>
                </tr>
              </thead>
              <tbody>
                {status.validators.map((v) => {
                  const pinned = validators?.set.validators.some((p) => p.id === v.id);
                  const connected = v.id === status.nodeId ? "this node" : status.peers.some((p) => p.id === v.id) ? "yes" : "no";
                  return (
                    <tr key={v.id}>
                      <td>{v.id}</td>
                      <td>
                        <Id value={v.publicKey} />
                      </td>
                      <td>{connected}</td>
                      <td>{pinned ? "yes" : <strong>not in the pinned set</strong>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </div>
      ) : (
        <p class="muted">Asking the node for its status…</p>
      )}
      <h2>Latest blocks</h2>
      <Show loaded={blocks} what="blocks">
        {(list) => (
          <table data-testid="blocks">
            <caption class="sr-only">The latest blocks, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Height</th>
                <th scope="col">Time</th>
                <th scope="col">PBFT view</th>
                <th scope="col">Transactions</th>
                <th scope="col">Hash</th>
                <th scope="col">Commit certificate</th>
              </tr>
            </thead>
            <tbody>
              {list.map((b) => {
                const check = validators ? verifyBlock(b, validators.set) : null;
                return (
                  <tr key={b.height}>
                    <td>
                      <a href={`#/block/${b.height}`}>{b.height}</a>
                    </td>
                    <td>
                      <Time ms={b.header.time} />
                    </td>
                    <td class="num">{b.header.view}</td>
                    <td class="num">{b.header.txCount}</td>
                    <td>
                      <Id value={b.hash} to={`#/block/${b.height}`} />
                    </td>
                    <td>
                      {b.height === "0" ? (
                        <span class="muted">genesis</span>
                      ) : check ? (
                        <Badge ok={check.ok}>{check.ok ? `verified: ${check.signers.length} of ${validators!.set.validators.length} validators signed` : check.reason}</Badge>
                      ) : (
                        <Badge ok={null}>no validator set yet</Badge>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Show>
    </Page>
  );
}
