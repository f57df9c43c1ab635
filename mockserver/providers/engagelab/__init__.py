"""engagelab provider."""
