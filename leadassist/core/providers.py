"""Mail provider fingerprint: which hosted service runs a domain's mail, judged from its MX host names.

The suffix table is data (resources/mail_providers.csv, CC0), loaded once on first use.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Sequence

from leadassist import paths

SELF_HOSTED = "self-hosted"


@functools.cache
def provider_table() -> dict[str, str]:
    """MX host suffix -> provider name, from resources/mail_providers.csv."""
    path = paths.resources_dir() / "mail_providers.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(line for line in f if line.strip() and not line.startswith("#"))
        header = next(rows)
        if header != ["provider", "suffix"]:
            raise ValueError(f"{path}: unexpected header {header}")
        return {suffix.strip().lower().strip("."): provider.strip() for provider, suffix in rows}


def _match(host: str, table: dict[str, str]) -> str:
    """The provider of the longest suffix of `host` in the table (label-aligned), or ""."""
    labels = host.split(".")
    for i in range(len(labels)):  # longest suffix first
        provider = table.get(".".join(labels[i:]))
        if provider:
            return provider
    return ""


def identify_provider(mx_hosts: Sequence[str], domain: str = "") -> str:
    """The mail provider behind these MX hosts (best preference first), "self-hosted", or "" when unknown.

    `self-hosted` needs `domain`: every MX host lies under the domain itself and matches no provider.
    """
    table = provider_table()
    hosts = [h.strip().lower().rstrip(".") for h in mx_hosts if h.strip().strip(".")]
    for host in hosts:
        provider = _match(host, table)
        if provider:
            return provider
    domain = domain.strip().lower().rstrip(".")
    if domain and hosts and all(h == domain or h.endswith("." + domain) for h in hosts):
        return SELF_HOSTED
    return ""
