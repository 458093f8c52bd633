"""Turning what a rep types into a safe FTS5 query over names, companies and note text.

FTS5 has its own query language (quotes, `-`, `:`, `*`, AND/OR/NOT/NEAR, parentheses); a rep typing `O'Brien`,
`-tier` or `"` must never get a syntax error or an operator they did not mean. So the text is never passed
through: it is split into whitespace-separated words, each word into the same letter/digit runs FTS5's unicode61
tokenizer makes, and each word becomes a quoted phrase whose last token is a prefix (search as you type).
All words must match (implicit AND). Text without a single letter or digit is no filter at all.
"""

from __future__ import annotations

import re
import unicodedata

# unicode61 token characters: letters, digits (and private-use); everything else separates tokens.
_TOKEN = re.compile(r"[^\W_]+")


def fts_query(text: str) -> str:
    """An FTS5 MATCH expression for user text ('' when the text has no letters or digits)."""
    phrases = []
    for word in unicodedata.normalize("NFKC", text).split():
        tokens = _TOKEN.findall(word)
        if tokens:
            # Only letters and digits inside double quotes: no operator or quote can appear in the query.
            phrases.append('"' + " ".join(tokens) + '"*')
    return " ".join(phrases)


def _fold(text: str) -> list[str]:
    """Tokens as the index sees them: case-folded, diacritics removed (unicode61 remove_diacritics 2)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    return _TOKEN.findall(unicodedata.normalize("NFKC", plain))


def words_match(query: str, text: str) -> bool:
    """Whether `text` alone matches `query` the way `fts_query` does (each word a phrase, its last token a prefix)."""
    tokens = _fold(text)
    for word in unicodedata.normalize("NFKC", query).split():
        phrase = _fold(word)
        if not phrase:
            continue
        *whole, last = phrase
        n = len(phrase)
        if not any(
            tokens[i : i + n - 1] == whole and tokens[i + n - 1].startswith(last) for i in range(len(tokens) - n + 1)
        ):
            return False
    return True
