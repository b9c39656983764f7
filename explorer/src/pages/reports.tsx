// The aging and concentration reports (docs/lending.md): each bank's book by days past due and by
// exporter and obligor, with charts, each report checked here against the validators (verifyReport:
// every input record proven under a certified state root, the figures recomputed from them).
import { useState } from "preact/hooks";
import { currencyExponent, type AgingReportJson, type ConcentrationReportJson } from "@tradeledger/sdk";
import { BarChart } from "../chart.js";
import { bp } from "../format.js";
import { Amount, Badge, Hidden, NeedsKey, Page, PartyLink, Show, Time, useApp, useLoad } from "../ui.js";

export function ReportsPage() {
  return (
    <Page title="Reports" lead="Each bank's book: aging by days past due, concentration by exporter and obligor. Every figure is recomputed here from state records proven under a certified state root.">
      <NeedsKey what="Reports">{() => <Reports />}</NeedsKey>
    </Page>
  );
}

const major = (minor: string, currency: string) => Number(minor) / 10 ** currencyExponent(currency);
const BUCKETS = ["current", "1-30", "31-90", ">90"] as const;

function Reports() {
  const { session, trusted } = useApp();
  const s = session!;
  const supervisor = s.role === "AUDITOR" || s.role === "REGULATOR";
  const [bankInput, setBankInput] = useState("");
  const [bank, setBank] = useState<string | undefined>(undefined);
  const allowed = supervisor || s.role === "BANK";
  const q = s.role === "BANK" ? { bank: s.party.id } : bank ? { bank } : {};
  const aging = useLoad(async () => (allowed && trusted ? s.client.verifiedReport("aging", trusted, { ...q, waitMs: 5000 }) : null), [s, trusted, bank], bank ?? "");
  const conc = useLoad(async () => (allowed && trusted ? s.client.verifiedReport("concentration", trusted, { ...q, waitMs: 5000 }) : null), [s, trusted, bank], bank ?? "");
  if (!allowed) return <Hidden>The reports are a bank's own book, or any bank's for auditors and regulators; as {s.role} {s.party.id} may not see them.</Hidden>;
  return (
    <>
      {supervisor ? (
        <form
          class="row card"
          onSubmit={(e) => {
            e.preventDefault();
            setBank(bankInput.trim() || undefined);
          }}
        >
          <label for="r-bank">Bank (empty: every bank)</label>
          <input id="r-bank" type="text" value={bankInput} onInput={(e) => setBankInput(e.currentTarget.value)} />
          <button type="submit">Show</button>
        </form>
      ) : (
        <Hidden>As a bank you see {s.party.id}'s own book; other banks' are hidden (auditors and regulators see all).</Hidden>
      )}
      <h2>Aging</h2>
      <Show loaded={aging} what="the aging report">
        {(r) => (r ? <Aging report={r.report as AgingReportJson} verdict={r.verdict} /> : <p class="muted">Waiting for the validator set…</p>)}
      </Show>
      <h2>Concentration</h2>
      <Show loaded={conc} what="the concentration report">
        {(r) => (r ? <Concentration report={r.report as ConcentrationReportJson} verdict={r.verdict} /> : <p class="muted">Waiting for the validator set…</p>)}
      </Show>
    </>
  );
}

function Verdict({ verdict, asOf, id }: { verdict: { ok: boolean; problems: string[]; boundTo: string }; asOf: { height: string; time: string }; id: string }) {
  return (
    <p>
      <Badge ok={verdict.ok && verdict.boundTo === "certified"} id={id}>
        {verdict.ok
          ? verdict.boundTo === "certified"
            ? `verified against the validators at block ${asOf.height}`
            : "consistent, but its block is not certified yet"
          : `does not verify: ${verdict.problems.join("; ")}`}
      </Badge>{" "}
      <span class="muted">
        as of <Time ms={asOf.time} />
      </span>
    </p>
  );
}

