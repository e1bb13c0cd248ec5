"""Currencies and amounts: what Stripe supports, minimum and maximum charge amounts."""

from __future__ import annotations

MAX_AMOUNT = 99_999_999

_CURRENCIES = [
    "usd",
    "aed",
    "afn",
    "all",
    "amd",
    "ang",
    "aoa",
    "ars",
    "aud",
    "awg",
    "azn",
    "bam",
    "bbd",
    "bdt",
    "bgn",
    "bhd",
    "bif",
    "bmd",
    "bnd",
    "bob",
    "brl",
    "bsd",
    "bwp",
    "byn",
    "bzd",
    "cad",
    "cdf",
    "chf",
    "clp",
    "cny",
    "cop",
    "crc",
    "cve",
    "czk",
    "djf",
    "dkk",
    "dop",
    "dzd",
    "egp",
    "etb",
    "eur",
    "fjd",
    "fkp",
    "gbp",
    "gel",
    "gip",
    "gmd",
    "gnf",
    "gtq",
    "gyd",
    "hkd",
    "hnl",
    "htg",
    "huf",
    "idr",
    "ils",
    "inr",
    "isk",
    "jmd",
    "jod",
    "jpy",
    "kes",
    "kgs",
    "khr",
    "kmf",
    "krw",
    "kwd",
    "kyd",
    "kzt",
    "lak",
    "lbp",
    "lkr",
    "lrd",
    "lsl",
    "mad",
    "mdl",
    "mga",
    "mkd",
    "mmk",
    "mnt",
    "mop",
    "mur",
    "mvr",
    "mwk",
    "mxn",
    "myr",
    "mzn",
    "nad",
    "ngn",
    "nio",
    "nok",
    "npr",
    "nzd",
    "omr",
    "pab",
    "pen",
    "pgk",
    "php",
    "pkr",
    "pln",
    "pyg",
    "qar",
    "ron",
    "rsd",
    "rub",
    "rwf",
    "sar",
    "sbd",
    "scr",
    "sek",
    "sgd",
    "shp",
    "sle",
    "sos",
    "srd",
    "std",
    "szl",
    "thb",
    "tjs",
    "tnd",
    "top",
    "try",
    "ttd",
    "twd",
    "tzs",
    "uah",
    "ugx",
    "uyu",
    "uzs",
    "vnd",
    "vuv",
    "wst",
    "xaf",
    "xcd",
    "xof",
    "xpf",
    "yer",
    "zar",
    "zmw",
]
SUPPORTED = frozenset(_CURRENCIES)

ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])

# Stripe's minimum charge amounts, in the smallest unit.
_MINIMUMS = {
    "usd": 50, "aed": 200, "aud": 50, "brl": 50, "cad": 50, "chf": 50, "czk": 1500,
    "dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50, "jpy": 50,
    "mxn": 1000, "myr": 200, "nok": 300, "nzd": 50, "pln": 200, "ron": 200, "sek": 300,
    "sgd": 50, "thb": 1000,
}  # fmt: skip

_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "inr": "₹", "krw": "₩"}


def is_supported(currency: str) -> bool:
    return currency in SUPPORTED


def supported_currencies() -> tuple[str, ...]:
    return tuple(_CURRENCIES)


def decimals(currency: str) -> int:
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def minimum_amount(currency: str) -> int:
    """Stripe's table; elsewhere one major unit's worth of the smallest unit, at least."""
    if currency in _MINIMUMS:
        return _MINIMUMS[currency]
    return 1 if decimals(currency) == 0 else 50 * 10 ** (decimals(currency) - 2)


def format_amount(amount: int, currency: str) -> str:
    places = decimals(currency)
    symbol = _SYMBOLS.get(currency, "")
    # Integer arithmetic: a float would misstate amounts past 2**53 minor units.
    whole, minor = divmod(abs(amount), 10**places)
    text = ("-" if amount < 0 else "") + f"{whole:,}" + (f".{minor:0{places}d}" if places else "")
    return f"{symbol}{text}" if symbol else f"{text}"


def amount_too_small_message(currency: str) -> str:
    return f"Amount must be at least {format_amount(minimum_amount(currency), currency)} {currency}"


def amount_too_large_message(currency: str) -> str:
    return f"Amount must be no more than {format_amount(MAX_AMOUNT, currency)}"


def invalid_currency_message(value: str) -> str:
    return (
        f"Invalid currency: {value.lower()}. Stripe currently supports these currencies: "
        + ", ".join(_CURRENCIES)
    )
