// The network: this node's status, the validators, the chain of validator sets proven from the
// pinned genesis set, and the latest blocks, each block's commit certificate verified here with the
// set of its epoch. Open: no key needed.
import { quorumSize, type BlockJson } from "@tradeledger/sdk";
import { verifyBlock } from "@tradeledger/sdk/audit";
import { Badge, Field, Id, Page, Show, Time, useApp, useLoad } from "../ui.js";
import { openClient } from "../session.js";
import { epochSet, heightsOf, linkName, missingSwitch, newestProven, unprovenNote, type ChainOfSets } from "../sets.js";

const RECENT = 12;

export function NetworkPage() {
  const { status, validators, sets, trusted } = useApp();
  const head = status ? BigInt(status.height) : null;
  const blocks = useLoad(async () => {
    if (head === null) return [];
    const out: BlockJson[] = [];
    for (let h = head; h >= 1n && out.length < RECENT; h--) out.push(await openClient.getBlock(h, { minHeight: 0 }));
    return out;
  }, [head?.toString()]);
  return (
    <Page title="Network" lead="The node serving this page, the validators, the chain of validator sets, and the latest blocks with their commit certificates checked in your browser.">
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
            <h2>Genesis validators</h2>
            <table>
              <caption class="sr-only">The genesis validator set and this node's connections</caption>
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
      {sets ? <SetsCard sets={sets} height={head} /> : null}
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
                <th scope="col">Validator set</th>
                <th scope="col">Commit certificate</th>
              </tr>
            </thead>
            <tbody>
              {list.map((b) => {
                const check = trusted ? verifyBlock(b, trusted) : null;
                const epoch = b.certificate?.epoch ?? "0";
                const set = epochSet(sets, epoch);
                return (
                  <tr key={b.height} data-epoch={b.height === "0" ? undefined : epoch}>
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
                    <td>{b.height === "0" ? <span class="muted">—</span> : `epoch ${epoch}`}</td>
                    <td>
                      {b.height === "0" ? (
                        <span class="muted">genesis</span>
                      ) : check ? (
                        <Badge ok={check.ok}>
                          {check.ok ? `verified: ${check.signers.length} of ${set?.validators.length ?? "?"} validators signed` : `unverified: ${check.reason}`}
                        </Badge>
                      ) : (
                        <Badge ok={null}>{validators ? "proving the validator sets…" : "no validator set yet"}</Badge>
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

/** The chain of validator sets: each epoch proven from the pinned genesis set, and where it stops. */
function SetsCard({ sets, height }: { sets: ChainOfSets; height: bigint | null }) {
  const last = newestProven(sets);
  const note = unprovenNote(sets, height);
  return (
    <div class="card" data-testid="sets" data-state={sets.state}>
      <h2>Validator sets</h2>
      <p data-testid="sets-summary">
        {sets.state === "loading"
          ? "Fetching the chain of validator sets from this node…"
          : `In force${note ? " as far as proven" : ""}: epoch ${last.epoch} ${heightsOf(last).replace(/^heights/, "at heights")}, ${last.validators.map((v) => v.id).join(", ")} (${last.validators.length} validators, a quorum is ${quorumSize(last.validators.length)}).`}
      </p>
      <table>
        <caption>Each epoch's set, proven from the genesis set you pinned: the set before it signed the checkpoint at the switch, and the new set is proven under that block's state root.</caption>
        <thead>
          <tr>
            <th scope="col">Epoch</th>
            <th scope="col">Blocks</th>
            <th scope="col">Validators</th>
            <th scope="col">Proof</th>
          </tr>
        </thead>
        <tbody>
          {sets.chain.epochs.map((e) => (
            <tr key={e.epoch.toString()} data-epoch={e.epoch.toString()}>
              <td>{e.epoch.toString()}</td>
              <td>{heightsOf(e)}</td>
              <td>{e.validators.map((v) => v.id).join(", ")}</td>
              <td>
                <Badge ok={true}>
                  {e.epoch === 0n
                    ? `the genesis set, ${sets.pinned.source === "genesis" ? "pinned from the genesis file you loaded" : "pinned from this node on first use"}`
                    : `proven: epoch ${sets.chain.epochs.find((p) => p.endSeq === e.baseSeq)?.epoch ?? "?"}'s checkpoint at height ${e.baseSeq}`}
                </Badge>
              </td>
            </tr>
          ))}
          {sets.state === "broken" && sets.problem ? (
            <tr data-testid="sets-broken">
              <td>{sets.problemEpoch ?? "?"}</td>
              <td>—</td>
              <td class="muted">not proven</td>
              <td>
                <Badge ok={false}>
                  {linkName(sets)} does not verify: {sets.problem.code}, {sets.problem.message}
                </Badge>
              </td>
            </tr>
          ) : null}
          {missingSwitch(sets, height) ? (
            <tr data-testid="sets-missing">
              <td>{sets.nodeEpoch!.toString()}</td>
              <td>from height {(sets.nodeSwitchAt! + 1n).toString()} on, as this node says</td>
              <td class="muted">not proven</td>
              <td>
                <Badge ok={false}>this node serves no link for it</Badge>
              </td>
            </tr>
          ) : null}
          {sets.state === "unavailable" ? (
            <tr data-testid="sets-unavailable">
              <td>—</td>
              <td>—</td>
              <td class="muted">not known</td>
              <td>
                <Badge ok={false}>the chain of sets could not be read: {sets.error}</Badge>
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
