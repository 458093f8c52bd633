"""pytest fixtures: dns (see the module's own issue)."""
