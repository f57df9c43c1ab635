"""Prometheus metrics of one runtime (its own registry, so several apps in one process never
collide): sends, transitions, webhook attempts by outcome, scheduler lag, backpressure and queue depths."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from mockserver.core.store import webhooks as outbox


class Metrics:
    def __init__(self, runtime) -> None:
        self.registry = registry = CollectorRegistry()
        self.sends = Counter("mockserver_sends", "Messages accepted by a provider API.", ["provider"],
                             registry=registry)
        self.transitions = Counter("mockserver_transitions", "Recipient status changes applied by the scheduler.",
                                   registry=registry)
        self.webhook_attempts = Counter(
            "mockserver_webhook_attempts", "Webhook attempts by outcome (delivered, retry, failed).", ["outcome"],
            registry=registry)
        self.scheduler_lag = Gauge(
            "mockserver_scheduler_lag_seconds",
            "Due time to execution of the latest transitions the background scheduler applied.", registry=registry)
        self.backpressure_active = Gauge(
            "mockserver_backpressure_active",
            "1 while sends are refused with the vendor's 429 because the scheduler lags (MOCKSERVER_BACKPRESSURE_LAG).",
            registry=registry)
        self.backpressure_refusals = Counter(
            "mockserver_backpressure_refusals", "Sends refused by backpressure.", ["provider"], registry=registry)
        depth = Gauge("mockserver_webhook_queue_depth", "Webhooks pending (due or waiting for a retry).",
                      registry=registry)
        depth.set_function(lambda: outbox.depth(runtime.db.conn()))
        in_flight = Gauge("mockserver_webhooks_in_flight", "Webhook requests awaiting an answer.", registry=registry)
        in_flight.set_function(lambda: runtime.dispatcher.lanes.in_flight())

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
