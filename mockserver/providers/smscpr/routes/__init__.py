"""SMSCPR routes: one module per resource group (SMSCPR has one: messages)."""

from mockserver.providers.smscpr.routes.messages import router

__all__ = ["router"]
