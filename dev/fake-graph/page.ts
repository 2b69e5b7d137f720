// The fake Graph API's own page: "send a Messenger message as a user" to a channel's local webhook, and the
// Send API calls the double has received (the agents' replies).

export function fakeGraphPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fake Graph API (test double)</title>
<style>body{font:15px system-ui;max-width:48rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.5rem 0}input,textarea{width:100%;font:inherit}</style></head>
<body><main>
<h1>Fake Graph API</h1>
<p>A test double for Meta's servers. Copy the webhook URL, app secret and account id from Settings → Channels.</p>
<form id="send">
<label>Webhook URL <input name="webhookUrl" required placeholder="http://127.0.0.1:54321/functions/v1/meta-webhook?channel=…"></label>
<label>App secret <input name="appSecret" required></label>
<label>Platform <select name="object"><option value="page">Messenger</option><option value="instagram">Instagram</option></select></label>
<label>Page or Instagram account id <input name="accountId" value="1000000001" required></label>
<label>Sender id <input name="senderId" value="2000000001" required></label>
<label>Message <textarea name="text" required>Hello from Messenger!</textarea></label>
<button>Send as this user</button>
</form>
<p id="result" role="status"></p>
<h2>Send API calls received</h2>
<ol id="calls"></ol>
<script>
const form = document.getElementById('send');
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const body = Object.fromEntries(new FormData(form));
  const r = await fetch('/_fake/message', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const out = await r.json();
  document.getElementById('result').textContent = 'Webhook answered ' + out.status + ': ' + out.body;
});
async function poll() {
  const { calls } = await (await fetch('/_fake/calls')).json();
  const list = document.getElementById('calls');
  list.replaceChildren(...calls.map((c) => { const li = document.createElement('li'); li.textContent = c.at + ' to ' + c.recipientId + ' (' + c.answered + '): ' + (c.attachment ? '[' + c.attachment.type + ', ' + c.attachment.bytes + ' bytes fetched]' : c.text); return li; }));
}
setInterval(poll, 2000); poll();
</script>
</main></body></html>`;
}
