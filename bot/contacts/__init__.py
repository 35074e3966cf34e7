"""Contacts with a client: each call, meeting, email or visit logged, and the client's people
met in them."""
