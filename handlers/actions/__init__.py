"""Buttons: each surface module has `register(app, st)`."""
