"""Amounts of money in the company's currency (STORYROOM_CURRENCY), written for people."""

from app.config import get_settings

SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "CN¥",
    "INR": "₹",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "HKD": "HK$",
    "SGD": "S$",
    "BRL": "R$",
    "MXN": "MX$",
    "KRW": "₩",
    "ILS": "₪",
}
"""Currencies written with a symbol before the amount; the others end with their code."""


def format_amount(amount: int | None, currency: str | None = None) -> str:
    """e.g. "$1,250,000", "€3,400" or "12,000 CHF" (whole units); "—" when nothing was recorded."""
    if amount is None:
        return "—"
    code = currency or get_settings().currency
    sign = "−" if amount < 0 else ""
    digits = f"{abs(amount):,}"
    symbol = SYMBOLS.get(code)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {code}"