function Aging({ report, verdict }: { report: AgingReportJson; verdict: { ok: boolean; problems: string[]; boundTo: string } }) {
  return (
    <>
      <Verdict verdict={verdict} asOf={report.asOf} id="aging-verified" />
      {report.banks.length === 0 ? <p class="muted">No live financing.</p> : null}
      <div class="cards">
        {report.banks.flatMap((b) =>
          b.currencies.map((c) => (
            <figure class="card" key={`${b.bankId}-${c.currency}`}>
              <figcaption>
                <PartyLink id={b.bankId} />, {c.currency}: outstanding <Amount minor={c.outstanding} currency={c.currency} /> on {c.receivables} receivables; NPL {bp(c.nplRatioBp)}
              </figcaption>
              <BarChart label={`Aging of ${b.bankId}'s ${c.currency} book`} labels={BUCKETS.map((k) => (k === "current" ? "current" : `${k} days`))} values={BUCKETS.map((k) => major(c.buckets[k].amount, c.currency))} unit={c.currency} />
              <table>
                <thead>
                  <tr>
                    <th scope="col">Days past due</th>
                    <th scope="col">Receivables</th>
                    <th scope="col">Amount</th>
                  </tr>
                </thead>
                <tbody>
                  {BUCKETS.map((k) => (
                    <tr key={k}>
                      <td>{k}</td>
                      <td class="num">{c.buckets[k].count}</td>
                      <td class="num">
                        <Amount minor={c.buckets[k].amount} currency={c.currency} />
                      </td>
                    </tr>
                  ))}
                  <tr>
                    <td>written off (ever)</td>
                    <td class="num">{c.writtenOffCount}</td>
                    <td class="num">
                      <Amount minor={c.writtenOff} currency={c.currency} />
                    </td>
                  </tr>
                </tbody>
              </table>
            </figure>
          )),
        )}
      </div>
    </>
  );
}

function Concentration({ report, verdict }: { report: ConcentrationReportJson; verdict: { ok: boolean; problems: string[]; boundTo: string } }) {
  return (
    <>
      <Verdict verdict={verdict} asOf={report.asOf} id="concentration-verified" />
      {report.banks.length === 0 ? <p class="muted">No live financing.</p> : null}
      <div class="cards">
        {report.banks.flatMap((b) =>
          b.currencies.map((c) => (
            <figure class="card" key={`${b.bankId}-${c.currency}`}>
              <figcaption>
                <PartyLink id={b.bankId} />, {c.currency}: book <Amount minor={c.book} currency={c.currency} />; HHI by exporter {bp(c.exporterHhiBp)}, by obligor {bp(c.obligorHhiBp)}
              </figcaption>
              <BarChart label={`Share of ${b.bankId}'s ${c.currency} book by exporter`} labels={c.byExporter.slice(0, 8).map((l) => l.partyId)} values={c.byExporter.slice(0, 8).map((l) => l.shareBp / 100)} unit="% of book" />
              <table>
                <thead>
                  <tr>
                    <th scope="col">Exporter</th>
                    <th scope="col">Amount</th>
                    <th scope="col">Share</th>
                  </tr>
                </thead>
                <tbody>
                  {c.byExporter.map((l) => (
                    <tr key={l.partyId}>
                      <td>
                        <PartyLink id={l.partyId} />
                      </td>
                      <td class="num">
                        <Amount minor={l.amount} currency={c.currency} />
                      </td>
                      <td class="num">{bp(l.shareBp)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Obligor</th>
                    <th scope="col">Amount</th>
                    <th scope="col">Share</th>
                  </tr>
                </thead>
                <tbody>
                  {c.byObligor.map((l) => (
                    <tr key={l.partyId}>
                      <td>{l.partyId.startsWith("buyer:") ? l.partyId : <PartyLink id={l.partyId} />}</td>
                      <td class="num">
                        <Amount minor={l.amount} currency={c.currency} />
                      </td>
                      <td class="num">{bp(l.shareBp)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </figure>
          )),
        )}
      </div>
    </>
  );
}
