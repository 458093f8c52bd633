"""Fuzz harnesses (atheris) for longer runs; the pytest suite drives the same targets with hypothesis."""
