// Where the passphrase of an encrypted key file comes from, in this order: a file named on the
// command line, the file named by TRADELEDGER_KEY_PASSPHRASE_FILE (systemd: LoadCredential= puts
// it in $CREDENTIALS_DIRECTORY), the variable TRADELEDGER_KEY_PASSPHRASE, or a prompt on the
// terminal (not echoed). A service without a terminal and without one of the others fails with a
// message that lists them.
import { readFileSync, statSync } from "node:fs";
import { ConfigError, PASSPHRASE_SOURCES } from "../../config/load.js";

export interface PassphraseSource {
  /** a file holding the passphrase (one trailing newline is ignored) */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** ask on the terminal if nothing else gives one and stdin is a TTY (default true) */
  prompt?: boolean;
  /** when prompting for a new key: ask twice */
  confirm?: boolean;
  /** what the passphrase opens, for the prompt ("the node key of bank-a") */
  what: string;
}

function fromFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [{ path: "", message: `cannot read the passphrase file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  try {
    if ((statSync(file).mode & 0o077) !== 0) process.emitWarning(`${file} (a passphrase) is readable by group or others; chmod 600 it`);
  } catch {
    /* read above succeeded */
  }
  const passphrase = text.replace(/\r?\n$/, "");
  if (!passphrase) throw new ConfigError(file, [{ path: "", message: "the passphrase file is empty" }]);
  return passphrase;
}

/** Reads a line from the terminal without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = "";
    const wasRaw = stdin.isRaw;
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const done = (err?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode?.(wasRaw ?? false);
      stdin.pause();
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(new Error("interrupted"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/** The passphrase from the first source that has one; throws ConfigError naming them all if none. */
export async function readPassphrase(src: PassphraseSource): Promise<string> {
  const env = src.env ?? process.env;
  if (src.file) return fromFile(src.file);
  if (env.TRADELEDGER_KEY_PASSPHRASE_FILE) return fromFile(env.TRADELEDGER_KEY_PASSPHRASE_FILE);
  if (env.TRADELEDGER_KEY_PASSPHRASE) return env.TRADELEDGER_KEY_PASSPHRASE;
  if ((src.prompt ?? true) && process.stdin.isTTY) {
    const first = await promptHidden(`passphrase for ${src.what}: `);
    if (!first) throw new ConfigError(src.what, [{ path: "", message: "an empty passphrase" }]);
    if (src.confirm) {
      const again = await promptHidden("the same passphrase again: ");
      if (again !== first) throw new ConfigError(src.what, [{ path: "", message: "the two passphrases differ" }]);
    }
    return first;
  }
  throw new ConfigError(src.what, [{ path: "", message: `needs a passphrase: ${PASSPHRASE_SOURCES}` }]);
}
