"""`payintents serve | migrate`."""

from __future__ import annotations

import argparse
import os
import sys

from payintents.config import Config, env, load_keys, parse_duration


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="payintents", description="A server that speaks Stripe's PaymentIntents API."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP server")
    migrate = sub.add_parser("migrate", help="apply the database migrations and exit")
    for cmd in (serve, migrate):
        cmd.add_argument(
            "--database",
            default=env("DATABASE", Config.database),
            help="SQLite file path, or a postgresql:// URL (env PAYINTENTS_DATABASE)",
        )
    serve.add_argument("--host", default=env("HOST", Config.host), help="env PAYINTENTS_HOST")
    serve.add_argument(
        "--port",
        type=int,
        default=int(env("PORT", str(Config.port)) or 0),
        help="env PAYINTENTS_PORT",
    )
    serve.add_argument(
        "--api-key",
        action="append",
        default=[k for k in (env("API_KEYS") or "").split(",") if k],
        help="accept only these keys (repeatable; env PAYINTENTS_API_KEYS, comma-separated)",
    )
    serve.add_argument("--keys-file", default=env("KEYS_FILE"), help="a file of keys, one a line")
    serve.add_argument(
        "--capture-window",
        default=env("CAPTURE_WINDOW", "7d"),
        help="how long an uncaptured authorization lives, e.g. 7d, 2h, 30s",
    )
    serve.add_argument(
        "--clock-offset",
        default=env("CLOCK_OFFSET", "0"),
        help="shift the server's clock (testing), e.g. 25h",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.database.startswith(("postgresql://", "postgres://")):
        sys.exit(
            "payintents: PostgreSQL support is not available in this version; "
            "use a SQLite file path for --database."
        )
    if args.command == "migrate":
        from payintents.store.sqlite import SqliteStore

        store = SqliteStore(args.database)
        applied = store.migrate()
        print(f"payintents: {args.database}: applied {len(applied)} migration(s) {applied}")
        return
    config = Config(
        host=args.host,
        port=args.port,
        database=args.database,
        api_keys=load_keys(args.api_key, args.keys_file),
        capture_window=parse_duration(args.capture_window),
        clock_offset=parse_duration(args.clock_offset),
    )
    from payintents.app import serve

    print(
        f"payintents: storing everything in SQLite at {os.path.abspath(config.database)}",
        flush=True,
    )
    serve(config)


if __name__ == "__main__":
    main()
