// Rejections: the ledger's refusals as evidence. Filter by code, signer and target; export the list
// as CSV, or as an evidence bundle signed with the reader's key that anyone verifies offline with the
// genesis file alone (verifyEvidence: the chain of validator sets from the epoch links the bundle
// carries, verifyTx for each rejection, verifyHistory for each receivable).
import { useState } from "preact/hooks";
import { DOMAIN_REJECTIONS, LedgerError, paginate, type HistoryPageJson, type TxEntryJson, type TxJson } from "@tradeledger/sdk";
import { evidenceLinks, signEvidence, verifyEvidence } from "@tradeledger/sdk/audit";
import { csvLine, download, isHash, isoTime } from "../format.js";
import { Badge, Hidden, Id, NeedsKey, Page, PartyLink, Show, Time, useApp, useLoad } from "../ui.js";

export function RejectionsPage() {
  return (
    <Page title="Rejections" lead="Every transaction the ledger refused is on the ledger, with its signer, time, code and target: the evidence list of fraud attempts and mistakes.">
      <NeedsKey what="The rejections list">{() => <Rejections />}</NeedsKey>
    </Page>
  );
}

const MAX_ROWS = 2000;

function Rejections() {
  const { session, trusted, sets } = useApp();
  const s = session!;
  const [form, setForm] = useState({ code: "", signer: "", target: "" });
  const [query, setQuery] = useState<Record<string, string>>({});
  const [bundleState, setBundleState] = useState<{ busy?: string; error?: string; done?: string }>({});
  const list = useLoad(async () => {
    const out: TxEntryJson[] = [];
    for await (const r of paginate((cursor) => s.client.getRejections({ ...query, limit: 500, ...(cursor ? { cursor } : {}) }))) {
      out.push(r);
      if (out.length >= MAX_ROWS) break;
    }
    return out;
  }, [s, JSON.stringify(query)]);
  const supervisor = s.role === "AUDITOR" || s.role === "REGULATOR";

  const exportCsv = (rows: TxEntryJson[]) => {
    const lines = [csvLine(["height", "index", "time", "txHash", "signer", "type", "code", "message", "target"])];
    for (const r of rows) lines.push(csvLine([r.height, r.index, isoTime(r.time), r.txHash, r.signer, r.type ?? "", r.code, r.message, r.target]));
    download(`rejections-${s.party.id}-${new Date().toISOString().replace(/[:.]/g, "")}.csv`, lines.join("\r\n") + "\r\n", "text/csv");
  };

  const exportBundle = async (rows: TxEntryJson[]) => {
    if (!trusted || !sets) return;
    setBundleState({ busy: "Fetching each rejection's proofs…" });
    try {
      const transactions: TxJson[] = [];
      const histories = new Map<string, HistoryPageJson>();
      let n = 0;
      for (const r of rows) {
        setBundleState({ busy: `Fetching proofs: ${++n} of ${rows.length}…` });
        transactions.push(await s.client.getTx(r.txHash, { waitCertifiedMs: 10_000 }));
        if (isHash(r.target) && !histories.has(r.target)) {
          try {
            histories.set(r.target, await s.client.getFullHistory(r.target, { waitCertifiedMs: 10_000 }));
          } catch (err) {
            // the target is a document hash or an id that never became a receivable
            if (!(err instanceof LedgerError) || (err.status !== 404 && err.status !== 403)) throw err;
          }
        }
      }
      setBundleState({ busy: "Signing with your key…" });
      const parts = { transactions, histories: [...histories.values()] };
      const bundle = await signEvidence(s.signer, {
        chainId: trusted.chainId,
        compiledBy: s.party.id,
        compiledAt: new Date().toISOString(),
        query,
        rejections: rows,
        ...parts,
        // the epoch links the page proved, up to the newest epoch the bundle's certificates name
        links: evidenceLinks(parts, sets.links),
      });
      // check it as its reader will, before handing it over: with the pinned genesis set alone
      const check = verifyEvidence(bundle, sets.pinned.set);
      if (!check.ok) throw new Error(`the bundle does not verify: ${check.problems.slice(0, 3).map((p) => `${p.code}${p.cause ? ` (${p.cause})` : ""}: ${p.message}`).join("; ")}`);
      download(`evidence-${s.party.id}-${new Date().toISOString().replace(/[:.]/g, "")}.json`, JSON.stringify(bundle, null, 1), "application/json");
      const carried = bundle.links.length === 0 ? "no epoch link needed" : `${plural(bundle.links.length, "epoch link")} carried (validator-set epochs 0 to ${check.epochs - 1})`;
      setBundleState({ done: `Evidence bundle signed by ${s.party.id}: ${plural(check.proven, "rejection")} proven, ${plural(check.histories, "history", "histories")} included, ${carried}, verified here before download with the genesis set alone.` });
    } catch (err) {
      setBundleState({ error: err instanceof Error ? err.message : String(err) });
    }
  };

  return (
    <>
      <form
        class="card filters"
        aria-label="Filter the rejections"
        onSubmit={(e) => {
          e.preventDefault();
          const q: Record<string, string> = {};
          for (const [k, v] of Object.entries(form)) if (v.trim()) q[k] = v.trim();
          setQuery(q);
        }}
      >
        <div>
          <label for="f-code">Code</label>
          <select id="f-code" value={form.code} onChange={(e) => setForm({ ...form, code: e.currentTarget.value })}>
            <option value="">any</option>
            {[...DOMAIN_REJECTIONS].sort().map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-signer">Signer</label>
          <input id="f-signer" type="text" value={form.signer} onInput={(e) => setForm({ ...form, signer: e.currentTarget.value })} placeholder={supervisor ? "any party" : s.party.id} />
        </div>
        <div>
          <label for="f-target">Target (receivable id, document hash or party)</label>
          <input id="f-target" type="text" value={form.target} onInput={(e) => setForm({ ...form, target: e.currentTarget.value })} size={40} />
        </div>
        <button type="submit">Filter</button>
      </form>
      {supervisor ? null : (
        <Hidden>
          As {s.role} you see the rejections of transactions {s.party.id} signed, and those aimed at a receivable you may open (give its id as the target). Everyone else's are hidden: auditors and
          regulators see all.
        </Hidden>
      )}
      <Show loaded={list} what="rejections">
        {(rows) => (
          <>
            <div class="row">
              <span data-testid="rejection-count">
                {rows.length} rejection{rows.length === 1 ? "" : "s"}
                {rows.length >= MAX_ROWS ? ` (the first ${MAX_ROWS}: narrow the filter)` : ""}
              </span>
              <button type="button" onClick={() => exportCsv(rows)} disabled={rows.length === 0}>
                Export CSV
              </button>
              <button type="button" onClick={() => exportBundle(rows)} disabled={rows.length === 0 || !!bundleState.busy || !trusted}>
                Export signed evidence bundle
              </button>
            </div>
            <p aria-live="polite" class="muted" data-testid="bundle-status">
              {bundleState.busy ?? bundleState.done ?? ""}
            </p>
            {bundleState.error ? (
              <p class="error" role="alert">
                {bundleState.error}
              </p>
            ) : null}
            {bundleState.done ? <Badge ok={true}>bundle verified before download</Badge> : null}
            <table data-testid="rejections">
              <caption class="sr-only">Rejected transactions, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Block</th>
                  <th scope="col">Time</th>
                  <th scope="col">Code</th>
                  <th scope="col">Type</th>
                  <th scope="col">Signer</th>
                  <th scope="col">Target</th>
                  <th scope="col">Message</th>
                  <th scope="col">Transaction</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.txHash}>
                    <td>
                      <a href={`#/block/${r.height}`}>{r.height}</a>
                    </td>
                    <td>
                      <Time ms={r.time} />
                    </td>
                    <td class="code-bad">{r.code}</td>
                    <td>{r.type ?? "—"}</td>
                    <td>
                      <PartyLink id={r.signer} />
                    </td>
                    <td>
                      <Target type={r.type} target={r.target} />
                    </td>
                    <td class="text">{r.message}</td>
                    <td>
                      <Id value={r.txHash} to={`#/tx/${r.txHash}`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </Show>
    </>
  );
}

/** A rejection's target, linked to its page when the transaction type says what it is. */
function Target({ type, target }: { type: string | null; target: string }) {
  if (!target) return <>—</>;
  if (!isHash(target)) return /^[a-z0-9][a-z0-9._-]*$/.test(target) && !/^cu-|^lot-/.test(target) ? <PartyLink id={target} /> : <code>{target}</code>;
  const t = type ?? "";
  if (/Pledge$|^(transfer|surrender)Title$/.test(t)) return <Id value={target} to={`#/title/${target}`} />;
  if (/Warrant|Piece|Title|Stock|Line|Financials|Consent/.test(t)) return <Id value={target} />;
  return <Id value={target} to={`#/receivable/${target}`} />;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
