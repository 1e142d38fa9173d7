// Settings → API: the page's behaviour. No key is ever kept: it is shown once in the dialog and
// removed from the page when the dialog closes; nothing goes to localStorage, a cookie or a URL.
const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";
const message = document.getElementById("message");
const dialog = document.getElementById("new-key");
const keyOutput = document.getElementById("new-key-value");
const keyNote = document.getElementById("new-key-note");
let opener = null;

function say(text) {
  if (!message) return;
  message.textContent = text;
  message.hidden = !text;
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
  dialog.showModal();
  document.getElementById("copy-key").focus();
}

async function closeKey() {
  keyOutput.textContent = "";
  keyNote.textContent = "";
  dialog.close();
  await refreshTable();
  (opener && document.body.contains(opener) ? opener : document.getElementById("generate-button"))?.focus();
}

document.getElementById("copy-key")?.addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(keyOutput.textContent);
    keyNote.textContent = "Copied.";
  } catch {
    keyNote.textContent = "Select the key and copy it yourself: this browser did not allow copying.";
  }
});
document.getElementById("close-key")?.addEventListener("click", closeKey);
dialog?.addEventListener("cancel", (event) => {
  event.preventDefault();
  closeKey();
});

document.getElementById("generate")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const data = new FormData(form);
  const body = { scopes: data.getAll("scopes") };
  if (data.get("name")) body.name = data.get("name");
  if (data.get("expires")) body.expires_at = new Date(`${data.get("expires")}:00Z`).toISOString();
  if (data.get("rate")) body.rate_limit_per_minute = Number(data.get("rate"));
  const ips = String(data.get("ips") ?? "")
    .split(/\s+/)
    .filter(Boolean);
  if (ips.length > 0) body.allowed_ips = ips;
  try {
    say("");
    const created = await call("/settings/api/keys", body);
    form.reset();
    showKey(created.key, `Key id ${created.id}.`, document.getElementById("generate-button"));
  } catch (error) {
    say(error.message);
  }
});

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.classList?.contains("roll")) return;
  event.preventDefault();
  const keyId = form.dataset.keyId;
  const grace = Number(new FormData(form).get("grace"));
  try {
    say("");
    const rolled = await call(`/settings/api/keys/${encodeURIComponent(keyId)}/roll`, { grace_seconds: grace });
    showKey(
      rolled.key,
      `The old key stops at ${rolled.old_key_expires_at.slice(0, 16).replace("T", " ")} UTC.`,
      form.querySelector("button"),
    );
  } catch (error) {
    say(error.message);
  }
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest?.("button.revoke");
  if (!button) return;
  if (!window.confirm(`Revoke the key "${button.dataset.keyName}"? Requests with it will be refused at once.`)) return;
  try {
    say("");
    await call(`/settings/api/keys/${encodeURIComponent(button.dataset.keyId)}/revoke`);
    await refreshTable();
    say(`The key "${button.dataset.keyName}" is revoked.`);
  } catch (error) {
    say(error.message);
  }
});
