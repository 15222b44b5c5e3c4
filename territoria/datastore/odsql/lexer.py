"""Split one ODSQL clause into tokens, each with its 0-based offset in the clause.

The lexer knows no SQL: it only recognises what ODSQL writes (Opendatasoft Explore v2.1):
bare or back-quoted field names, single- or double-quoted strings with backslash escapes,
numbers, ``date'…'`` literals and a handful of operators. Anything else is a QueryError
naming the character and its position.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from territoria.datastore.errors import QueryError
from territoria.datastore.odsql.geometry import DISTANCE_RE

# Longest clause we read: ODSQL clauses are typed by people or built by a portal's filters;
# 20,000 characters is far beyond both and keeps a hostile request from costing CPU.
MAX_CLAUSE_LENGTH = 20_000

_OPERATORS = ("..", "!=", "<>", "<=", ">=", "=", "<", ">", ":", "+", "-", "*", "/")
_PUNCTUATION = "(),[]"
_DIGITS = "0123456789"
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}


class Kind(Enum):
    WORD = "word"  # a bare name: field, function or keyword, told apart by the parser
    QUOTED_NAME = "quoted name"  # a back-quoted field name
    STRING = "string"
    NUMBER = "number"
    DATE = "date"  # date'2024-01-31': text is what stands between the quotes
    GEOM = "geometry"  # geom'POINT(2.35 48.85)': text is what stands between the quotes
    DISTANCE = "distance"  # 10km, 2.5mi: a number glued to its unit
    SYMBOL = "symbol"  # an operator or a punctuation mark
    END = "end"


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str
    pos: int

    def is_word(self, *words: str) -> bool:
        """True if this is a bare word equal (case-insensitively) to one of ``words``."""
        return self.kind is Kind.WORD and self.text.lower() in words

    def is_symbol(self, *symbols: str) -> bool:
        return self.kind is Kind.SYMBOL and self.text in symbols

    def describe(self) -> str:
        """How an error message names this token: ``')'``, ``end of input``, ``string "x"``."""
        if self.kind is Kind.END:
            return "end of input"
        if self.kind is Kind.STRING:
            return f"string {_shorten(self.text)!r}"
        if self.kind is Kind.DATE:
            return f"date {_shorten(self.text)!r}"
        if self.kind is Kind.GEOM:
            return f"geometry {_shorten(self.text)!r}"
        return repr(_shorten(self.text))


def _shorten(text: str, size: int = 30) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def tokenize(text: str, param: str) -> list[Token]:
    """Return the tokens of ``text`` followed by an END token.

    Raises QueryError(param=param, position=…) on a character ODSQL does not use or on an
    unterminated string or quoted name.
    """
    if len(text) > MAX_CLAUSE_LENGTH:
        raise QueryError(
            f"{param}: clause too long ({len(text)} characters, at most {MAX_CLAUSE_LENGTH})",
            param=param,
            position=MAX_CLAUSE_LENGTH,
        )
    tokens: list[Token] = []
    pos = 0
    size = len(text)
    while pos < size:
        char = text[pos]
        if char.isspace():
            pos += 1
        elif char in "'\"":
            value, pos_after = _read_string(text, pos, param)
            tokens.append(Token(Kind.STRING, value, pos))
            pos = pos_after
        elif char == "`":
            name, pos_after = _read_quoted_name(text, pos, param)
            tokens.append(Token(Kind.QUOTED_NAME, name, pos))
            pos = pos_after
        elif _is_word_char(char):
            pos = _read_word(text, pos, param, tokens)
        elif char in _PUNCTUATION:
            tokens.append(Token(Kind.SYMBOL, char, pos))
            pos += 1
        else:
            symbol = next((op for op in _OPERATORS if text.startswith(op, pos)), None)
            if symbol is None:
                raise QueryError(
                    f"{param}: unexpected character {char!r} at position {pos}",
                    param=param,
                    position=pos,
                )
            tokens.append(Token(Kind.SYMBOL, symbol, pos))
            pos += len(symbol)
    tokens.append(Token(Kind.END, "", size))
    return tokens


def _is_word_char(char: str) -> bool:
    return char == "_" or char.isalnum()


def _read_word(text: str, start: int, param: str, tokens: list[Token]) -> int:
    """Read a name, a number or a ``date'…'`` literal starting at ``start``."""
    end = start
    while end < len(text) and _is_word_char(text[end]):
        end += 1
    word = text[start:end]
    # A distance: digits glued to a unit (``10km``, ``2.5mi``), read as one token.
    distance = DISTANCE_RE.match(text, start)
    if distance is not None and not _is_word_char(text[distance.end() : distance.end() + 1] or " "):
        tokens.append(Token(Kind.DISTANCE, distance.group(0), start))
        return distance.end()
    if word.isascii() and word.isdigit():
        # A decimal part only if a digit follows the dot: ``1..10`` is a range, not ``1.``.
        if end + 1 < len(text) and text[end] == "." and text[end + 1] in _DIGITS:
            end += 1
            while end < len(text) and text[end] in _DIGITS:
                end += 1
        tokens.append(Token(Kind.NUMBER, text[start:end], start))
        return end
    if word.lower() in ("date", "geom"):
        quote = _skip_spaces(text, end)
        if quote < len(text) and text[quote] in "'\"":
            value, after = _read_string(text, quote, param)
            kind = Kind.DATE if word.lower() == "date" else Kind.GEOM
            tokens.append(Token(kind, value, start))
            return after
    tokens.append(Token(Kind.WORD, word, start))
    return end


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _read_string(text: str, start: int, param: str) -> tuple[str, int]:
    """Read a string opened by the quote at ``start``; a backslash escapes the next character."""
    quote = text[start]
    chars: list[str] = []
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == quote:
            return "".join(chars), pos + 1
        if char == "\\" and pos + 1 < len(text):
            following = text[pos + 1]
            chars.append(_ESCAPES.get(following, following))
            pos += 2
            continue
        chars.append(char)
        pos += 1
    raise QueryError(
        f"{param}: unterminated string starting at position {start}",
        param=param,
        position=start,
    )


def _read_quoted_name(text: str, start: int, param: str) -> tuple[str, int]:
    """Read a back-quoted name; a doubled back-quote stands for one back-quote."""
    chars: list[str] = []
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == "`":
            if text.startswith("``", pos):
                chars.append("`")
                pos += 2
                continue
            if not chars:
                raise QueryError(
                    f"{param}: empty field name at position {start}", param=param, position=start
                )
            return "".join(chars), pos + 1
        chars.append(char)
        pos += 1
    raise QueryError(
        f"{param}: unterminated field name starting at position {start}",
        param=param,
        position=start,
    )
