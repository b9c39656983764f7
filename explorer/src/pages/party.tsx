// A party: its directory entry, its exposure across all banks (an exporter: itself, banks and
// auditors may see it) and its credit indicators (itself, a bank it consented to, supervisors),
// each section saying when the reader's role may not see it.
import { LedgerError } from "@tradeledger/sdk";
import { bp } from "../format.js";
import { Amount, ErrorBox, Field, Hidden, Id, NeedsKey, Page, PartyLink, Show, Time, useApp, useLoad } from "../ui.js";

export function PartyPage({ id }: { id: string }) {
  return (
    <Page title={`Party ${id}`}>
      <NeedsKey what="The party directory">{() => <Party id={id} />}</NeedsKey>
    </Page>
  );
}

const forbidden = (err: unknown) => err instanceof LedgerError && err.status === 403;

function Party({ id }: { id: string }) {
  const { session } = useApp();
  const s = session!;
  const party = useLoad(() => s.client.getParty(id), [id, s], id);
  const exposure = useLoad(() => s.client.getExposure(id), [id, s], id);
  const indicators = useLoad(() => s.client.getIndicators(id), [id, s], id);
  return (
    <>
      <Show loaded={party} what="the party">
        {(p) => (
          <dl class="card facts">
            <Field label="Id">{p.id}</Field>
            <Field label="Name">{p.name}</Field>
            <Field label="Role">{p.role}</Field>
            <Field label="Country">{p.country}</Field>
            <Field label="LEI">{p.lei || "—"}</Field>
            <Field label="Public key">
              <Id value={p.publicKey} full />
            </Field>
            <Field label="Registered">
              {p.registeredBy ? (
                <>
                  by <PartyLink id={p.registeredBy} />, <Time ms={p.registeredAt} />
                </>
              ) : (
                "in the genesis file"
              )}
            </Field>
          </dl>
        )}
      </Show>
      <h2>Exposure across banks</h2>
      {exposure.error !== undefined && forbidden(exposure.error) ? (
        <Hidden>
          Exposure is shared with the party itself, banks (aggregates only) and auditors; as {s.role} {s.party.id} may not see {id}'s.
        </Hidden>
      ) : (
        <Show loaded={exposure} what="the exposure">
          {(e) => (
            <div class="cards">
              <div class="card">
                <h3>Outstanding financing</h3>
                <CurrencyTable amounts={e.outstanding} label="all banks" />
                <h3>Overdue</h3>
                <CurrencyTable amounts={e.overdue} label={`${e.overdueReceivables} receivables`} />
              </div>
              <div class="card">
                <h3>By bank</h3>
                {Object.keys(e.outstandingByBank).length === 0 ? (
                  <p class="muted">No live financing.</p>
                ) : (
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Bank</th>
                        <th scope="col">Outstanding</th>
                      </tr>
                    </thead>
                    <tbody>
                      {Object.entries(e.outstandingByBank).flatMap(([bank, amounts]) =>
                        Object.entries(amounts).map(([cur, amt]) => (
                          <tr key={`${bank}-${cur}`}>
                            <td>
                              <PartyLink id={bank} />
                            </td>
                            <td class="num">
                              <Amount minor={amt} currency={cur} />
                            </td>
                          </tr>
                        )),
                      )}
                    </tbody>
                  </table>
                )}
              </div>
              <div class="card">
                <h3>Receivables</h3>
                <p>
                  {e.receivables.total} in all:{" "}
                  {Object.entries(e.receivables.byStatus)
                    .map(([k, v]) => `${v} ${k}`)
                    .join(", ") || "none"}
                </p>
                <h3>Rejected attempts</h3>
                <p>
                  {e.rejectedAttempts.total}
                  {e.rejectedAttempts.total > 0
                    ? `: ${Object.entries(e.rejectedAttempts.byCode)
                        .map(([k, v]) => `${v} ${k}`)
                        .join(", ")}`
                    : ""}
                </p>
                <p class="muted">
                  As of block {e.asOf.height}, <Time ms={e.asOf.time} />
                </p>
              </div>
            </div>
          )}
        </Show>
      )}
      <h2>Credit indicators</h2>
      {indicators.error !== undefined && forbidden(indicators.error) ? (
        <Hidden>
          Indicators are shown to the party itself, a bank it consented to until the consent's expiry, auditors and regulators; as {s.role} {s.party.id} may not see {id}'s.
        </Hidden>
      ) : indicators.error !== undefined ? (
        <ErrorBox error={indicators.error} />
      ) : (
        <Show loaded={indicators} what="the indicators">
          {(i) => (
            <div class="cards">
              <dl class="card facts">
                <Field label="Receivables">{i.receivables}</Field>
                <Field label="Settled on time / late">
                  {i.settledOnTime} / {i.settledLate}
                </Field>
                <Field label="Written off">{i.writtenOff}</Field>
                <Field label="Overdue now">{i.overdueCount}</Field>
                <Field label="Attested by customs">{bp(i.attestedShareBp)}</Field>
                <Field label="Acknowledged by buyers">{bp(i.acknowledgedShareBp)}</Field>
                <Field label="Buyer concentration (HHI)">
                  {bp(i.buyerHhiBp)} over {i.buyers} buyers
                </Field>
                <Field label="Rejected attempts">{i.rejectedAttempts}</Field>
                <Field label="Months on the network">{i.monthsOnNetwork}</Field>
                <Field label="As of">
                  block {i.asOf.height} {i.certified ? "(its certificate served with the figures)" : "(its block not certified yet)"}
                </Field>
              </dl>
              <div class="card">
                <h3>By currency</h3>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Currency</th>
                      <th scope="col">Outstanding</th>
                      <th scope="col">Overdue</th>
                      <th scope="col">Attested exports, 12 months</th>
                      <th scope="col">Leverage</th>
                    </tr>
                  </thead>
                  <tbody>
                    {i.currencies.map((c) => (
                      <tr key={c.currency}>
                        <td>{c.currency}</td>
                        <td class="num">
                          <Amount minor={c.outstanding} currency={c.currency} />
                        </td>
                        <td class="num">
                          <Amount minor={c.overdueAmount} currency={c.currency} />
                        </td>
                        <td class="num">
                          <Amount minor={c.attestedExports12m} currency={c.currency} />
                        </td>
                        <td class="num">{bp(c.leverageBp)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          )}
        </Show>
      )}
    </>
  );
}

function CurrencyTable({ amounts, label }: { amounts: Record<string, string>; label: string }) {
  const entries = Object.entries(amounts);
  if (entries.length === 0) return <p class="muted">None ({label}).</p>;
  return (
    <ul class="plain">
      {entries.map(([cur, amt]) => (
        <li key={cur}>
          <Amount minor={amt} currency={cur} /> <span class="muted">({label})</span>
        </li>
      ))}
    </ul>
  );
}
