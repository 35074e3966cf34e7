"""App Home: a person's own accounts with their health, their promises overdue and due this
week, and the cases open on their accounts, with the digest's buttons."""
