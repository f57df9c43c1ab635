"""The landing page: every provider with its Swagger link, vendor base URL and ready-to-use credentials."""

from __future__ import annotations

import html

from mockserver import __version__


def _credentials(files: dict, name: str) -> list[str]:
    out = []
    for acc in files.get(name, {}).get("accounts", []):
        for key in acc.get("keys", []):
            label = key["key"] + (f" : {key['secret']}" if key.get("secret") else "")
            note = key.get("note", "")
            out.append(f"{label}{' — ' + note if note else ''} (account {acc['id']})")
    return out


def render_index(runtime, providers: dict) -> str:
    files = runtime.fixture_files()
    rows = []
    for p in providers.values():
        creds = "".join(f"<li><code>{html.escape(c)}</code></li>" for c in _credentials(files, p.name))
        rows.append(
            f"<tr><td><a href='/{p.name}/docs'><b>{html.escape(p.title)}</b></a><br><code>/{p.name}</code></td>"
            f"<td><code>{html.escape(p.vendor_base_url)}</code></td><td>{html.escape(p.auth)}</td>"
            f"<td><ul>{creds}</ul></td></tr>"
        )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>SMS provider sandbox</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:75rem}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.5rem;vertical-align:top;text-align:left}}code{{font-size:.85rem}}</style>
</head><body><h1>SMS provider sandbox <small>{__version__}</small></h1>
<p>Point your client's base URL at <code>http://HOST:PORT/&lt;provider&gt;</code>; paths below it are the vendor's own.
Control API: <a href="/_mock/docs">/_mock/docs</a> · health: <a href="/_mock/health">/_mock/health</a></p>
<table><tr><th>Provider (Swagger UI)</th><th>Real base URL</th><th>Auth</th><th>Fixture credentials</th></tr>
{''.join(rows)}</table></body></html>"""
