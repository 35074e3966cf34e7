"""An account's story: everything that happened with it, newest first, and the changes kept."""
