"""Provider-neutral SMS truths: store, clock, ids, lifecycle, scheduler, webhooks. Never imports the web layer."""
