"""EngageLab SMS (smsapi.engagelab.com): HTTP Basic template sends ("plans"), template and sign configs, callbacks."""

NAME = "engagelab"
