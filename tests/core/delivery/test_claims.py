"""Claiming due webhooks into lanes (core/webhooks.Dispatcher._claim, delivery/lanes.py): what a claim
takes and how long each row's lease lasts, read back from the outbox."""

from __future__ import annotations

import time

from mockserver.core.notify import OutgoingWebhook
from mockserver.core.runtime import Runtime
from tests.conftest import make_settings
from tests.core.delivery.conftest import DELIVERY


def test_a_claim_fills_each_lane_and_leases_waiting_rows_for_the_waves_ahead(tmp_path, db_backend):
    rt = Runtime(make_settings(tmp_path, **{**DELIVERY, "webhook_per_host_concurrency": 2, "webhook_concurrency": 8}))
    try:
        fast, other = "http://127.0.0.1:1/a", "http://127.0.0.1:2/b"
        hooks = [OutgoingWebhook(url=fast, body=f'{{"n": {i}}}', ordering_key=f"k{i}") for i in range(20)]
        hooks.append(OutgoingWebhook(url=other, body='{"n": 20}', ordering_key="k20"))
        with rt.db.write() as conn:
            rt.enqueue_webhooks(conn, "cast", "acc", None, hooks, rt.clock.now())
        wall = time.time()
        rows, more = rt.dispatcher._claim()
        # A lane holds 8 x its cap of 2: 16 of the first host's 20 rows; more may be due.
        assert [(r.url, r.body) for r in rows] == [(fast, f'{{"n": {i}}}') for i in range(16)] and more is True
        # The next claim passes over the full lane's backlog to the other host's row, and stops there.
        again, more = rt.dispatcher._claim()
        assert [(r.url, r.body) for r in again] == [(other, '{"n": 20}')] and more is False
        rows += again
        leases = dict(rt.db.conn().execute("SELECT id, lease_until FROM webhook WHERE lease_until IS NOT NULL").fetchall())
        step = DELIVERY["webhook_timeout"] + 1.0
        for position, row in enumerate(rows[:16]):
            expected = wall + DELIVERY["webhook_lease"] + (position // 2) * step  # waves of 2 requests
            assert expected - 0.5 < leases[row.id] < expected + 2
        assert wall + DELIVERY["webhook_lease"] - 0.5 < leases[rows[16].id] < wall + DELIVERY["webhook_lease"] + 2
        assert len(leases) == 17
        assert rt.dispatcher._claim() == ([], False)  # nothing more fits until a lane frees a place
    finally:
        rt.replicas.close()
        rt.db.close()
