"""`tuphap held [list | release ID | drop ID --note TEXT]`: mail held for a person.

Held messages (orchestration/mailbox/decide.py says why a message is held) are never answered
automatically. `release` puts the message's report files in the inbox, received when the
message arrived: the next load (or the inbox sensor) loads them like any other file. `drop`
keeps the message's record with the note, and nothing of it is loaded.
"""

from __future__ import annotations

import argparse

from orchestration import settings
from orchestration.cli.failure import fail


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = commands.add_parser("held", help="mail held for the data team: list, release, drop")
    parser.add_argument("action", nargs="?", default="list", choices=("list", "release", "drop"))
    parser.add_argument("id", nargs="?", help="the held message's ID (from `tuphap held list`)")
    parser.add_argument("--note", help="why it is dropped (required with drop)")
    parser.add_argument("--all", action="store_true", help="list released and dropped too")
    parser.add_argument("--inbox", help="where released files go (TUPHAP_INBOX; data/inbox)")
    parser.add_argument("--warehouse", help=settings.WAREHOUSE_HELP)
    return parser


def run(args: argparse.Namespace) -> int:
    from orchestration.mailbox.held import HeldError, drop, format_held, listed, release
    from orchestration.warehouse.engine import engine_for

    engine = engine_for(settings.warehouse_address(args.warehouse))
    if args.action == "list":
        print(format_held(listed(engine, everything=args.all)))
        return 0
    if not args.id:
        return fail("held", f"`tuphap held {args.action}` needs the message's ID")
    try:
        if args.action == "release":
            names = release(engine, args.id, settings.inbox_path(args.inbox))
            print(f"released {args.id}: {len(names)} report file(s) in the inbox"
                  + "".join(f"\n  {name}" for name in names)
                  + "\nthe next load (or the inbox sensor) loads them")
            return 0
        if not (args.note or "").strip():
            return fail("held", "`tuphap held drop ID --note TEXT`: say why it is dropped")
        drop(engine, args.id, args.note)
    except HeldError as error:
        return fail("held", error)
    print(f"dropped {args.id}: kept with the note, nothing of it loaded")
    return 0
