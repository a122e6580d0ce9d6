"""Helpers shared by the browser tests and the UI benchmarks (not tests themselves)."""
