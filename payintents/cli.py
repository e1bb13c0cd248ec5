"""`payintents serve | migrate | dispatch | events | keys`."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator

from payintents import keys
from payintents.config import Config, env, parse_duration, parse_schedule, parse_size
from payintents.store import describe, open_store
from payintents.webhooks.vault import MASTER_KEY_ENV, Vault, VaultError, new_master_key


def _version() -> str:
    from importlib.metadata import version

    return version("payintents")


class _VersionAction(argparse.Action):
    """argparse's "version" action, reading the installed version only when asked: the
    package metadata lookup is a noticeable part of every command's start."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(
            option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version"
        )

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(f"payintents {_version()}")  # on stdout, as argparse's own version action
        parser.exit()


class _Subparser(argparse.ArgumentParser):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(formatter_class=_Help, **kwargs)  # type: ignore[arg-type]


def _hosts(text: str) -> tuple[str, ...]:
    """`a.example,10.0.0.5,[fd00::1]` -> the hosts, as URLs' hostnames spell them."""
    hosts = (h.strip().lower().strip("[]").rstrip(".") for h in text.split(","))
    return tuple(h for h in hosts if h)


def _country(text: str) -> str:
    code = text.strip().upper()
    if len(code) != 2 or not code.isalpha() or not code.isascii():
        raise argparse.ArgumentTypeError(f"not a two-letter country code: {text!r}")
    return code


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


