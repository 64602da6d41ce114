"""The course domain: content loading, validation, paths, grading and certificates.

This package never imports the web layer; `server/` depends on it, not the reverse.
"""
