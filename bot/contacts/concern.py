"""Does a logged contact's summary raise a concern? A complaint is a sign of life: the digest's
"too quiet to trust" counts it (bot/digest), so this errs on the side of plain words.

The rule, kept simple enough to state in /logcontact's help:
- a summary that starts with `!` raises a concern;
- so does one containing a word of complaint, worry, trouble or delay, in English, Polish or
  Russian (whole words or their stems, any case: `complained`, `reklamację`, `жалобу`);
- unless one of the two words before it negates it: "no complaints", "not worried",
  "nie było żadnych problemów", "нет претензий", "without delay", "any issues?".
- "issue" the verb is not a concern: `issued`, `issuing`, and "issue the/an/a invoice…" are not.
"""

from __future__ import annotations

import re

_STEMS = (
    # English
    r"complain\w*",
    r"concern(?:s|ed)?",
    r"worr(?:y|ied|ies|ying)",
    r"unhappy",
    r"dissatisf\w*",
    r"disappoint\w*",
    r"frustrat\w*",
    r"problems?",
    r"issues?(?!\s+(?:the|a|an|our|their|invoices?|credit|refunds?)\b)",
    r"escalat\w*",
    r"late",
    r"delay\w*",
    # Polish (with and without diacritics)
    r"reklamacj\w*",
    r"skarg\w*",
    r"skar[żz]\w*",
    r"problem\w*",
    r"niezadowol\w*",
    r"op[óo][źz]n\w*",
    r"sp[óo][źz]n\w*",
    # Russian
    r"жалоб\w*",
    r"жалу\w*",
    r"претензи\w*",
    r"проблем\w*",
    r"недовол\w*",
    r"задерж\w*",
    r"опозда\w*",
)
CONCERN = re.compile(r"(?<!\w)(?:" + "|".join(_STEMS) + r")(?!\w)", re.IGNORECASE)
NEGATIONS = frozenset(
    {
        *("no", "not", "never", "without", "any", "don't", "didn't", "wasn't", "weren't"),
        *("nie", "bez", "brak", "żadnych", "zadnych", "żadnej", "zadnej", "żadne", "zadne"),
        *("не", "нет", "без", "никаких", "ни"),
    }
)
WORD = re.compile(r"[\w'’]+")


def raises_concern(summary: str) -> bool:
    """True when the summary reads as the client raising something (see the module's rule)."""
    text = summary.strip()
    if text.startswith("!"):
        return True
    lowered = text.casefold().replace("’", "'")
    for match in CONCERN.finditer(lowered):
        before = WORD.findall(lowered[: match.start()])[-2:]
        if not NEGATIONS.intersection(before):
            return True
    return False
