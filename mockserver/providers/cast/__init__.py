"""cast provider."""
