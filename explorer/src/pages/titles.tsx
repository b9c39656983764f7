// Title documents and pledges (docs/titles.md): the titles a party holds (or, for a bank, those
// offered or pledged to it), and one title with its goods and every pledge it had.
import { useState } from "preact/hooks";
import { paginate, type TitleRecordJson } from "@tradeledger/sdk";
import { isHash } from "../format.js";
import { Amount, ErrorBox, Field, Hidden, Id, NeedsKey, OpenById, Page, PartyLink, Show, Time, useApp, useLoad } from "../ui.js";

export function TitlesPage() {
  return (
    <Page title="Titles and pledges" lead="Warehouse receipts and bills of lading on custodians' attested stock, pledged to one bank at a time.">
      <NeedsKey what="Titles">{() => <Titles />}</NeedsKey>
    </Page>
  );
}

function Titles() {
  const { session } = useApp();
  const s = session!;
  const supervisor = s.role === "AUDITOR" || s.role === "REGULATOR";
  const [party, setParty] = useState(s.party.id);
  const [shown, setShown] = useState(s.party.id);
  const list = useLoad(async () => {
    const out: TitleRecordJson[] = [];
    let as = "holder";
    for await (const t of paginate(async (cursor) => {
      const page = await s.client.listTitles(shown, { limit: 500, ...(cursor ? { cursor } : {}) });
      as = page.as;
      return page;
    }, 4))
      out.push(t);
    return { items: out, as };
  }, [s, shown]);
  return (
    <>
      <OpenById what="title" route="title" inputId="t-id" />
      {supervisor ? (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            setShown(party.trim() || s.party.id);
          }}
        >
          <label for="t-party">Titles of</label>
          <input id="t-party" type="text" value={party} onInput={(e) => setParty(e.currentTarget.value)} />
          <button type="submit">Show</button>
        </form>
      ) : (
        <Hidden>As {s.role} you list the titles {s.party.id} holds (a bank: those offered or pledged to it); a title shows only to its custodian, holder, pledgee bank and auditors.</Hidden>
      )}
      <Show loaded={list} what="titles">
        {({ items, as }) => (
          <>
            <h2>
              {as === "pledgee" ? "Offered or pledged to" : "Held by"} {shown}
            </h2>
            {items.length === 0 ? (
              <p class="muted">None.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Title</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Lot</th>
                    <th scope="col">Custodian</th>
                    <th scope="col">Quantity</th>
                    <th scope="col">Holder</th>
                    <th scope="col">Status</th>
                    <th scope="col">Pledge</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((t) => (
                    <tr key={t.id}>
                      <td>
                        <Id value={t.id} to={`#/title/${t.id}`} />
                      </td>
                      <td>{t.kind}</td>
                      <td>{t.lotId}</td>
                      <td>
                        <PartyLink id={t.custodianId} />
                      </td>
                      <td class="num">{t.quantity}</td>
                      <td>
                        <PartyLink id={t.holderId} />
                      </td>
                      <td>{t.status}</td>
                      <td>
                        {t.pledge ? (
                          <>
                            <PartyLink id={t.pledge.bankId} /> for <Amount minor={t.pledge.securedAmount} currency={t.pledge.currency} />
                          </>
                        ) : (
                          "—"
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Show>
    </>
  );
}

export function TitlePage({ id }: { id: string }) {
  return (
    <Page title="Title">
      <NeedsKey what="A title">{() => (isHash(id) ? <Title id={id} /> : <ErrorBox error={new Error("a title id is 64 lower-case hex digits")} />)}</NeedsKey>
    </Page>
  );
}

function Title({ id }: { id: string }) {
  const { session } = useApp();
  const s = session!;
  const title = useLoad(() => s.client.getTitle(id), [id, s], id);
  return (
    <Show loaded={title} what="the title">
      {(v) => (
        <>
          <dl class="card facts">
            <Field label="Title">
              <Id value={v.title.id} full />
            </Field>
            <Field label="Kind">{v.title.kind}</Field>
            <Field label="Lot">{v.title.lotId}</Field>
            <Field label="Custodian">
              <PartyLink id={v.title.custodianId} />
            </Field>
            <Field label="Quantity">
              {v.title.quantity} {v.goods.unit} (HS {v.goods.hsCode})
            </Field>
            <Field label="Holder">
              <PartyLink id={v.title.holderId} /> (first holder <PartyLink id={v.title.firstHolderId} />)
            </Field>
            <Field label="Status">{v.title.status}</Field>
            <Field label="Issued">
              <Time ms={v.title.issuedAt} />
            </Field>
          </dl>
          <h2>Pledges</h2>
          {v.pledges.length === 0 ? (
            <p class="muted">Never pledged.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Bank</th>
                  <th scope="col">Offered by</th>
                  <th scope="col">Secures</th>
                  <th scope="col">Expiry</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Offered</th>
                  <th scope="col">Accepted</th>
                  <th scope="col">Released</th>
                </tr>
              </thead>
              <tbody>
                {v.pledges.map((p, i) => (
                  <tr key={i}>
                    <td>
                      <PartyLink id={p.bankId} />
                    </td>
                    <td>
                      <PartyLink id={p.holderId} />
                    </td>
                    <td class="num">
                      <Amount minor={p.securedAmount} currency={p.currency} />
                    </td>
                    <td>{p.expiryDate}</td>
                    <td>{p.outcome}</td>
                    <td>
                      <a href={`#/tx/${p.offered.txHash}`}>
                        <Time ms={p.offered.time} />
                      </a>
                    </td>
                    <td>{p.accepted ? <Time ms={p.accepted.time} /> : "—"}</td>
                    <td>
                      {p.released ? (
                        <>
                          <Time ms={p.released.time} /> by {p.released.signer}
                        </>
                      ) : (
                        "—"
                      )}
                    </td>
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
