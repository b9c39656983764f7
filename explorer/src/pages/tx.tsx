// One committed transaction: what it asked, the ledger's verdict and events, and verifyTx's check of
// all of it (inclusion, certificates, the certified receipt, the signer's key) in the browser.
import { verifyTx } from "@tradeledger/sdk";
import { Badge, Field, Id, NeedsKey, Page, PartyLink, Show, Time, useApp, useLoad } from "../ui.js";
import { Problems } from "./receivable.js";

export function TxPage({ hash }: { hash: string }) {
  return (
    <Page title="Transaction">
      <NeedsKey what="A transaction">{() => <Tx hash={hash} />}</NeedsKey>
    </Page>
  );
}

function Tx({ hash }: { hash: string }) {
  const { session, trusted } = useApp();
  const tx = useLoad(() => session!.client.getTx(hash, { waitCertifiedMs: 5000 }), [hash, session], hash);
  return (
    <Show loaded={tx} what="the transaction">
      {(t) => {
        const report = trusted ? verifyTx(t, trusted) : null;
        return (
          <>
            <p>
              {report ? (
                <Badge ok={report.ok} id="tx-verified">
                  {report.ok ? "verified against the validators" : `verification failed (${report.problems.length} problem${report.problems.length === 1 ? "" : "s"})`}
                </Badge>
              ) : (
                <Badge ok={null}>waiting for the validator set</Badge>
              )}
            </p>
            {report && !report.ok ? <Problems problems={report.problems} /> : null}
            <dl class="card facts">
              <Field label="Hash">
                <Id value={t.txHash} full />
              </Field>
              <Field label="Type">{t.type}</Field>
              <Field label="Signer">
                <PartyLink id={t.signer} />
              </Field>
              <Field label="Block">
                <a href={`#/block/${t.height}`}>{t.height}</a> (index {t.index})
              </Field>
              <Field label="Time">
                <Time ms={t.time} />
              </Field>
              <Field label="Result">
                <strong class={t.receipt.code === "OK" ? "" : "code-bad"}>{t.receipt.code}</strong>
                {t.receipt.message ? ` — ${t.receipt.message}` : ""}
              </Field>
              <Field label="Target">{t.receipt.target ? <Id value={t.receipt.target} full /> : "—"}</Field>
            </dl>
            <h2>What it asked</h2>
            <pre class="json" tabIndex={0} aria-label="The transaction body">
              {JSON.stringify(t.body, null, 2)}
            </pre>
            {t.receipt.events.length > 0 ? (
              <>
                <h2>Events</h2>
                <pre class="json" tabIndex={0} aria-label="Events">
                  {JSON.stringify(t.receipt.events, null, 2)}
                </pre>
              </>
            ) : null}
            {t.receipt.alerts?.length ? (
              <>
                <h2>Supervision alerts</h2>
                <ul>
                  {t.receipt.alerts.map((a) => (
                    <li key={a.alertId}>
                      <strong>{a.severity}</strong> {a.kind} ({a.ruleId}): {a.detail}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </>
        );
      }}
    </Show>
  );
}
