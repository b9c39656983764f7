// Receivables: the list the reader's role may see, and one receivable in full (state, documents,
// attestation, financings and repayments) with its whole history verified here by verifyHistory:
// a "verified against the validators" badge, or which entry failed and why.
import { useState } from "preact/hooks";
import { LedgerError, paginate, verifyHistory, type HistoryPageJson, type ReceivableJson, type VerificationProblem, type VerificationReport } from "@tradeledger/sdk";
import { isHash } from "../format.js";
import { Amount, Badge, ErrorBox, Field, Hidden, Id, NeedsKey, OpenById, Page, PartyLink, Show, Time, useApp, useLoad } from "../ui.js";
import type { Session } from "../session.js";

/** What a role lists (docs/security.md §3), said to the reader. */
export function listScope(s: Session): string {
  switch (s.role) {
    case "ENTERPRISE":
      return `As an enterprise you list the receivables ${s.party.id} registered (and, as a buyer, those it owes); other parties' are hidden.`;
    case "BANK":
      return `As a bank you list the receivables ${s.party.id} financed; you may still open any other by its id.`;
    case "CUSTOMS":
      return `As customs you list the receivables ${s.party.id} attested; you may open any other by its id.`;
    case "CUSTODIAN":
      return "A custodian lists no receivables.";
    default:
      return "";
  }
}

export function ReceivablesPage() {
  return (
    <Page title="Receivables">
      <NeedsKey what="Receivables">{() => <Receivables />}</NeedsKey>
    </Page>
  );
}

