"""Cast.ph (api.cast.ph): SMS, OTP, SIM, Viber and account endpoints under /api and /api/v1."""

NAME = "cast"
