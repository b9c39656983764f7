// Supervision alerts (docs/supervision.md): those already raised, then new ones as their blocks
// commit, from the node's event stream (signed like every read). Regulators and auditors see every
// alert; any other party those naming it.
import { useEffect, useState } from "preact/hooks";
import { paginate, type AlertRecordJson } from "@tradeledger/sdk";
import { ErrorBox, Hidden, Id, NeedsKey, Page, PartyLink, Time, useApp } from "../ui.js";

export function AlertsPage() {
  return (
    <Page title="Alerts" lead="What the supervision rules found, in consensus: listed, then live as blocks commit.">
      <NeedsKey what="Alerts">{() => <Alerts />}</NeedsKey>
    </Page>
  );
}

interface Row extends AlertRecordJson {
  live: boolean;
}

const MAX_ROWS = 1000;

function Alerts() {
  const { session } = useApp();
  const s = session!;
  const [rows, setRows] = useState<Row[]>([]);
  const [state, setState] = useState<"loading" | "live" | "stopped">("loading");
  const [error, setError] = useState<unknown>(undefined);
  const [lastLive, setLastLive] = useState("");
  useEffect(() => {
    const abort = new AbortController();
    setRows([]);
    setState("loading");
    (async () => {
      const seen = new Set<string>();
      const first: Row[] = [];
      for await (const a of paginate((cursor) => s.client.getAlerts({ limit: 500, ...(cursor ? { cursor } : {}) }))) {
        seen.add(a.alertId);
        first.push({ ...a, live: false });
      }
      if (abort.signal.aborted) return;
      // newest first; the stream resumes right after the height the list was read at
      setRows(first.reverse().slice(0, MAX_ROWS));
      setState("live");
      const from = s.client.seenHeight() + 1n;
      for await (const e of s.client.events({ types: ["alertRaised"] }, { signal: abort.signal, fromHeight: from })) {
        if (!e.alert || seen.has(e.alert.alertId)) continue;
        seen.add(e.alert.alertId);
        const row: Row = { ...e.alert, height: e.height, index: e.index, time: e.time, txHash: e.txHash, signer: e.signer, code: e.code ?? "OK", live: true };
        setRows((r) => [row, ...r].slice(0, MAX_ROWS));
        setLastLive(`New alert: ${row.severity} ${row.kind} (${row.ruleId}) at block ${row.height}: ${row.detail}`);
      }
    })().catch((err) => {
      if (!abort.signal.aborted) {
        setError(err);
        setState("stopped");
      }
    });
    return () => abort.abort();
  }, [s]);
  const supervisor = s.role === "AUDITOR" || s.role === "REGULATOR";
  return (
    <>
      {supervisor ? null : <Hidden>As {s.role} you see only the alerts that name {s.party.id}; regulators and auditors see every alert.</Hidden>}
      <p>
        <span class={`live ${state}`} data-testid="alerts-state">
          {state === "live" ? "● Live: new alerts appear as their blocks commit" : state === "loading" ? "Loading…" : "Stopped"}
        </span>
      </p>
      <p class="sr-only" aria-live="assertive">
        {lastLive}
      </p>
      {error !== undefined ? <ErrorBox error={error} what="The event stream stopped" /> : null}
      {rows.length === 0 && state !== "loading" ? <p class="muted">No alerts yet.</p> : null}
      {rows.length > 0 ? (
        <table data-testid="alerts">
          <caption class="sr-only">Alerts, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Block</th>
              <th scope="col">Time</th>
              <th scope="col">Severity</th>
              <th scope="col">Kind</th>
              <th scope="col">Rule</th>
              <th scope="col">Parties</th>
              <th scope="col">What</th>
              <th scope="col">Transaction</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.alertId} class={a.live ? "new" : ""}>
                <td>
                  <a href={`#/block/${a.height}`}>{a.height}</a>
                  {a.live ? <span class="tag">new</span> : null}
                </td>
                <td>
                  <Time ms={a.time} />
                </td>
                <td class={a.severity === "BLOCK" ? "code-bad" : ""}>
                  {a.severity}
                  {a.code !== "OK" ? ` (${a.code})` : ""}
                </td>
                <td>{a.kind}</td>
                <td>{a.ruleId}</td>
                <td>
                  {a.parties.map((p, i) => (
                    <span key={p}>
                      {i > 0 ? ", " : ""}
                      <PartyLink id={p} />
                    </span>
                  ))}
                </td>
                <td class="text">{a.detail}</td>
                <td>
                  <Id value={a.txHash} to={`#/tx/${a.txHash}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}