function Receivables() {
  const { session } = useApp();
  const s = session!;
  const [asBuyer, setAsBuyer] = useState(false);
  const list = useLoad(async () => {
    if (s.role === "CUSTODIAN") return [];
    const q = s.role === "ENTERPRISE" ? (asBuyer ? { buyer: s.party.id } : { exporter: s.party.id }) : {};
    const out: ReceivableJson[] = [];
    for await (const r of paginate((cursor) => s.client.listReceivables({ ...q, limit: 200, ...(cursor ? { cursor } : {}) }), 5)) out.push(r);
    return out;
  }, [s, asBuyer]);
  const scope = listScope(s);
  return (
    <>
      <OpenById what="receivable" route="receivable" inputId="open-id" />
      {s.role === "ENTERPRISE" ? (
        <p>
          <label>
            <input type="checkbox" checked={asBuyer} onChange={(e) => setAsBuyer(e.currentTarget.checked)} /> Show what {s.party.id} owes as a buyer instead
          </label>
        </p>
      ) : null}
      {scope ? <Hidden>{scope}</Hidden> : null}
      <Show loaded={list} what="receivables">
        {(items) =>
          items.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <table data-testid="receivables">
              <caption class="sr-only">Receivables you may list</caption>
              <thead>
                <tr>
                  <th scope="col">Receivable</th>
                  <th scope="col">Exporter</th>
                  <th scope="col">Buyer</th>
                  <th scope="col">Face value</th>
                  <th scope="col">Financed</th>
                  <th scope="col">Due</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr key={r.receivable.id}>
                    <td>
                      <Id value={r.receivable.id} to={`#/receivable/${r.receivable.id}`} />
                    </td>
                    <td>
                      <PartyLink id={r.receivable.exporterId} />
                    </td>
                    <td>{r.receivable.buyerPartyId ? <PartyLink id={r.receivable.buyerPartyId} /> : r.receivable.buyerId}</td>
                    <td class="num">
                      <Amount minor={r.receivable.amount} currency={r.receivable.currency} />
                    </td>
                    <td class="num">
                      <Amount minor={r.liveFinanced} currency={r.receivable.currency} />
                    </td>
                    <td>
                      {r.receivable.dueDate}
                      {r.overdue ? <strong class="code-bad"> overdue</strong> : null}
                    </td>
                    <td>{r.receivable.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </>
  );
}

export function ReceivablePage({ id }: { id: string }) {
  return (
    <Page title="Receivable">
      <NeedsKey what="A receivable">{() => (isHash(id) ? <Receivable id={id} /> : <ErrorBox error={new Error("a receivable id is 64 lower-case hex digits")} />)}</NeedsKey>
    </Page>
  );
}

type Entry = HistoryPageJson["items"][number];

function Receivable({ id }: { id: string }) {
  const { session, trusted } = useApp();
  const s = session!;
  const rec = useLoad(() => s.client.getReceivable(id), [id, s], id);
  const history = useLoad(() => s.client.getFullHistory(id, { waitCertifiedMs: 10_000 }), [id, s], id);
  const report: VerificationReport | null = history.data && trusted ? verifyHistory(history.data, trusted) : null;
  // refused outright: one sentence, nothing else of the receivable
  if (rec.error instanceof LedgerError && rec.error.status === 403) return <ErrorBox error={rec.error} what="This receivable" />;
  return (
    <>
      <Show loaded={rec} what="the receivable">
        {(r) => <ReceivableFacts r={r} />}
      </Show>
      <p class="muted">The state above is as this node reports it; the history below is checked in your browser against the validators' signatures.</p>
      <h2 id="history-title">History</h2>
      <Show loaded={history} what="the history with its proofs">
        {(h) => (
          <>
            <div class="verdict">
              {report ? (
                <Badge ok={report.ok} id="history-verified">
                  {report.ok
                    ? `verified against the validators: ${report.checked} entries, complete through block ${report.completeThrough ?? "?"}, ${report.certifiedBlocks} blocks certified`
                    : `verification failed: ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}`}
                </Badge>
              ) : (
                <Badge ok={null}>waiting for the validator set</Badge>
              )}
            </div>
            {report && !report.ok ? <Problems problems={report.problems} entries={h.items} /> : null}
            <HistoryTable items={h.items} problems={report?.problems ?? []} />
            {report && !report.ok ? <p class="error">Documents and repayments below come from the history above, which did not verify.</p> : null}
            <Ledgers items={h.items} />
          </>
        )}
      </Show>
    </>
  );
}

function ReceivableFacts({ r }: { r: ReceivableJson }) {
  const x = r.receivable;
  return (
    <div class="cards">
      <dl class="card facts" aria-label="The receivable">
        <Field label="Id">
          <Id value={x.id} full />
        </Field>
        <Field label="Status">
          <strong data-testid="receivable-status">{x.status}</strong>
          {r.overdue ? <strong class="code-bad"> overdue</strong> : null}
          {x.disputed ? <strong class="code-bad"> disputed: {x.disputeReason}</strong> : null}
        </Field>
        <Field label="Exporter">
          <PartyLink id={x.exporterId} />
        </Field>
        <Field label="Buyer">{x.buyerPartyId ? <PartyLink id={x.buyerPartyId} /> : x.buyerId}</Field>
        <Field label="Face value">
          <Amount minor={x.amount} currency={x.currency} />
        </Field>
        <Field label="Financed now (all banks)">
          <Amount minor={r.liveFinanced} currency={x.currency} />
        </Field>
        <Field label="Available to finance">
          <Amount minor={r.available} currency={x.currency} /> {r.financeable ? "(financeable)" : "(not financeable now)"}
        </Field>
        <Field label="Issued / due">
          {x.issueDate} / {x.dueDate}
        </Field>
        <Field label="Registered">
          <Time ms={x.registeredAt} />
        </Field>
        <Field label="As of">
          block <a href={`#/block/${r.asOf.height}`}>{r.asOf.height}</a>, <Time ms={r.asOf.time} />
        </Field>
      </dl>
      <div class="card">
        <h3>Documents</h3>
        <dl class="facts">
          <Field label="Invoice hash (salted Merkle root)">
            <Id value={x.documentHash} />
          </Field>
          <Field label="Invoice fingerprint">
            <Id value={x.fingerprint} />
          </Field>
        </dl>
        <h3>Customs attestation</h3>
        {r.declaration ? (
          <dl class="facts">
            <Field label="Attested by">
              <PartyLink id={r.declaration.customsId} />
            </Field>
            <Field label="Declared value">
              <Amount minor={r.declaration.declaredValue} currency={r.declaration.currency} />
            </Field>
            <Field label="Attested in total">
              <Amount minor={r.declaration.attestedTotal} currency={r.declaration.currency} />
            </Field>
            <Field label="Export date">{r.declaration.exportDate}</Field>
            <Field label="Declaration">
              <Id value={r.declaration.fingerprint} />
            </Field>
          </dl>
        ) : (
          <p class="muted">Not attested.</p>
        )}
        {x.acknowledgedAmount !== "0" ? (
          <p>
            The buyer acknowledged <Amount minor={x.acknowledgedAmount} currency={x.currency} /> due {x.acknowledgedDueDate}.
          </p>
        ) : null}
      </div>
      <div class="card wide">
        <h3>Financings</h3>
        {x.financings.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Bank</th>
                <th scope="col">Financed</th>
                <th scope="col">Repaid</th>
                <th scope="col">Written off</th>
                <th scope="col">Outstanding</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {x.financings.map((f) => (
                <tr key={f.id}>
                  <td>
                    <PartyLink id={f.bankId} />
                  </td>
                  <td class="num">
                    <Amount minor={f.amount} currency={x.currency} />
                  </td>
                  <td class="num">
                    <Amount minor={f.repaid} currency={x.currency} />
                  </td>
                  <td class="num">
                    <Amount minor={f.writtenOff} currency={x.currency} />
                  </td>
                  <td class="num">
                    <Amount minor={(BigInt(f.amount) - BigInt(f.repaid) - BigInt(f.writtenOff)).toString()} currency={x.currency} />
                  </td>
                  <td>
                    <Time ms={f.financedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}

/** What failed, entry by entry: the list a reader acts on. */
export function Problems({ problems, entries }: { problems: VerificationProblem[]; entries?: Entry[] }) {
  return (
    <div class="problems" role="alert" data-testid="problems">
      <h3>What failed</h3>
      <ul>
        {problems.map((p, i) => {
          const e = p.entry !== undefined ? entries?.[p.entry] : undefined;
          return (
            <li key={i}>
              <strong>{p.code}</strong>
              {p.entry !== undefined ? (
                <>
                  {" "}
                  at <a href={`#entry-${p.entry}`}>entry {p.entry}</a>
                  {e ? ` (block ${e.height}, ${e.event?.type ?? `rejected ${e.type ?? "attempt"}`})` : ""}
                </>
              ) : p.height !== undefined ? (
                <> at block {p.height}</>
              ) : null}
              : {p.message}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function HistoryTable({ items, problems }: { items: Entry[]; problems: VerificationProblem[] }) {
  const bad = new Set(problems.map((p) => p.entry).filter((e) => e !== undefined));
  return (
    <table data-testid="history" aria-describedby="history-title">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Block</th>
          <th scope="col">Time</th>
          <th scope="col">What</th>
          <th scope="col">Signer</th>
          <th scope="col">Amount</th>
          <th scope="col">Result</th>
          <th scope="col">Transaction</th>
        </tr>
      </thead>
      <tbody>
        {items.map((e, i) => {
          const ev = e.event as ({ type: string; amount?: string; currency?: string } & Record<string, unknown>) | undefined;
          const currency = (ev?.currency as string | undefined) ?? currencyOf(items);
          return (
            <tr key={`${e.txHash}-${i}`} id={`entry-${i}`} class={bad.has(i) ? "failed" : ""}>
              <td class="num">
                {i}
                {bad.has(i) ? <span class="sr-only"> (failed verification)</span> : null}
              </td>
              <td>
                <a href={`#/block/${e.height}`}>{e.height}</a>
              </td>
              <td>
                <Time ms={e.time} />
              </td>
              <td>{ev ? ev.type : <span class="code-bad">rejected {e.type ?? "attempt"}</span>}</td>
              <td>
                <PartyLink id={e.signer} />
              </td>
              <td class="num">{ev?.amount && currency ? <Amount minor={ev.amount} currency={currency} /> : "—"}</td>
              <td class={e.code === "OK" ? "" : "code-bad"}>
                {e.code}
                {e.code !== "OK" && e.message ? <span class="detail">{e.message}</span> : null}
              </td>
              <td>
                <Id value={e.txHash} to={`#/tx/${e.txHash}`} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function currencyOf(items: Entry[]): string | undefined {
  for (const e of items) {
    const c = (e.event as { currency?: unknown } | undefined)?.currency;
    if (typeof c === "string") return c;
  }
  return undefined;
}

/** Documents anchored and repayments recorded, from the (verified) history. */
function Ledgers({ items }: { items: Entry[] }) {
  const docs = items.filter((e) => e.event?.type === "documentAnchored");
  const repayments = items.filter((e) => e.event?.type === "repaymentRecorded");
  const currency = currencyOf(items);
  return (
    <div class="cards">
      <div class="card">
        <h3>Documents anchored</h3>
        {docs.length === 0 ? (
          <p class="muted">None besides the invoice.</p>
        ) : (
          <ul>
            {docs.map((e) => {
              const d = e.event as { documentHash: string; documentType: string };
              return (
                <li key={d.documentHash}>
                  {d.documentType} <Id value={d.documentHash} /> by <PartyLink id={e.signer} />, <Time ms={e.time} />
                </li>
              );
            })}
          </ul>
        )}
      </div>
      <div class="card">
        <h3>Repayments</h3>
        {repayments.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <ul>
            {repayments.map((e) => {
              const r = e.event as { bankId: string; amount: string; financingOutstanding: string };
              return (
                <li key={e.txHash}>
                  <PartyLink id={r.bankId} /> repaid {currency ? <Amount minor={r.amount} currency={currency} /> : r.amount}, <Time ms={e.time} />
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </div>
  );
}
