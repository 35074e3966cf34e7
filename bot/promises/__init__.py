"""Promises to clients: one owner, a due date, a written confirmation, a status."""
