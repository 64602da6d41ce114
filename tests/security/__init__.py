"""The attack campaign of issue #12, kept as tests: access matrix, CSRF, fuzz."""
