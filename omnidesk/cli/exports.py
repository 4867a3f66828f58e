"""Commands that export tables as CSV: sources, customers, one customer's timeline."""

from __future__ import annotations

import argparse

from omnidesk.cli.common import EXIT_OK, EXIT_USAGE, CliError, _add_force_arg, _command, _customer, _open_existing, _output
from omnidesk.cli.segments import add_audience_args, audience
from omnidesk.core.errors import UserError
from omnidesk.core.text import counted, printable


def add_commands(sub) -> None:
    """Register this group's commands on the top-level subparsers."""
    p = _command(sub, "export", help="export data as CSV")
    esub = p.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    q = _command(esub, "sources", help="one row per imported record, with its customer")
    q.add_argument("out", metavar="OUT.csv")
    _add_force_arg(q)
    q.set_defaults(func=cmd_export_sources)
    q = _command(esub, "customers", help="one row per customer (of a segment or rule), chosen columns")
    q.add_argument("out", metavar="OUT.csv")
    add_audience_args(q)
    q.add_argument("--columns", metavar="A,B,...",
                   help="the columns, in order (default: id, first_name, ... source_records, the usual ones; "
                        "also full_name, name and custom.NAME: see the README)")
    q.add_argument("--excel", action="store_true", help="start the file with a BOM so Excel reads accents right")
    _add_force_arg(q)
    q.set_defaults(func=cmd_export_customers)
    q = _command(esub, "timeline", help="one customer's merged timeline, oldest first")
    q.add_argument("customer", metavar="CUSTOMER", help="customer id, email or phone in any format")
    q.add_argument("out", metavar="OUT.csv")
    _add_force_arg(q)
    q.set_defaults(func=cmd_export_timeline)


def cmd_export_sources(args: argparse.Namespace) -> int:
    from omnidesk.core.exporting.tables import export_sources

    out = _output(args.out, args, "OUT.csv")
    with _open_existing(args, readonly=True) as ws:
        n = export_sources(ws, out, overwrite=args.force)
    print(f"Wrote {counted(n, 'source record')} to {printable(str(args.out))}")
    return EXIT_OK


def cmd_export_customers(args: argparse.Namespace) -> int:
    from omnidesk.core.exporting.tables import check_columns, export_customers

    if args.segment is not None and args.rule is not None:
        raise CliError("give --segment or --rule, not both", EXIT_USAGE)
    try:
        # An empty --columns "" is a list of no column, not the default.
        columns = check_columns(args.columns.split(",")) if args.columns is not None else None
    except UserError as exc:  # a column no export has: the option's value is not one (usage, 2)
        raise CliError(f"--columns: {exc}", EXIT_USAGE) from None
    out = _output(args.out, args, "OUT.csv")
    with _open_existing(args, readonly=True) as ws:
        n = export_customers(ws, out, overwrite=args.force, rule=audience(ws, args), columns=columns,
                             excel=args.excel)
    print(f"Wrote {counted(n, 'customer')} to {printable(str(args.out))}")
    return EXIT_OK


def cmd_export_timeline(args: argparse.Namespace) -> int:
    from omnidesk.core.timeline import export_timeline

    out = _output(args.out, args, "OUT.csv")
    with _open_existing(args, readonly=True) as ws:
        cid = _customer(ws, args.customer)
        n = export_timeline(ws, cid, out, overwrite=args.force)
    print(f"Wrote {counted(n, 'timeline entry', 'timeline entries')} of customer {cid} to {printable(str(args.out))}")
    return EXIT_OK
