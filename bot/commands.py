"""The three slash commands, and `/steward`'s verbs, in one explicit list.

A handler builds an `Invocation` after it has acked and looked up what Slack knows, calls
`run`, and sends back the reply. Every refusal is a `UserError`, rendered with what was wrong,
an example and the person's own text. Each feature keeps its grammar in bot/<feature>/grammar.py;
nothing registers itself on import: this module is where commands and help are listed.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from bot.accounts import grammar as accounts
from bot.blocks import Reply, message, refusal, section
from bot.cases import grammar as cases
from bot.contacts import grammar as contacts
from bot.db import Database
from bot.digest import grammar as digest
from bot.errors import UserError
from bot.invocation import Invocation
from bot.promises import grammar as promises
from bot.slacktext import tokens

Action = Callable[[Invocation, Session], Reply]
Verb = Callable[[Invocation, Session, list[str]], Reply]

TITLES = {
    "/logcontact": "Couldn't log that contact",
    "/promise": "Couldn't do that with promises",
    "/steward": "Couldn't do that",
}


def run(db: Database, inv: Invocation, action: Action | None = None) -> Reply:
    """Run a slash command (or `action`: a form or a button standing for one) in one
    transaction. Never raises for anything the person typed: a refusal is the reply."""
    handler = action or COMMANDS[inv.command]
    try:
        with db.session() as session:
            return handler(inv, session)
    except UserError as error:
        return refusal(error, title=TITLES[inv.command], typed=inv.typed, button=inv.button)


def steward(inv: Invocation, session: Session) -> Reply:
    words = tokens(inv.text)
    verb = words[0].lower() if words else "help"
    if verb in ("help", "?"):
        return help_reply()
    if handler := STEWARD_VERBS.get(verb):
        return handler(inv, session, words[1:])
    return help_reply(f"I don't know `{words[0]}`. Here is what I can do:")


def help_reply(
    lead: str = "*Steward* keeps your promises to clients and notices silence.",
) -> Reply:
    sections = [lead, *HELP]
    return message("\n".join(sections), [section(s) for s in sections])


COMMANDS: dict[str, Action] = {
    "/logcontact": contacts.logcontact,
    "/promise": promises.promise,
    "/steward": steward,
}
STEWARD_VERBS: dict[str, Verb] = {
    "account": accounts.account,
    "accounts": accounts.account,
    "route": cases.route_command,
    "routes": cases.route_command,
    "cases": cases.cases_command,
    "digest": digest.digest_command,
    "contact": contacts.contact,
    "contacts": contacts.contacts,
}
HELP = [
    accounts.HELP,
    contacts.HELP,
    contacts.HELP_CONTACTS,
    promises.HELP,
    cases.HELP_ROUTE,
    digest.HELP_DIGEST,
]
"""One section per feature, in the order `/steward help` shows them."""
