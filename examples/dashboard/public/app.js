// Settings → API: the page's behaviour. No key is ever kept: it is shown once in the dialog and
// removed from the page when the dialog closes; nothing goes to localStorage, a cookie or a URL.
const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";
const message = document.getElementById("message");
const statusLine = document.getElementById("status");
const dialog = document.getElementById("new-key");
const keyOutput = document.getElementById("new-key-value");
const keyNote = document.getElementById("new-key-note");
const copyStatus = document.getElementById("copy-status");
const confirmDialog = document.getElementById("confirm-revoke");
let opener = null;

/** An error, in the alert slot; an empty text clears both slots. */
function sayError(text) {
  if (!message) return;
  message.textContent = text;
  message.hidden = !text;
  if (text && statusLine) statusLine.textContent = "";
}

/** A success, announced politely in the status slot. */
function sayDone(text) {
  sayError("");
  if (statusLine) statusLine.textContent = text;
}

async function call(path, body) {
  const res = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
    body: JSON.stringify(body ?? {}),
    credentials: "same-origin",
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer.message ?? "Something went wrong.");
  return answer;
}

async function refreshTable() {
  const res = await fetch("/settings/api/keys-table", { credentials: "same-origin" });
  if (res.ok) document.getElementById("keys").innerHTML = await res.text();
}

function showKey(key, note, from) {
  opener = from;
  keyOutput.textContent = key;
  keyNote.textContent = note;
  copyStatus.textContent = "";
  dialog.showModal();
  document.getElementById("copy-key").focus();
}

async function closeKey() {
  keyOutput.textContent = "";
  keyNote.textContent = "";
  copyStatus.textContent = "";
  dialog.close();
  await refreshTable();
  (opener && document.body.contains(opener) ? opener : document.getElementById("generate-button"))?.focus();
}

document.getElementById("copy-key")?.addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(keyOutput.textContent);
    copyStatus.textContent = "Copied.";
  } catch {
    copyStatus.textContent = "Select the key and copy it yourself: this browser did not allow copying.";
  }
});
document.getElementById("close-key")?.addEventListener("click", closeKey);
dialog?.addEventListener("cancel", (event) => {
  event.preventDefault();
  closeKey();
});

/** A datetime-local value (read as UTC) in RFC 3339, or undefined when empty. */
function utc(value) {
  return value ? new Date(`${value}:00Z`).toISOString() : undefined;
}

document.getElementById("generate")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const data = new FormData(form);
  const body = { scopes: data.getAll("scopes"), mode: data.get("mode") === "test" ? "test" : "live" };
  if (data.get("name")) body.name = data.get("name");
  if (data.get("expires")) body.expires_at = utc(String(data.get("expires")));
  if (data.get("rate")) body.rate_limit_per_minute = Number(data.get("rate"));
  const ips = String(data.get("ips") ?? "")
    .split(/\s+/)
    .filter(Boolean);
  if (ips.length > 0) body.allowed_ips = ips;
  try {
    sayError("");
    const created = await call("/settings/api/keys", body);
    form.reset();
    showKey(created.key, `Key id ${created.id}.`, document.getElementById("generate-button"));
  } catch (error) {
    sayError(error.message);
  }
});

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.classList?.contains("roll")) return;
  event.preventDefault();
  const keyId = form.dataset.keyId;
  const data = new FormData(form);
  const body = { grace_seconds: Number(data.get("grace")) };
  if (data.get("expires")) body.expires_at = utc(String(data.get("expires")));
  try {
    sayError("");
    const rolled = await call(`/settings/api/keys/${encodeURIComponent(keyId)}/roll`, body);
    showKey(
      rolled.key,
      `The old key stops at ${rolled.old_key_expires_at.slice(0, 16).replace("T", " ")} UTC.`,
      form.querySelector("button"),
    );
  } catch (error) {
    sayError(error.message);
  }
});

/** Asks in the page's own dialog, naming the key by name and hint; resolves true to go ahead. */
function confirmRevoke(name, hint, from) {
  document.getElementById("confirm-revoke-text").textContent =
    `Requests with the key "${name}" (${hint}) will be refused at once. This cannot be undone.`;
  confirmDialog.showModal();
  document.getElementById("confirm-revoke-no").focus();
  return new Promise((resolve) => {
    const done = (answer) => {
      confirmDialog.close();
      from?.focus();
      resolve(answer);
    };
    document.getElementById("confirm-revoke-yes").onclick = () => done(true);
    document.getElementById("confirm-revoke-no").onclick = () => done(false);
    confirmDialog.oncancel = (e) => {
      e.preventDefault();
      done(false);
    };
  });
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest?.("button.revoke");
  if (!button) return;
  const { keyId, keyName, keyHint } = button.dataset;
  if (!(await confirmRevoke(keyName, keyHint, button))) return;
  try {
    sayError("");
    await call(`/settings/api/keys/${encodeURIComponent(keyId)}/revoke`);
    await refreshTable();
    sayDone(`The key "${keyName}" (${keyHint}) is revoked.`);
  } catch (error) {
    sayError(error.message);
  }
});
