"""Hostile Email and Website cells through the whole path a rep takes: import, enrich, the panel's and the company
view's addresses, the table and the exported file. Every address shown or exported passes email-validator
unchanged. (NUL is left out here: a file holding one is refused as binary; core tests cover it.)"""

from __future__ import annotations

import csv
import io

from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadassist.core.enrich import EnrichOptions
from leadassist.core.mailcheck import CheckOptions
from leadassist.store import leads, service

OFFLINE = EnrichOptions(check=CheckOptions(offline=True))
HEADER = ["Id", "First Name", "Last Name", "Company", "Email", "Website"]
_PIECES = ["acme", "example", "evil", "xn--", "-", ".", "%0d%0a", "%40", "\x0b", "\x7f", "\r\n", "\t", '"', "<", ">",
           ",", "@", ":", "/", "?", "#", "&", "=", "bcc", "ß", "ü", " ", "..", "_", "com"]  # fmt: skip
_cell = st.one_of(
    st.sampled_from(["evil.example%0d%0abcc%3aspy%40evil.example", "bob@corp.example?bcc=spy%40evil.example&subject=x",
                     "acme.example", "www.acme.example", "https://acme.example/", "ann@acme.example"]),
    st.lists(st.sampled_from(_PIECES), max_size=7).map("".join),
)  # fmt: skip


def valid_unchanged(address: str) -> bool:
    try:
        return validate_email(address, check_deliverability=False).ascii_email == address
    except EmailNotValidError:
        return False


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["Ann", "Bo", "Cy", "Jürgen"]), _cell, _cell), min_size=1, max_size=6))
def test_no_hostile_cell_reaches_the_rep_or_the_file_as_an_invalid_address(store, make_csv, tmp_path, rows):
    file = make_csv([HEADER, *[[str(n), first, "Lee", "Acme", email, web] for n, (first, email, web) in
                               enumerate(rows)]])  # fmt: skip
    service.import_csv(store, file)
    service.enrich_stored(store, OFFLINE)
    shown: list[str] = []
    for row in leads.page(store, offset=0, limit=1000):
        detail = leads.get_lead(store, row.id)
        shown += [row.email, detail.email, *detail.alternates, *(c.email for c in detail.candidates)]
        if detail.domain:
            shown += [k.email for k in leads.company_detail(store, detail.domain).known]
    shown += [k.email for k in leads.known_addresses(store)]
    out = tmp_path / "out.csv"
    service.export_csv(store, out)
    for rec in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")):
        shown += [rec["Enriched Email"], *rec["Email Alternates"].split("; ")]
    for address in shown:
        assert address == "" or valid_unchanged(address), address
