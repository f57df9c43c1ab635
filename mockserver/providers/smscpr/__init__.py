"""smscpr provider."""
