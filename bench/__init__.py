"""Benchmarks (`make bench`): printed and written to bench/results/, never run as tests."""
