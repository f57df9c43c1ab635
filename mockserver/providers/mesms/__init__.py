"""me-sms v2 (me-sms.com, Thailand): x-api-key sends to up to 2M numbers, recipients pages, account resources."""

NAME = "mesms"
