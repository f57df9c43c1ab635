"""The inbox's server-rendered pages over HTTP: list order, keyset pages, filters, the search box over
any written form of a number, threads, detail with paged recipients, webhooks and accounts."""

from __future__ import annotations

import re

from tests.ui.kit import CAST_KEY, MESMS_KEY, send_cast, send_mesms, send_smscpr


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="row" data-id="(\d+)"', html)]


def test_list_is_newest_first_and_keyset_paged(inbox):
    for i in range(55):
        send_cast(inbox, text=f"message {i}")
    first = inbox.get("/")
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/html")
    assert row_ids(first.text) == list(range(55, 5, -1))
    assert 'href="/?cursor=6"' in first.text
    second = inbox.get("/?cursor=6")
    assert row_ids(second.text) == [5, 4, 3, 2, 1] and "Older" not in second.text
    assert 'id="rows"' not in second.text  # an older page does not live-refresh under the reader


def test_filters_and_status_chips(inbox):
    send_cast(inbox)
    send_mesms(inbox)
    send_smscpr(inbox)
    assert row_ids(inbox.get("/?provider=mesms").text) == [2]
    assert row_ids(inbox.get("/?account_id=cast-demo").text) == [1]
    inbox.post("/_mock/messages/3/status", json={"status": "failed"})
    assert row_ids(inbox.get("/?status=failed").text) == [3]
    page = inbox.get("/").text
    assert '<span class="chip flight" data-status="queued">queued 2</span>' in page  # 2 recipients, counted
    assert "2 recipients" in page
    totals = dict(re.findall(r'data-total="(\w+)">\w+ (\d+)<', page))
    assert totals == {"queued": "3", "failed": "1"}  # cast 1 + mesms 2 queued; smscpr forced failed


def test_search_box_matches_any_written_form_of_a_number_and_sender_and_text(inbox):
    send_cast(inbox, to="09171234567")
    send_smscpr(inbox, to="+15550002222")
    send_mesms(inbox, numbers=["0812345678", "66898765432"])
    for q, expected in [("+63 917 123 4567", [1]), ("09171234567", [1]), ("639171234567", [1]),
                        ("+1 555-000-2222", [2]), ("0812345678", [3]),
                        ("+66 81 234 5678", [3]), ("66898765432", [3]), ("MYAPP", [1]), ("verification", [2, 1]),
                        ("nothing like this", [])]:
        assert row_ids(inbox.get("/", params={"q": q}).text) == expected, q


def test_thread_holds_outbound_and_inbound_in_time_order_with_a_reply_box(inbox):
    send_cast(inbox, to="09171234567", text="Your code is 111111")
    inbox.post("/_mock/clock/advance", json={"seconds": 5})
    resp = inbox.post("/_mock/inbound", json={"provider": "cast", "account_id": "cast-demo", "from": "09171234567",
                                              "to": "MYAPP", "body": "thanks"})
    assert resp.status_code == 201
    page = inbox.get("/inbox/threads/+639171234567").text  # another written form of the same number
    bubbles = re.findall(r'<div class="bubble-row (out|in)">', page)
    assert bubbles == ["out", "in"]
    assert "Your code is 111111" in page and "thanks" in page
    assert 'name="provider" value="cast"' in page and 'name="account_id" value="cast-demo"' in page
    assert 'name="to" value="MYAPP"' in page
    assert "/inbox/threads/09171234567" in inbox.get("/inbox/threads").text
    assert inbox.get("/inbox/threads", params={"number": "0917 123 4567"}, follow_redirects=False).status_code == 303


def test_detail_shows_encoding_otp_and_pages_recipients(inbox):
    numbers = [f"0812{i:06d}" for i in range(120)]
    resp = inbox.post("/mesms/api/v2/sms/send", headers={"x-api-key": MESMS_KEY},
                      json={"sender": "MeSMS", "content": "รหัส 4321 ใช้ได้ 5 นาที", "msisdns": numbers})
    assert resp.status_code in (200, 201, 202), resp.text
    page = inbox.get("/inbox/messages/1").text
    assert "UCS-2" in page and 'data-copy="4321"' in page and "120 recipients" in page
    assert page.count('<tr><td>') == 50 and 'id="recipients-next"' in page
    nxt = re.search(r'hx-get="(/inbox/messages/1/recipients\?cursor=\d+)"', page).group(1)
    second = inbox.get(nxt).text
    # me-sms stores numbers in international form
    assert second.count("<tr><td>") == 50 and ">66812000050<" in second and ">66812000049<" not in second
    assert inbox.get("/inbox/messages/999").status_code == 404


