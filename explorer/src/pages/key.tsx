// Loading the reader's party key: a key file, a PKCS#8 paste, or an encrypted key file with its
// passphrase. The key stays in this page's memory; a reload forgets it. Also: pinning the
// validator set from a genesis file the reader trusts.
import { useState } from "preact/hooks";
import { Page, useApp } from "../ui.js";
import { openKeystore, pinGenesis, signerFromText, startSession, type Session } from "../session.js";

export function KeyPage({ onSession }: { onSession: (s: Session | null) => void }) {
  const app = useApp();
  const [text, setText] = useState("");
  const [partyId, setPartyId] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [busy, setBusy] = useState("");
  const [error, setError] = useState("");
  const encrypted = text.includes("tradeledger-keystore/v1");

  const readFile = async (input: HTMLInputElement, into: (t: string) => void) => {
    const f = input.files?.[0];
    if (f) into(await f.text());
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    try {
      setBusy(encrypted ? "Opening the encrypted key (scrypt takes a few seconds)…" : "Checking the key against the ledger…");
      const signer = encrypted ? await openKeystore(text, passphrase, partyId) : signerFromText(text, partyId);
      setBusy(`Checking ${signer.partyId} against the ledger's party directory…`);
      const s = await startSession(signer);
      setText("");
      setPassphrase("");
      onSession(s);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy("");
    }
  };

  return (
    <Page title="Your party key" lead="Every read of commercial data is a request signed with your party's key. The key is used only inside this page: it is never sent, never stored, and a reload forgets it.">
      <form class="card" onSubmit={submit} aria-describedby="key-help">
        <p id="key-help">
          Choose a key file (<code>.devnet/keys/&lt;party&gt;.json</code>, or an encrypted one written by <code>tradeledger keys generate</code>), or paste it, or paste an Ed25519
          private key in PKCS#8 (PEM) and give its party id.
        </p>
        <label for="key-file">Key file</label>
        <input id="key-file" type="file" accept=".json,.pem,.key,.txt,application/json" onChange={(e) => readFile(e.currentTarget, setText)} />
        <label for="key-text">Or paste the key</label>
        <textarea id="key-text" rows={5} spellcheck={false} autocomplete="off" value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder='{"partyId": "...", "seed": "...", "publicKey": "..."} or -----BEGIN PRIVATE KEY-----' />
        <label for="key-party">Party id (for a PKCS#8 key; optional for a key file that names its party)</label>
        <input id="key-party" type="text" autocomplete="username" value={partyId} onInput={(e) => setPartyId(e.currentTarget.value)} />
        {encrypted ? (
          <>
            <label for="key-pass">Passphrase of the encrypted key file</label>
            <input id="key-pass" type="password" autocomplete="current-password" value={passphrase} onInput={(e) => setPassphrase(e.currentTarget.value)} />
          </>
        ) : null}
        <div class="row">
          <button type="submit" disabled={!text.trim() || !!busy}>
            Use this key
          </button>
          {app.session ? (
            <button type="button" onClick={() => onSession(null)}>
              Forget the current key ({app.session.party.id})
            </button>
          ) : null}
        </div>
        <p aria-live="polite" class="muted">
          {busy}
        </p>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
      <GenesisPin />
    </Page>
  );
}

function GenesisPin() {
  const app = useApp();
  const [error, setError] = useState("");
  const [done, setDone] = useState("");
  const v = app.validators;
  return (
    <div class="card">
      <h2>Validators you verify against</h2>
      <p>
        {v
          ? `${v.set.chainId}: ${v.set.validators.map((x) => x.id).join(", ")} — ${v.source === "genesis" ? "pinned from a genesis file you loaded" : "pinned from this node's status the first time this browser opened the explorer"}, ${v.pinnedAt}.`
          : "Not known yet."}{" "}
        Every later validator set is proven from this one through the chain of sets (the network page shows it). A node that lies about the validators could make its own proofs pass: load the network's genesis file, from a source you trust, to pin the set yourself.
      </p>
      <label for="genesis-file">Genesis file</label>
      <input
        id="genesis-file"
        type="file"
        accept=".json,application/json"
        onChange={async (e) => {
          setError("");
          setDone("");
          try {
            const f = e.currentTarget.files?.[0];
            if (!f) return;
            const p = pinGenesis(await f.text());
            app.setValidators(p);
            setDone(`Pinned ${p.set.validators.length} validators of ${p.set.chainId}.`);
          } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
          }
        }}
      />
      <p aria-live="polite">{done}</p>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
