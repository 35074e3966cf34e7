"""What a /logcontact costs end to end, over the real wire.

Starts the real app over HTTP against the Slack stand-in, sends a few hundred signed
`/logcontact` requests, and measures (a) the ack: the HTTP round trip Slack waits on, and
(b) the whole exchange: from sending the request to the answer arriving at its response_url,
with the contact stored. The baseline, measured in the same run, is `/steward help`: the same
wire, signature check, ack and response_url post, with no database write.

    .venv/bin/python bench/logcontact.py [--requests 300] [--postgres [URL]]

With --postgres it runs on a scratch database created (and dropped) on that server.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bot.db import fresh_database
from bot.dev.local import LocalSlack

USER, CHANNEL = "UBENCH", "CBENCH"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(slack: LocalSlack, command: str, texts: list[str]) -> tuple[list[float], list[float]]:
    acks, totals = [], []
    for text in texts:
        started = time.monotonic()
        result, key = slack.command(command, text, user=USER, channel=CHANNEL)
        if result.status != 200:
            raise SystemExit(f"{command} {text!r} answered {result.status}: {result.body}")
        answer = slack.response_text(key)
        totals.append(time.monotonic() - started)
        acks.append(result.elapsed)
        if "didn't" in answer or "don't" in answer:
            raise SystemExit(f"{command} {text!r} was refused: {answer}")
    return acks, totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--postgres", nargs="?", const=POSTGRES, metavar="URL", help=f"default {POSTGRES}"
    )
    args = parser.parse_args()
    with fresh_database(args.postgres) as url:
        slack = LocalSlack(url)
        try:
            slack.standin.add_user(USER, "bench", tz="Europe/Warsaw")
            slack.standin.add_channel(CHANNEL, "bench")
            _, key = slack.command("/steward", "account add Acme Rail", user=USER, channel=CHANNEL)
            slack.response(key)
            warm = ["help"] * 10
            measure(slack, "/steward", warm)
            measure(slack, "/logcontact", ["acme call yesterday: warm-up"] * 10)
            n = args.requests
            base_acks, base_totals = measure(slack, "/steward", ["help"] * n)
            texts = [f"acme call yesterday with Jan Kowalski: call number {i}" for i in range(n)]
            acks, totals = measure(slack, "/logcontact", texts)
        finally:
            slack.close()
    backend = url.split(":", 1)[0]
    print(f"/logcontact end to end, {n} signed requests, {backend}")
    rows = [
        ("ack (HTTP round trip)", acks, base_acks),
        ("answer at response_url", totals, base_totals),
    ]
    for label, values, base in rows:
        median, p99 = statistics.median(values), percentile(values, 0.99)
        base_median, base_p99 = statistics.median(base), percentile(base, 0.99)
        print(
            f"  {label:<24} median {median * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms"
            f"   baseline /steward help: median {base_median * 1000:6.1f} ms"
            f"  p99 {base_p99 * 1000:6.1f} ms   ratio {median / base_median:.2f}x"
        )


if __name__ == "__main__":
    main()
