"""Scenarios: the manual's examples driven through the HTTP API as the demo users."""
