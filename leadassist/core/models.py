"""Domain values: frozen dataclasses passed between core, store, CLI and UI. No behaviour beyond small helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True)
class Lead:
    """One row of a CRM file as far as enrichment cares; `row` indexes the original row (0 = first data row)."""

    row: int
    first: str = ""
    last: str = ""
    full_name: str = ""
    company: str = ""
    email: str = ""
    website: str = ""
    record_id: str = ""
    country: str = ""  # Country, City and Phone cells: hints for guessing the company's domain from its name
    city: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class NameVariant:
    """One spelling of a person's name as a mail admin might type it: lowercase ASCII parts.

    `tags` name the conventions used to get here (see core.names.CONVENTIONS), e.g. {"fold:expand", "nick"};
    `weight` is the a-priori plausibility of this spelling among the person's variants (they sum to 1).
    """

    first: str
    last: str
    middle: str = ""
    tags: frozenset[str] = frozenset()
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class KnownAddress:
    """An address known to belong to a person, with where it came from ("file", "import", "feedback" ...)."""

    first: str
    last: str
    email: str
    source: str = "file"
    full_name: str = ""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A ranked guess for a lead: the address, calibrated probability (0..1), template and why."""

    email: str
    probability: float
    template: str
    evidence: str
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class FormatMixture:
    """A company's estimated distribution over address templates and name conventions.

    `templates` maps template key -> probability (includes "other" for unexplained formats);
    `conventions` maps a dimension ("fold", "particle", ...) -> {choice: probability};
    `template_counts` are the (fractional) counts observed at this company, `known` how many addresses taught it,
    `template_fits` how many of those addresses each template reproduces exactly (for the evidence text),
    `bounced_templates` which bounced local parts each template renders (the evidence names them).
    """

    domain: str
    templates: dict[str, float]
    conventions: dict[str, dict[str, float]]
    template_counts: dict[str, float] = field(default_factory=dict)
    convention_counts: dict[str, dict[str, float]] = field(default_factory=dict)
    known: int = 0
    explained: float = 0.0
    bounced: int = 0
    template_fits: dict[str, int] = field(default_factory=dict)  # colleagues whose address each template renders
    prior_templates: dict[str, float] = field(default_factory=dict)  # the prior π this mixture was shrunk towards
    bounced_templates: dict[str, tuple[str, ...]] = field(default_factory=dict)  # template -> bounced local parts
    # each bounce's template shares q_t (what a team pack carries instead of the bounced address)
    bounce_renderings: tuple[dict[str, float], ...] = ()
    # Per-mixture memo of the templates a name with given parts can use (each with its compiled renderer and
    # whether it is a truncation) and their weights (filled by core.formats, not compared).
    applicable_memo: dict[frozenset[str], tuple[list[tuple[str, Any, bool, Any]], list[float], float, float]] = field(
        default_factory=dict, compare=False, repr=False
    )


@dataclass(frozen=True, slots=True)
class FormatCounts:
    """What a company's known addresses taught about its formats, as counts only (no names, no addresses): the
    fractional template and convention counts, how many addresses (explained by a template or not), how many
    colleagues each template renders, and per bounce the share of each template in rendering it. A team pack
    carries these per domain; added to a company's own counts they rank as the addresses they came from would."""

    templates: dict[str, float] = field(default_factory=dict)
    conventions: dict[str, dict[str, float]] = field(default_factory=dict)
    known: int = 0
    explained: float = 0.0
    fits: dict[str, int] = field(default_factory=dict)
    bounced: int = 0
    bounces: tuple[dict[str, float], ...] = ()  # per bounce: the chance each template rendered it (no address)


class MailStatus(StrEnum):
    """Exact status words of a domain's mail setup (other tools depend on them)."""

    MX = "mx"
    IMPLICIT_MX = "implicit-mx"
    NULL_MX = "null-mx"
    NO_DOMAIN = "no-domain"
    NO_MAIL = "no-mail"
    UNKNOWN = "unknown"
    NOT_CHECKED = "not-checked"


@dataclass(frozen=True, slots=True)
class DomainCheck:
    """The result of checking one domain's mail setup over DNS.

    `reason` explains `unknown` (timeout, servfail, refused, offline) and other notable findings;
    `warnings` carries non-fatal observations (MX host is a CNAME, null MX mixed with real MX, ...);
    times are POSIX seconds; `expires_at` follows the DNS TTL (RFC 2308 for negative answers).
    """

    domain: str
    status: MailStatus
    reason: str = ""
    mx_hosts: tuple[str, ...] = ()
    provider: str = ""
    warnings: tuple[str, ...] = ()
    checked_at: float = 0.0
    expires_at: float = 0.0


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a long job is: `done` of `total` units in `stage`, with elapsed seconds."""

    stage: str
    done: int
    total: int
    elapsed: float = 0.0
    message: str = ""

    @property
    def rate(self) -> float:
        """Units per second so far (0 before any time has passed)."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0


class SmtpStatus(StrEnum):
    """Exact status words of a mailbox check over SMTP (core.smtpcheck); exported as `SMTP Status`."""

    VERIFIED = "verified"  # 250, and the same server refused an address that cannot exist
    ACCEPTED = "accepted"  # 250, whether the server accepts every address is undetermined
    ACCEPT_ALL = "accept-all"  # the server accepts every address: SMTP tells nothing here
    REJECTED = "rejected"  # the server says the mailbox does not exist (5.1.1, 5.1.10, 5.4.1 DBEB ...)
    DISABLED = "disabled"  # the mailbox exists but is disabled (5.2.1)
    FULL = "full"  # the mailbox exists but is over quota (5.2.2 / 4.2.2)
    UNKNOWN = "unknown"  # no answer about the mailbox; `reason` says why (greylisted, blocked, timeout ...)
    NOT_CHECKED = "not-checked"  # not asked (off, budget, skipped provider ...); `reason` says why


@dataclass(frozen=True, slots=True)
class MailboxCheck:
    """What a mail server said about one address: status, a short reason word, the reply and the server."""

    email: str
    status: SmtpStatus
    reason: str = ""
    detail: str = ""
    mx_host: str = ""
    checked_at: float = 0.0


class EmailSource(StrEnum):
    """Where the `Enriched Email` came from."""

    KNOWN = "known"
    INFERRED = "inferred"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class LeadResult:
    """Everything enrichment found for one lead."""

    row: int
    email: str
    source: EmailSource
    confidence: int
    pattern: str
    alternates: tuple[str, ...]
    evidence: str
    domain: str
    domain_source: str
    candidates: tuple[Candidate, ...] = ()
    flags: tuple[str, ...] = ()
    check: DomainCheck | None = None
    domain_confidence: int = 0  # 0..100: the chance `domain` is the company's mail domain (core.companydomain)
    smtp: tuple[MailboxCheck, ...] = ()  # mailbox checks of this lead's candidates (empty: SMTP check off)
