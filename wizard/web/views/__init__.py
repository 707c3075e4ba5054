"""Thin blueprints: parse the request, call a service, render or redirect (303)."""
