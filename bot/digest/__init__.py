"""The daily digest: silent clients, key accounts too quiet to trust, stage moves down,
promises due or overdue and open cases, in each rep's morning, once. Archived accounts are in
none of it.

Three steps, each safe to repeat (service.py):
1. `due_reps`: the reps whose local digest time has come today (a workday) and whose digest for
   that local day is not in the digest ledger yet (the `NudgeLedger` table).
2. `plan`: what each of them should read, found set-based (queries.py, signs.py: one query per
   kind of item for all the reps who share a local day, never a query per account).
3. `send_digests`: per rep, in one transaction, the ledger row and the outbox message. The
   ledger's unique key (workspace, rep, kind, local day) makes a second run, a second process
   or a restart after a crash send nothing twice.

render.py writes the message and its buttons; grammar.py reads `/steward digest …` and the
buttons back; handlers/actions/digest.py answers the clicks and rewrites the message.
"""
