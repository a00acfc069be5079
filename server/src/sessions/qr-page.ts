import { Type } from '@sinclair/typebox';
import type { RoutesPlugin } from '../http/typebox';
import { SessionParams } from './session-schemas';

/**
 * A page that shows a session's live QR (or pairing code) and turns to "connected" by itself. The
 * page holds no data: its script reads the credential (login token or API key) from the URL
 * fragment, which browsers never send to the server, and calls the JSON API with it.
 */
export const qrPageRoutes: RoutesPlugin = () => async (app) => {
  app.get(
    '/sessions/:sessionId/qr/page',
    {
      schema: {
        tags: ['sessions'],
        summary: 'A page with the live QR code; open it as .../qr/page#token=<login token or API key>',
        params: SessionParams,
        response: { 200: Type.String({ description: 'text/html' }) },
      },
    },
    async (request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header(
          'content-security-policy',
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src blob:; connect-src 'self'",
        )
        .header('referrer-policy', 'no-referrer')
        .send(page(request.params.sessionId)),
  );
};

function page(sessionId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>WhatsApp: ${sessionId}</title>
<style>
body{font-family:system-ui,sans-serif;display:flex;flex-direction:column;align-items:center;margin:3rem 1rem;color:#111b21}
#qr{width:320px;height:320px;border:1px solid #d1d7db;border-radius:8px;display:flex;align-items:center;justify-content:center}
#code{font-size:2.2rem;letter-spacing:.3rem;font-family:monospace}.ok{color:#008069;font-size:1.4rem}.err{color:#b00020}
</style></head><body>
<h1>Link WhatsApp: <span id="name"></span></h1>
<div id="qr">Loading…</div>
<p id="status"></p>
<script>
const sessionId = ${JSON.stringify(sessionId)};
const api = '/api/v1/sessions/' + encodeURIComponent(sessionId);
const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromHash) { sessionStorage.setItem('baileys-token', fromHash); history.replaceState(null, '', location.pathname); }
const token = sessionStorage.getItem('baileys-token') || prompt('Login token or API key');
const headers = { authorization: 'Bearer ' + token };
const box = document.getElementById('qr'), status = document.getElementById('status');
document.getElementById('name').textContent = sessionId;
let shownQr = null;
async function tick() {
  const res = await fetch(api, { headers });
  if (!res.ok) { box.innerHTML = '<span class="err">' + (res.status === 401 ? 'Not signed in' : 'Session not found') + '</span>'; return; }
  const s = await res.json();
  status.textContent = 'Status: ' + s.status;
  if (s.status === 'CONNECTED') { box.innerHTML = '<span class="ok">✓ Connected' + (s.phoneNumber ? ' as +' + s.phoneNumber : '') + '</span>'; return; }
  if (s.status === 'PAIRING_REQUIRED' && s.pairingCode) { box.innerHTML = '<span id="code"></span>'; document.getElementById('code').textContent = s.pairingCode; shownQr = null; }
  else if (s.status === 'QR_REQUIRED' && s.qrCode !== shownQr) {
    const png = await fetch(api + '/qr', { headers: { ...headers, accept: 'image/png' } });
    if (png.ok) { shownQr = s.qrCode; const img = new Image(); img.src = URL.createObjectURL(await png.blob()); img.alt = 'QR code'; box.replaceChildren(img); }
  } else if (s.status !== 'QR_REQUIRED' && s.status !== 'PAIRING_REQUIRED') { box.textContent = s.status === 'ERROR' ? 'Error: ' + ((s.metadata || {}).error || 'unknown') : 'Waiting…'; }
  setTimeout(tick, 2000);
}
tick().catch((e) => { box.textContent = String(e); });
</script></body></html>`;
}
