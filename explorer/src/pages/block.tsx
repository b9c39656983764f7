// One block: its header (as its bytes say), the validator-set epoch that certified it, the commit
// certificate and the checkpoint that certifies its results, both checked here with the set of their
// epoch (the chain of sets, sets.ts), and the transactions the reader may list.
import { certifiedHeaderFromJson, LedgerError, sha256, nobleCrypto, toHex, verifyCertifiedHeader } from "@tradeledger/sdk";
import { verifyBlock } from "@tradeledger/sdk/audit";
import { Badge, Field, Hidden, Id, NeedsKey, Page, PartyLink, Show, Time, useApp, useLoad } from "../ui.js";
import { openClient } from "../session.js";
import { epochSet, heightsOf } from "../sets.js";

export function BlockPage({ height }: { height: string }) {
  const { sets, trusted } = useApp();
  const block = useLoad(() => openClient.getBlock(height === "latest" ? "latest" : BigInt(height), { minHeight: 0 }), [height], height);
  const certified = useLoad(async () => {
    const b = await openClient.getBlock(height === "latest" ? "latest" : BigInt(height), { minHeight: 0 });
    try {
      return await openClient.getCertifiedHeader(BigInt(b.height), { waitMs: 2000 });
    } catch (err) {
      if (err instanceof LedgerError && err.status === 404) return null;
      throw err;
    }
  }, [height], height);
  return (
    <Page title={`Block ${height}`}>
      <Show loaded={block} what="the block">
        {(b) => {
          const check = trusted ? verifyBlock(b, trusted) : null;
          const epoch = b.certificate?.epoch ?? "0";
          const set = epochSet(sets, epoch);
          return (
            <>
              <dl class="card facts">
                <Field label="Height">
                  {b.height}
                  {BigInt(b.height) > 1n ? (
                    <>
                      {" "}
                      <a href={`#/block/${BigInt(b.height) - 1n}`}>previous</a>
                    </>
                  ) : null}{" "}
                  <a href={`#/block/${BigInt(b.height) + 1n}`}>next</a>
                </Field>
                <Field label="Hash">
                  <Id value={b.hash} full />
                </Field>
                <Field label="Previous hash">
                  <Id value={b.header.prevHash} full />
                </Field>
                <Field label="Time">
                  <Time ms={b.header.time} />
                </Field>
                <Field label="PBFT view">{b.header.view}</Field>
                <Field label="Transactions">{b.header.txCount}</Field>
                <Field label="Transactions root">
                  <Id value={b.header.txsRoot} full />
                </Field>
                <Field label="Receipts root">
                  <Id value={b.header.receiptsRoot} full />
                </Field>
                <Field label="State root">
                  <Id value={b.header.stateRoot} full />
                </Field>
                <Field label="Validator set">
                  {b.height === "0" ? (
                    <span class="muted">the genesis set (epoch 0) orders the blocks after this one</span>
                  ) : (
                    <span data-testid="block-epoch">
                      epoch {epoch}
                      {set ? `, ${heightsOf(set)}: ${set.validators.map((v) => v.id).join(", ")}` : trusted ? ": not proven from the genesis set you pinned (see the chain of sets on the network page)" : ""}
                    </span>
                  )}
                </Field>
                <Field label="Commit certificate">
                  {b.height === "0" ? (
                    <span class="muted">the genesis block has none</span>
                  ) : check ? (
                    <Badge ok={check.ok} id="block-certificate">
                      {check.ok ? `verified: signed by ${check.signers.join(", ")} (2f+1 of ${set?.validators.length ?? "?"})` : `unverified: ${check.reason}`}
                    </Badge>
                  ) : (
                    <Badge ok={null}>waiting for the validator sets</Badge>
                  )}
                </Field>
                <Field label="Results (receipts and state roots)">
                  <Show loaded={certified} what="the checkpoint">
                    {(c) => {
                      if (c === null) return <Badge ok={null}>not certified by a checkpoint yet</Badge>;
                      if (!trusted) return <Badge ok={null}>waiting for the validator sets</Badge>;
                      const v = verifyCertifiedHeader(certifiedHeaderFromJson(c), trusted, sha256, nobleCrypto.verify);
                      const same = v.ok && toHex(v.header.stateRoot) === b.header.stateRoot;
                      return (
                        <Badge ok={v.ok && !!same}>
                          {v.ok
                            ? same
                              ? `certified by epoch ${c.checkpoint.epoch ?? "0"}'s checkpoint at height ${BigInt(c.height) + BigInt(c.chain.length)}`
                              : "the certified header is not this block's"
                            : `unverified: ${v.reason}`}
                        </Badge>
                      );
                    }}
                  </Show>
                </Field>
              </dl>
              <h2>Transactions</h2>
              <NeedsKey what="The block's transaction list">{() => <BlockTxs height={b.height} />}</NeedsKey>
            </>
          );
        }}
      </Show>
    </Page>
  );
}

function BlockTxs({ height }: { height: string }) {
  const { session } = useApp();
  const txs = useLoad(() => session!.client.getBlockTxs(BigInt(height), { limit: 1000 }), [height, session], height);
  return (
    <Show loaded={txs} what="transactions">
      {(page) => (
        <>
          {session!.role !== "AUDITOR" && session!.role !== "REGULATOR" ? (
            <Hidden>As {session!.role} you see the transactions you may list (docs/security.md §3); others in this block are left out.</Hidden>
          ) : null}
          {page.items.length === 0 ? (
            <p class="muted">No transactions you may list.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Transaction</th>
                  <th scope="col">Type</th>
                  <th scope="col">Signer</th>
                  <th scope="col">Result</th>
                  <th scope="col">Target</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((t) => (
                  <tr key={t.txHash}>
                    <td class="num">{t.index}</td>
                    <td>
                      <Id value={t.txHash} to={`#/tx/${t.txHash}`} />
                    </td>
                    <td>{t.type ?? "—"}</td>
                    <td>
                      <PartyLink id={t.signer} />
                    </td>
                    <td class={t.code === "OK" ? "" : "code-bad"}>{t.code}</td>
                    <td>{t.target ? <Id value={t.target} /> : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </Show>
  );
}
