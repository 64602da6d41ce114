"""The Starlette web application serving the course."""
