"""Benchmarks (`make bench`): printed and written to bench/results/ and bench/results.json,
never run as tests."""
