"""SMSCPR (api-sms.smscpr.com): Bearer-token SMS sends, message logs and DeliveryReceipts."""

NAME = "smscpr"
