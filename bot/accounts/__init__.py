"""Accounts: the clients an account team looks after, each with an owner, a tier, a stage,
the channel shared with the client and an internal one."""
