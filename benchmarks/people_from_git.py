"""Build `name|email` people files from the commit history of apache/* repositories (run time only, never committed).

Reads `git log --format='%an|%ae'` of bare mirrors (by default under /work/.mirror/apache+NAME/repo, as the
`fetch` tool leaves them) and keeps one line per person who looks like an employee writing from a company
address: free-mail, noreply, apache.org, role addresses, bots, machine host names and names that are a lone
handle are dropped, people are deduplicated, and companies (mail domains) with fewer than 3 distinct people are
dropped. Output goes to benchmarks/data/ (git-ignored): personal data stays on this machine.

Usage: python benchmarks/people_from_git.py [--mirror DIR] [--repos apache/kafka apache/calcite ...] [-o OUT]
Without --repos every apache+* mirror found under --mirror is used.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from leadassist.core import domains as dom

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_MIRROR = Path("/work/.mirror")
MIN_PEOPLE = 3
# Author names or local parts that belong to automation, not people.
_BOT = re.compile(
    r"bot\b|\[bot\]|jenkins|hudson|travis|github|gitbox|buildbot|dependabot|renovate|automation|\bci\b|"
    r"mergebot|release|asfbot|svn2git|noreply|no-reply|do-not-reply|donotreply",
    re.I,
)
_NAME_TOKEN = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
# Domains that are not a company's mail domain even though they are not free-mail providers.
_NOT_COMPANY = ("apache.org", "users.noreply.github.com", "github.com", "localhost", "example.com")


def normalise_email(text: str) -> str:
    """Lower-cased address if its syntax is valid (email-validator, no DNS), else ''."""
    try:
        info = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        return ""
    return f"{info.local_part.lower()}@{info.ascii_domain.lower()}"


def git_people(git_dir: Path) -> Iterable[tuple[str, str]]:
    """(author name, author email) of every commit in a bare repository."""
    out = subprocess.run(
        ["git", f"--git-dir={git_dir}", "log", "--format=%an|%ae"],
        check=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
    ).stdout
    for line in out.splitlines():
        name, sep, email = line.rpartition("|")
        if sep:
            yield name.strip(), email.strip()


def person_like(name: str) -> bool:
    """True when a git author name looks like a person's first and last name (not a handle or a bot)."""
    if _BOT.search(name) or "@" in name:
        return False
    # A CRM has a first and a last name: at least two space-separated words with letters ("pengwei-li" is a handle).
    return sum(bool(_NAME_TOKEN.search(word)) for word in name.split()) >= 2


def company_domain(domain: str) -> bool:
    """True when a mail domain may be a company's: registrable, not free-mail, not apache.org or a host name."""
    if not domain or dom.is_free(domain) or dom.is_disposable(domain):
        return False
    if any(domain == d or domain.endswith("." + d) for d in _NOT_COMPANY):
        return False
    if domain.endswith((".local", ".localdomain", ".internal", ".lan", ".home", ".corp")):
        return False
    reg = dom.registrable_domain(domain)
    # A mail domain with many labels under the registrable one is a machine's name (ip-10-0-0-1.ec2.internal).
    return bool(reg) and domain.count(".") - reg.count(".") <= 1 and not re.search(r"\d+-\d+-\d+", domain)


def clean(pairs: Iterable[tuple[str, str]], min_people: int = MIN_PEOPLE) -> list[tuple[str, str]]:
    """Deduplicated (name, email) people at companies with at least `min_people` distinct people."""
    names_of: dict[str, Counter[str]] = defaultdict(Counter)
    for name, raw in pairs:
        email = normalise_email(raw)
        if not email or not person_like(name):
            continue
        local, _, domain = email.rpartition("@")
        if "+" in local or _BOT.search(local) or dom.is_role(local) or not company_domain(domain):
            continue
        names_of[email][" ".join(name.split())] += 1
    # One name per address (the one used most), then one address per (name, domain): the most used one.
    by_person: dict[tuple[str, str], tuple[int, str]] = {}
    for email, names in names_of.items():
        name = names.most_common(1)[0][0]
        domain = email.rpartition("@")[2]
        key = (name.casefold(), domain)
        if key not in by_person or by_person[key][0] < sum(names.values()):
            by_person[key] = (sum(names.values()), email)
    people: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (_, domain), (_, email) in by_person.items():
        people[domain].append((names_of[email].most_common(1)[0][0], email))
    out = []
    for domain in sorted(people):
        if len(people[domain]) >= min_people:
            out.extend(sorted(people[domain], key=lambda p: p[1]))
    return out


def mirrors(root: Path, repos: list[str]) -> list[tuple[str, Path]]:
    """(repo name, git dir) of the apache/* mirrors to read; other owners are refused."""
    if not repos:
        repos = sorted(p.name.replace("+", "/", 1) for p in root.glob("apache+*") if (p / "repo").is_dir())
    out = []
    for repo in repos:
        if not repo.startswith("apache/"):
            raise SystemExit(f"{repo}: only apache/* repositories are used (the rest stay an honest test)")
        git_dir = root / repo.replace("/", "+", 1) / "repo"
        if not git_dir.is_dir():
            raise SystemExit(f"{git_dir}: not found; bring {repo} with the fetch tool first")
        out.append((repo, git_dir))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR)
    ap.add_argument("--repos", nargs="*", default=[])
    ap.add_argument("-o", "--out", type=Path, default=DATA_DIR / "people.txt")
    ap.add_argument("--min-people", type=int, default=MIN_PEOPLE)
    args = ap.parse_args()
    sources = mirrors(args.mirror, args.repos)
    pairs: list[tuple[str, str]] = []
    for repo, git_dir in sources:
        before = len(pairs)
        pairs.extend(git_people(git_dir))
        print(f"{repo}: {len(pairs) - before} commits")
    people = clean(pairs, args.min_people)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        fh.write(f"# repos: {' '.join(r for r, _ in sources)}\n")
        fh.writelines(f"{name}|{email}\n" for name, email in people)
    companies = len({e.rpartition("@")[2] for _, e in people})
    print(f"{len(people)} people at {companies} companies -> {args.out}")


if __name__ == "__main__":
    main()
