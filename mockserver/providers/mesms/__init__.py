"""mesms provider."""