def test_webhooks_page_filters_failed_and_accounts_page_lists_keys(inbox, receiver):
    receiver.default = 500
    send_smscpr(inbox, callback=receiver.url("/dlr"))
    for _ in range(8):
        inbox.post("/_mock/clock/advance", json={"seconds": 60})
    failed = inbox.get("/inbox/webhooks?status=failed").text
    assert 'data-status="failed"' in failed and "HTTP 500" in failed
    assert 'data-status="delivered"' not in failed
    assert 'data-status="failed"' not in inbox.get("/inbox/webhooks?status=delivered").text
    accounts = inbox.get("/inbox/accounts").text
    assert f'data-copy="{CAST_KEY}"' in accounts and 'data-account-id="mesms-demo"' in accounts


def test_inbox_at_root_links_to_credentials_one_click_away(inbox):
    page = inbox.get("/").text
    assert 'href="/credentials"' in page and 'sse-connect="/_mock/stream"' in page
    creds = inbox.get("/credentials")
    assert creds.status_code == 200 and CAST_KEY in creds.text


def test_detail_has_a_confirmed_delete_and_the_list_refreshes_on_message_deleted(inbox):
    send_cast(inbox)
    detail = inbox.get("/inbox/messages/1").text
    assert 'id="delete-open" data-open="delete-dialog"' in detail
    assert 'data-method="DELETE" data-redirect="/" action="/_mock/messages/1"' in detail
    assert "sse:message.deleted" in detail and "sse:message.deleted" in inbox.get("/").text
    assert inbox.delete("/_mock/messages/1").status_code == 204
    assert row_ids(inbox.get("/").text) == [] and inbox.get("/inbox/messages/1/live").status_code == 404


def test_bins_page_lists_bins_and_a_bins_requests_newest_first_with_a_cursor(inbox):
    assert "No bin has caught anything yet" in inbox.get("/inbox/bins").text
    assert '<a href="/inbox/bins" >Bins</a>' in inbox.get("/").text  # in the header's navigation
    for n in range(52):
        inbox.post("/_mock/bins/dlr/status?n=1", json={"n": n, "text": "<b>x</b>"}, headers={"X-Sig": "s1"})
    inbox.post("/_mock/bins/mo", content=b"plain text body")
    page = inbox.get("/inbox/bins").text
    assert 'aria-current="page">Bins</a>' in page
    assert [b for b in re.findall(r'data-bin="([^"]+)"', page)] == ["mo", "dlr"]  # most recently used first
    assert "plain text body" in page and 'hx-trigger="sse:bin.request' in page
    dlr = inbox.get("/inbox/bins?bin=dlr").text
    ids = [int(i) for i in re.findall(r'data-request-id="(\d+)"', dlr)]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)
    assert "<strong>POST</strong>" in dlr and "/_mock/bins/dlr/status?n=1" in dlr
    assert '&#34;x-sig&#34;: &#34;s1&#34;' in dlr  # headers, escaped
    assert '&#34;n&#34;: 51,\n  &#34;text&#34;: &#34;&lt;b&gt;x&lt;/b&gt;&#34;' in dlr  # pretty JSON, escaped
    older = inbox.get(f"/inbox/bins?bin=dlr&cursor={ids[-1]}").text
    assert f'href="/inbox/bins?bin=dlr&cursor={ids[-1]}"' in dlr
    assert len(re.findall(r'data-request-id="(\d+)"', older)) == 2 and 'id="bins-live"' in older
    assert "hx-get" not in older.split('id="bins-live"')[1].split(">")[0]  # an older page stays still
    live = inbox.get("/inbox/bins/live?bin=mo").text
    assert "plain text body" in live and "<html" not in live


def test_bins_page_offers_the_bins_answer_form_filled_with_its_setting(inbox):
    inbox.post("/_mock/bins/flaky", json={})
    assert inbox.put("/_mock/bins/flaky", json={"status": 503, "fail_first": 2}).status_code == 200
    page = inbox.get("/inbox/bins", params={"bin": "flaky"}).text
    assert 'data-method="PUT" action="/_mock/bins/flaky"' in page
    assert 'name="status" type="number" min="200" max="599" data-type="number" placeholder="200" value="503"' in page
    assert 'placeholder="all" value="2"' in page
