"""Cases (routing): a client thread becomes a case in our counterpart team's channel, and the
two threads are kept in step until the case is resolved.

grammar.py reads what people type and what buttons carry; queries.py holds the SELECTs;
service.py opens cases and lifecycle.py carries them to the end (both Slack-free: handlers
gather what Slack knows first and deliver the outcomes); render.py builds the Block Kit.
"""
