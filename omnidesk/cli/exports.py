"""Commands that export tables as CSV: sources, customers, one customer's timeline."""

from __future__ import annotations

import argparse

from omnidesk.cli.common import EXIT_OK, _customer, _open_existing, _output
from omnidesk.core.text import printable


def cmd_export_sources(args: argparse.Namespace) -> int:
    from omnidesk.core.exporting.tables import export_sources

    out = _output(args.out, args)
    with _open_existing(args, readonly=True) as ws:
        n = export_sources(ws, out, overwrite=args.force)
    print(f"Wrote {n} source records to {printable(str(args.out))}")
    return EXIT_OK


def cmd_export_customers(args: argparse.Namespace) -> int:
    from omnidesk.core.exporting.tables import export_customers

    out = _output(args.out, args)
    with _open_existing(args, readonly=True) as ws:
        n = export_customers(ws, out, overwrite=args.force)
    print(f"Wrote {n} customers to {printable(str(args.out))}")
    return EXIT_OK


def cmd_export_timeline(args: argparse.Namespace) -> int:
    from omnidesk.core.timeline import export_timeline

    out = _output(args.out, args)
    with _open_existing(args, readonly=True) as ws:
        cid = _customer(ws, args.customer)
        n = export_timeline(ws, cid, out, overwrite=args.force)
    print(f"Wrote {n} timeline entries of customer {cid} to {printable(str(args.out))}")
    return EXIT_OK