class _Help(argparse.HelpFormatter):
    """Each flag's help ends with its default, where it has one its text does not name."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if "default" in text or default in (None, False, [], argparse.SUPPRESS):
            return text
        if isinstance(default, tuple):
            default = ",".join(str(d) for d in default)
        return f"{text} (default: {str(default).replace('%', '%%')})"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="payintents", description="A server that speaks Stripe's PaymentIntents API."
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Subparser)
    serve = sub.add_parser("serve", help="run the HTTP server")
    migrate = sub.add_parser("migrate", help="apply the database migrations and exit")
    dispatch = sub.add_parser(
        "dispatch", help="deliver webhooks only (servers deliver too; run any number of these)"
    )
    events = sub.add_parser("events", help="show recent events and their webhook delivery attempts")
    events.add_argument("--limit", type=int, default=20, help="how many events (default 20)")
    events.add_argument("--key", help="only the events of this secret key's account and mode")
    events.add_argument("--json", action="store_true", help="print JSON instead of text")
    events.add_argument(
        "--keys-file",
        default=env("KEYS_FILE"),
        help="the server's keys file, to find --key's account (env PAYINTENTS_KEYS_FILE)",
    )
    sub.add_parser(
        "master-key",
        help="print a new master key, to set as PAYINTENTS_MASTER_KEY so that webhook signing "
        "secrets are stored encrypted (docs/security.md)",
    )
    new_keys = sub.add_parser("keys", help="write a new keys file with random keys")
    new_keys.add_argument("file", help="the keys file to write (it must not exist yet)")
    new_keys.add_argument(
        "--account",
        action="append",
        help="an account to make keys for (repeatable; default: one account named default)",
    )
    new_keys.add_argument("--live", action="store_true", help="live-mode keys too")
    new_keys.add_argument(
        "--restricted",
        metavar="GRANTS",
        help="also a restricted key per account and mode, e.g. payment_intents=write,charges=read",
    )
    for cmd in (serve, migrate, dispatch, events):
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
        metavar="SECRET[:PUBLISHABLE]",
        help="accept only configured keys: this secret key and, after a colon, its account's "
        "publishable key (repeatable; env PAYINTENTS_API_KEYS, comma-separated)",
    )
    serve.add_argument(
        "--keys-file",
        default=env("KEYS_FILE"),
        help="accept only the keys of this file: accounts with their secret, publishable and "
        "restricted keys (TOML, see docs/keys.md; env PAYINTENTS_KEYS_FILE)",
    )
    serve.add_argument(
        "--capture-window",
        default=env("CAPTURE_WINDOW", "7d"),
        help="how long an uncaptured authorization lives, e.g. 7d, 2h, 30s "
        "(env PAYINTENTS_CAPTURE_WINDOW)",
    )
    serve.add_argument(
        "--clock-offset",
        default=env("CLOCK_OFFSET", "0"),
        help="shift the server's clock (testing), e.g. 25h (env PAYINTENTS_CLOCK_OFFSET)",
    )
    serve.add_argument(
        "--microdeposit-type",
        choices=("amounts", "descriptor_code"),
        default=env("MICRODEPOSIT_TYPE", Config.microdeposit_type),
        help="how US bank accounts entered by hand are verified: two amounts (default) or a "
        "descriptor code (env PAYINTENTS_MICRODEPOSIT_TYPE)",
    )
    serve.add_argument(
        "--country",
        type=_country,
        default=env("COUNTRY", Config.country),
        help="the country of every account (two letters, default US): which payment method "
        "types it may offer (env PAYINTENTS_COUNTRY)",
    )
    serve.add_argument(
        "--forward-to",
        default=env("FORWARD_TO"),
        help="post every event to this URL, like `stripe listen --forward-to`; prints the "
        "signing secret (env PAYINTENTS_FORWARD_TO)",
    )
    serve.add_argument(
        "--forward-key",
        default=env("FORWARD_KEY"),
        help="forward only this secret key's account and mode (default: every account; "
        "env PAYINTENTS_FORWARD_KEY)",
    )
    serve.add_argument(
        "--forward-events",
        default=env("FORWARD_EVENTS", "*"),
        help="comma-separated event types to forward (default *; env PAYINTENTS_FORWARD_EVENTS)",
    )
    serve.add_argument(
        "--no-dispatcher",
        action="store_true",
        default=env("NO_DISPATCHER", "") not in ("", "0", "false"),
        help="do not deliver webhooks from this process (run `payintents dispatch` instead; "
        "env PAYINTENTS_NO_DISPATCHER=1)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=int(env("WORKERS", "1") or 1),
        help="server processes on this host sharing the port (default 1; env PAYINTENTS_WORKERS)",
    )
    serve.add_argument(
        "--controls",
        action="store_true",
        default=env("CONTROLS", "") not in ("", "0", "false"),
        help="with --api-key or --keys-file, turn on the test controls under /_payintents "
        "(always on without them; env PAYINTENTS_CONTROLS)",
    )
    serve.add_argument(
        "--pool-size",
        type=int,
        default=int(env("POOL_SIZE", "0") or 0) or None,
        help="PostgreSQL connections per process (default 10; env PAYINTENTS_POOL_SIZE)",
    )
    serve.add_argument(
        "--database-timeout",
        type=float,
        default=float(env("DATABASE_TIMEOUT", str(Config.database_timeout)) or 0),
        help="seconds a request waits for a PostgreSQL connection before it is answered 503 "
        "with Stripe-Should-Retry: true (default 5; env PAYINTENTS_DATABASE_TIMEOUT)",
    )
    serve.add_argument(
        "--max-database-size",
        type=_size,
        default=env("MAX_DATABASE_SIZE"),
        metavar="SIZE",
        help="the most the SQLite file may grow to, e.g. 20MB or 2GB; past it writes fail as on "
        "a full disk, with 500 and Stripe-Should-Retry: true (default: no limit; env "
        "PAYINTENTS_MAX_DATABASE_SIZE)",
    )
    serve.add_argument(
        "--max-header-bytes",
        type=int,
        default=int(env("MAX_HEADER_BYTES", str(Config.max_header_bytes)) or 0),
        help="bytes of header fields a request may send; more is answered 431 "
        "(env PAYINTENTS_MAX_HEADER_BYTES)",
    )
    serve.add_argument(
        "--read-timeout",
        type=float,
        default=float(env("READ_TIMEOUT", str(Config.read_timeout)) or 0),
        help="seconds a client has to send a whole request (headers and body) before its "
        "connection is closed (env PAYINTENTS_READ_TIMEOUT)",
    )
    serve.add_argument(
        "--keep-alive-timeout",
        type=float,
        default=float(env("KEEP_ALIVE_TIMEOUT", str(Config.keep_alive_timeout)) or 0),
        help="seconds an idle connection is kept open between requests "
        "(env PAYINTENTS_KEEP_ALIVE_TIMEOUT)",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=int(env("MAX_CONNECTIONS", str(Config.max_connections)) or 0),
        help="open connections per server process; past it a new connection displaces the "
        "oldest idle one (env PAYINTENTS_MAX_CONNECTIONS)",
    )
    serve.add_argument(
        "--public-url",
        default=env("PUBLIC_URL"),
        help="the URL browsers reach this server at: the Stripe.js served at /v3/ talks to it "
        "and hosted pages' links name it (default: the URL each request came to; "
        "env PAYINTENTS_PUBLIC_URL)",
    )
    for cmd in (serve, dispatch):
        cmd.add_argument(
            "--webhook-retry-schedule",
            type=parse_schedule,
            default=parse_schedule(
                env("WEBHOOK_RETRY_SCHEDULE")
                or ",".join(str(s) for s in Config.webhook_retry_schedule)
            ),
            help="delays between webhook attempts, e.g. 1,2,4 or 1m,5m,1h; after the last one "
            "a delivery is given up (default: about 3 days; env PAYINTENTS_WEBHOOK_RETRY_SCHEDULE)",
        )
        cmd.add_argument(
            "--webhook-allow-internal",
            type=_hosts,
            default=_hosts(env("WEBHOOK_ALLOW_INTERNAL") or ""),
            metavar="HOST[,HOST...]",
            help="hosts live-mode webhook endpoints may post to although they are loopback, "
            "private or otherwise internal, for a self-hosted deployment; the --forward-to "
            "host always is (default: none; env PAYINTENTS_WEBHOOK_ALLOW_INTERNAL)",
        )
        cmd.add_argument(
            "--webhook-timeout",
            type=float,
            default=float(env("WEBHOOK_TIMEOUT", str(Config.webhook_timeout)) or 0),
            help="seconds an endpoint has to answer (default 10; env PAYINTENTS_WEBHOOK_TIMEOUT)",
        )
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "migrate":
        with _reachable(args.database):
            store = open_store(args.database)
            try:
                applied = store.migrate()
                vault = Vault.from_env()
                encrypted = vault.encrypt_stored(store)
                vault.check(store)
            finally:
                store.close()
        print(
            f"payintents: {describe(args.database)}: applied {len(applied)} migration(s) {applied}"
        )
        if encrypted:
            print(f"payintents: encrypted {encrypted} webhook signing secret(s), {MASTER_KEY_ENV}")
        return
    if args.command == "master-key":
        print(new_master_key())
        return
    if args.command == "events":
        with _reachable(args.database):
            _events(args)
        return
    if args.command == "dispatch":
        with _reachable(args.database):
            _dispatch(args)
        return
    if args.command == "keys":
        _new_keys(args)
        return
    config = Config(
        host=args.host,
        port=args.port,
        database=args.database,
        keys=_keyring(args.api_key, args.keys_file),
        capture_window=parse_duration(args.capture_window),
        clock_offset=parse_duration(args.clock_offset),
        microdeposit_type=args.microdeposit_type,
        country=args.country,
        webhook_retry_schedule=args.webhook_retry_schedule,
        webhook_timeout=args.webhook_timeout,
        dispatcher=not args.no_dispatcher,
        forward_to=args.forward_to or None,
        forward_key=args.forward_key or None,
        forward_events=tuple(e.strip() for e in args.forward_events.split(",") if e.strip()),
        workers=max(1, args.workers),
        pool_size=args.pool_size,
        database_timeout=args.database_timeout,
        max_database_size=args.max_database_size,
        controls=args.controls,
        max_header_bytes=args.max_header_bytes,
        read_timeout=args.read_timeout,
        keep_alive_timeout=args.keep_alive_timeout,
        max_connections=max(1, args.max_connections),
        webhook_allow_internal=args.webhook_allow_internal + _hosts(_host_of(args.forward_to)),
        public_url=args.public_url.rstrip("/") if args.public_url else None,
    )
    from payintents.app import serve

    print(f"payintents: storing everything in {describe(config.database)}", flush=True)
    with _reachable(config.database):
        serve(config)


def _host_of(url: str | None) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(url).hostname or "") if url else ""
    except ValueError:
        return ""  # forward.setup says what is wrong with it


@contextlib.contextmanager
def _reachable(database: str) -> Iterator[None]:
    """A database that cannot be reached, or whose webhook secrets the master key cannot
    open, is a one-line error, not a traceback."""
    try:
        yield
    except VaultError as err:
        sys.exit(f"payintents: {describe(database)}: {err}")
    except Exception as err:
        import psycopg

        # Connection refused, unknown database or role, no free connection (PoolTimeout).
        if isinstance(err, psycopg.OperationalError):
            sys.exit(f"payintents: cannot use {describe(database)}: {str(err).strip()}")
        raise


def _keyring(values: list[str], keys_file: str | None) -> keys.Keyring | None:
    try:
        return keys.load(values, keys_file)
    except keys.KeysError as err:
        sys.exit(f"payintents: keys: {err}")


def _new_keys(args: argparse.Namespace) -> None:
    grants = None
    if args.restricted is not None:
        pairs = [p.partition("=") for p in args.restricted.split(",") if p.strip()]
        grants = {name.strip(): level.strip() for name, _, level in pairs}
    try:
        text = keys.generate(args.account or ["default"], args.live, grants)
        # Only the owner may read it: it holds secret keys.
        fd = os.open(args.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except keys.KeysError as err:
        sys.exit(f"payintents: keys: {err}")
    except FileExistsError:
        sys.exit(f"payintents: keys: {args.file} exists; choose a new file")
    with os.fdopen(fd, "w") as out:
        out.write(text)
    accounts = keys.read_file(args.file)[0]
    print(f"payintents: wrote {args.file}: " + ", ".join(f"{a.name} ({a.id})" for a in accounts))
    print(f"payintents: serve with --keys-file {args.file}")


def _events(args: argparse.Namespace) -> None:
    import orjson

    from payintents.app import build_runtime
    from payintents.webhooks import report
    from payintents.webhooks.forward import forwarding_scope

    if "://" not in args.database and not os.path.exists(args.database):
        sys.exit(f"payintents: no database at {args.database}")
    runtime = build_runtime(Config(database=args.database))
    scope = None
    if args.key:
        scope = forwarding_scope(args.key, _keyring([], args.keys_file), "--key")[0]
    events = report.recent(runtime.store, scope, args.limit)
    if args.json:
        print(orjson.dumps(events, option=orjson.OPT_INDENT_2).decode())
    else:
        print(report.format_text(events))


def _dispatch(args: argparse.Namespace) -> None:
    import asyncio
    import contextlib
    import signal

    from payintents.app import build_runtime, dispatcher_for

    config = Config(
        database=args.database,
        webhook_retry_schedule=args.webhook_retry_schedule,
        webhook_timeout=args.webhook_timeout,
        webhook_allow_internal=args.webhook_allow_internal,
    )
    runtime = build_runtime(config)

    async def run() -> None:
        task = asyncio.create_task(dispatcher_for(runtime).run())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    print(f"payintents: delivering webhooks from {describe(args.database)}", flush=True)
    asyncio.run(run())
    runtime.store.close()


if __name__ == "__main__":
    main()
