// Digital warrants (docs/warrants.md): the pieces a party holds, and a warrant's tree of pieces down
// the supply chain's tiers with amounts, holders and states; each piece can be verified here
// (verifyPiece: every step's transaction and the piece's certified record).
import { useState } from "preact/hooks";
import { paginate, verifyPiece, type PieceItemJson, type WarrantTreeJson } from "@tradeledger/sdk";
import { isHash } from "../format.js";
import { Amount, Badge, ErrorBox, Field, Hidden, Id, NeedsKey, OpenById, Page, PartyLink, Show, Time, useApp, useLoad } from "../ui.js";

export function WarrantsPage() {
  return (
    <Page title="Warrants" lead="A core enterprise's credit, split down its supply chain: the pieces held, and each warrant's tree.">
      <NeedsKey what="Warrants">{() => <Warrants />}</NeedsKey>
    </Page>
  );
}

function Warrants() {
  const { session } = useApp();
  const s = session!;
  const supervisor = s.role === "AUDITOR" || s.role === "REGULATOR";
  const [holder, setHolder] = useState(s.party.id);
  const [shown, setShown] = useState(s.party.id);
  const pieces = useLoad(async () => {
    const out: PieceItemJson[] = [];
    for await (const p of paginate((cursor) => s.client.listPieces(shown, { limit: 500, ...(cursor ? { cursor } : {}) }), 4)) out.push(p);
    return out;
  }, [s, shown]);
  const byWarrant = new Map<string, PieceItemJson[]>();
  for (const p of pieces.data ?? []) byWarrant.set(p.piece.warrantId, [...(byWarrant.get(p.piece.warrantId) ?? []), p]);
  return (
    <>
      <OpenById what="warrant" route="warrant" inputId="w-id" />
      {supervisor ? (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            setShown(holder.trim() || s.party.id);
          }}
        >
          <label for="w-holder">Pieces held by</label>
          <input id="w-holder" type="text" value={holder} onInput={(e) => setHolder(e.currentTarget.value)} />
          <button type="submit">Show</button>
        </form>
      ) : (
        <Hidden>As {s.role} you list the pieces {s.party.id} holds; a warrant you open shows all of its tree only to its obligor, its bank and supervisors (holders see their own pieces and their ancestry).</Hidden>
      )}
      <h2>Pieces held by {shown}</h2>
      <Show loaded={pieces} what="pieces">
        {(items) =>
          items.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Warrant</th>
                  <th scope="col">Piece</th>
                  <th scope="col">Amount</th>
                  <th scope="col">Obligor</th>
                  <th scope="col">Maturity</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {[...byWarrant.entries()].flatMap(([w, list]) =>
                  list.map((p) => (
                    <tr key={p.piece.id}>
                      <td>
                        <Id value={w} to={`#/warrant/${w}`} />
                      </td>
                      <td>
                        <Id value={p.piece.id} />
                      </td>
                      <td class="num">
                        <Amount minor={p.piece.amount} currency={p.piece.currency} />
                      </td>
                      <td>
                        <PartyLink id={p.piece.obligorId} />
                      </td>
                      <td>
                        {p.piece.maturityDate}
                        {p.overdue ? <strong class="code-bad"> overdue</strong> : null}
                      </td>
                      <td>{p.piece.status}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          )
        }
      </Show>
    </>
  );
}

export function WarrantPage({ id }: { id: string }) {
  return (
    <Page title="Warrant">
      <NeedsKey what="A warrant">{() => (isHash(id) ? <Warrant id={id} /> : <ErrorBox error={new Error("a warrant id is 64 lower-case hex digits")} />)}</NeedsKey>
    </Page>
  );
}

type PieceRec = WarrantTreeJson["pieces"][number];

function Warrant({ id }: { id: string }) {
  const { session } = useApp();
  const s = session!;
  const tree = useLoad(() => s.client.getWarrant(id), [id, s], id);
  return (
    <Show loaded={tree} what="the warrant">
      {(t) => {
        const w = t.warrant;
        const children = new Map<string, PieceRec[]>();
        for (const p of t.pieces) children.set(p.parentId, [...(children.get(p.parentId) ?? []), p]);
        const root = t.pieces.find((p) => p.parentId === "");
        return (
          <>
            <dl class="card facts">
              <Field label="Warrant">
                <Id value={w.id} full />
              </Field>
              <Field label="Obligor">
                <PartyLink id={w.obligorId} />
              </Field>
              <Field label="Bank (credit line)">
                <PartyLink id={w.bankId} /> ({w.lineId})
              </Field>
              <Field label="Face value">
                <Amount minor={w.amount} currency={w.currency} />
              </Field>
              <Field label="Outstanding">
                <Amount minor={t.outstanding} currency={w.currency} />
              </Field>
              <Field label="Maturity">
                {w.maturityDate}
                {t.overdue ? <strong class="code-bad"> overdue</strong> : null}
              </Field>
              <Field label="Status">{w.status}</Field>
              <Field label="Issued">
                <Time ms={w.issuedAt} />
              </Field>
            </dl>
            {!t.complete ? <Hidden>You see only your own pieces of this warrant and their ancestry: the rest of the tree is hidden from a holder.</Hidden> : null}
            <h2>Tree of pieces</h2>
            {root ? (
              <ul class="tree" aria-label="Pieces, from the first holder down the tiers">
                <PieceNode p={root} children={children} currency={w.currency} />
              </ul>
            ) : (
              <p class="muted">No pieces shown.</p>
            )}
          </>
        );
      }}
    </Show>
  );
}

function PieceNode({ p, children, currency }: { p: PieceRec; children: Map<string, PieceRec[]>; currency: string }) {
  const kids = children.get(p.id) ?? [];
  return (
    <li>
      <div class={`piece status-${p.status.toLowerCase()}`}>
        <span class="tier">{p.depth === 0 ? "first holder" : `depth ${p.depth}`}</span> <PartyLink id={p.holderId} /> {p.status === "SPENT" ? "held" : "holds"} <Amount minor={p.amount} currency={currency} />{" "}
        <span class="status">{p.status === "SPENT" ? "SPENT (split below)" : p.status}</span>
        {p.financedBy ? (
          <>
            {" "}
            · financed by <PartyLink id={p.financedBy} /> (advanced <Amount minor={p.advance} currency={currency} />)
          </>
        ) : null}
        {p.offeredTo ? (
          <>
            {" "}
            · offered to <PartyLink id={p.offeredTo} />
          </>
        ) : null}{" "}
        <Id value={p.id} /> <VerifyPiece id={p.id} />
      </div>
      {kids.length > 0 ? (
        <ul>
          {kids.map((k) => (
            <PieceNode key={k.id} p={k} children={children} currency={currency} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function VerifyPiece({ id }: { id: string }) {
  const { session, trusted } = useApp();
  const [state, setState] = useState<{ ok: boolean | null; text: string } | null>(null);
  if (!trusted) return null;
  if (state) return <Badge ok={state.ok}>{state.text}</Badge>;
  return (
    <button
      type="button"
      class="small"
      onClick={async () => {
        setState({ ok: null, text: "verifying…" });
        try {
          const v = await session!.client.getPiece(id, { proofs: true, waitCertifiedMs: 10_000 });
          const r = verifyPiece(v.piece, v, trusted);
          setState({ ok: r.ok, text: r.ok ? `verified: ${r.checked} steps, held by ${r.holderId}` : r.problems.map((p) => `${p.code}: ${p.message}`).join("; ") });
        } catch (err) {
          setState({ ok: false, text: err instanceof Error ? err.message : String(err) });
        }
      }}
    >
      Verify
    </button>
  );
}
