"""Thin handlers per feature: parse the request, ask course/ and storage, render."""
