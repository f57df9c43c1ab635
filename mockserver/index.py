"""The landing page: every provider with its Swagger link, vendor base URL and ready-to-use credentials,
each credential in its own copyable element. Self-contained: no asset from outside this server."""

from __future__ import annotations

import html

from mockserver import __version__

STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.5rem;vertical-align:top;text-align:left}code{font-size:.85rem}
ul.creds{list-style:none;padding:0;margin:0}ul.creds li{margin:.35rem 0}
code.credential{user-select:all;background:#f3f3f3;padding:.1rem .3rem;border-radius:3px;word-break:break-all}
button.copy{font-size:.75rem;margin-left:.3rem;cursor:pointer}.note{color:#555;font-size:.85rem}"""

# Clipboard API needs a secure context; on plain http to a LAN host it is absent, so fall back to
# selecting the text (the element is user-select: all, so Ctrl+C then copies exactly the credential).
SCRIPT = """document.addEventListener('click', function (e) {
  var b = e.target.closest('button.copy'); if (!b) return;
  var el = document.getElementById(b.dataset.target), text = el.textContent;
  var done = function () { b.textContent = 'copied'; setTimeout(function () { b.textContent = 'copy'; }, 1200); };
  if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done); return; }
  var r = document.createRange(); r.selectNodeContents(el);
  var s = window.getSelection(); s.removeAllRanges(); s.addRange(r); document.execCommand('copy'); done();
});"""


def _copyable(value: str, element_id: str, kind: str) -> str:
    return (f"<code class='credential' id='{element_id}' data-kind='{kind}'>{html.escape(value)}</code>"
            f"<button type='button' class='copy' data-target='{element_id}' title='copy {kind}'>copy</button>")


def _credentials(files: dict, name: str) -> list[str]:
    """One <li> per key: the key (and secret) each in its own element, the description beside them."""
    out = []
    for acc in files.get(name, {}).get("accounts", []):
        for key in acc.get("keys", []):
            n = len(out)
            parts = [_copyable(key["key"], f"{name}-key-{n}", "key")]
            if key.get("secret"):
                parts.append(" : " + _copyable(key["secret"], f"{name}-secret-{n}", "secret"))
            note = key.get("note", "")
            parts.append(f"<div class='note'>{html.escape(note + ' — ' if note else '')}account "
                         f"<code>{html.escape(str(acc['id']))}</code></div>")
            out.append("<li>" + "".join(parts) + "</li>")
    return out


def render_index(runtime, providers: dict) -> str:
    files = runtime.fixture_files()
    rows = []
    for p in providers.values():
        creds = "".join(_credentials(files, p.name))
        rows.append(
            f"<tr><td><a href='/{p.name}/docs'><b>{html.escape(p.title)}</b></a><br><code>/{p.name}</code></td>"
            f"<td><code>{html.escape(p.vendor_base_url)}</code></td><td>{html.escape(p.auth)}</td>"
            f"<td><ul class='creds'>{creds}</ul></td></tr>"
        )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>SMS provider sandbox</title>
<link rel="icon" href="/favicon.ico"><style>{STYLE}</style>
</head><body><h1>SMS provider sandbox <small>{__version__}</small></h1>
<p>Point your client's base URL at <code>http://HOST:PORT/&lt;provider&gt;</code>; paths below it are the vendor's own.
Control API: <a href="/_mock/docs">/_mock/docs</a> · health: <a href="/_mock/health">/_mock/health</a> ·
request bins for callbacks: <code>/_mock/bins/&lt;name&gt;</code></p>
<table><tr><th>Provider (Swagger UI)</th><th>Real base URL</th><th>Auth</th><th>Fixture credentials</th></tr>
{''.join(rows)}</table><script>{SCRIPT}</script></body></html>"""
