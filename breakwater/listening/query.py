"""The listening query language: a topic's query text -> an AST.

Pure: no Django, no database. The grammar (docs/listening.md, "Query language")::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*        adjacent operands are ANDed
    unary   := ("NOT" | "-") unary | near
    near    := primary ("NEAR/n" primary)*    within n words, either order
    primary := "(" or ")" | word | =word | "exact phrase" | prefix* | #hashtag | @handle
             | lang:fi | network:bluesky | source:name | author:name

Operators are written in capitals (``AND``, ``OR``, ``NOT``, ``NEAR/3``); ``and``, ``or`` and
``not`` in lower case are ordinary words. Everything else is case-insensitive, and ä, ö, å
(and every other letter) are letters like any other. A plain word matches its inflected forms
through the lemmas of ``analysis.lemmas`` (``palaute`` matches "palautteesta"); ``=palaute`` or
``"palaute"`` matches that exact word only.

A query that does not parse raises :class:`QueryError` with a 0-based character position.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from breakwater.analysis.lemmas import base_language, query_word_terms, tokenize

MAX_LENGTH = 2000
MAX_DEPTH = 50
MIN_PREFIX = 2
MAX_NEAR = 50
DEFAULT_NEAR = 5
FILTERS = ("lang", "network", "source", "author")
OPERATORS = ("AND", "OR", "NOT")

_WORD = re.compile(r"[^\W_]+")
_HANDLE = re.compile(r"[\w.]*\w(?:@[\w.-]*\w)?")
_FILTER = re.compile(r"([^\W\d_]+):(.*)", re.S)
_NEAR = re.compile(r"NEAR(?:/(.*))?", re.S)


class QueryError(ValueError):
    """A query that does not parse: ``message`` says why, ``position`` (0-based) where."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return self.message


# -- the AST ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """Base of every node; ``pos`` is where it starts in the query text (not compared)."""

    pos: int = field(default=0, compare=False, kw_only=True)


@dataclass(frozen=True)
class Word(Node):
    """One word. Inflection-aware unless ``exact``: any of ``alternatives`` (its lemmas and
    stems in every language, the word itself among them) among the post's words or lemmas."""

    word: str
    exact: bool = False
    alternatives: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Prefix(Node):
    """``kahvi*``: any word or lemma of the post that starts with ``prefix``."""

    prefix: str


@dataclass(frozen=True)
class Phrase(Node):
    """``"hyvä palvelu"``: these exact words next to each other, in this order."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class Hashtag(Node):
    """``#kesäfestarit``: the post carries this hashtag (stored without ``#``)."""

    tag: str


@dataclass(frozen=True)
class Handle(Node):
    """``@elisa``: the post mentions this handle (stored without ``@``)."""

    handle: str


@dataclass(frozen=True)
class Filter(Node):
    """``lang:fi``, ``network:bluesky``, ``source:yle``, ``author:someone``."""

    name: str
    value: str


@dataclass(frozen=True)
class And(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not(Node):
    child: Node


@dataclass(frozen=True)
class Near(Node):
    """``left NEAR/n right``: a match of each side at most ``distance`` words apart (adjacent
    words are 1 apart), in either order, not overlapping."""

    left: Node
    right: Node
    distance: int


POSITIONAL = (Word, Prefix, Phrase, Hashtag)


def word_node(word: str, *, exact: bool = False, pos: int = 0) -> Word:
    """A :class:`Word` with its alternatives filled in (exact words have only themselves)."""
    alternatives = frozenset((word,)) if exact else frozenset(query_word_terms(word))
    return Word(word, exact, alternatives, pos=pos)


# -- the lexer --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "op", "near", "phrase", "exact", "chunk", "end"
    text: str
    pos: int
    value: int = 0


def _lex(q: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(q)
    while i < n:
        ch = q[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch, ch, i))
            i += 1
        elif ch == '"' or (ch == "=" and q.startswith('="', i)):
            start = i
            i += 1 if ch == '"' else 2
            end = q.find('"', i)
            if end < 0:
                raise QueryError(
                    f"expected '\"' to close the phrase started at {start}", n
                )
            tokens.append(_Token("phrase", q[i:end], start))
            i = end + 1
        else:
            start = i
            while i < n and not q[i].isspace() and q[i] not in '()"':
                i += 1
            chunk = q[start:i]
            # A filter's value may be quoted: source:"Yle uutiset".
            if chunk.endswith(":") and i < n and q[i] == '"' and _FILTER.fullmatch(chunk):
                end = q.find('"', i + 1)
                if end < 0:
                    raise QueryError(f"expected '\"' to close the value started at {i}", n)
                chunk = chunk + q[i + 1 : end]
                i = end + 1
                tokens.append(_Token("filter", chunk, start))
                continue
            if chunk in OPERATORS:
                tokens.append(_Token("op", chunk, start))
            elif (m := _NEAR.fullmatch(chunk)) is not None:
                tokens.append(_Token("near", chunk, start, _near_distance(m.group(1), start)))
            elif chunk.startswith("-") and len(chunk) > 1:
                tokens.append(_Token("op", "NOT", start))
                i = start + 1
            elif chunk == "-" and i < n and q[i] in '("':
                tokens.append(_Token("op", "NOT", start))
            else:
                tokens.append(_Token("chunk", chunk, start))
    tokens.append(_Token("end", "", n))
    return tokens


def _near_distance(text: str | None, pos: int) -> int:
    if text is None:
        return DEFAULT_NEAR
    if not text.isdigit() or not 1 <= int(text) <= MAX_NEAR:
        raise QueryError(
            f"NEAR needs a distance from 1 to {MAX_NEAR} words, as in NEAR/3 (at {pos})", pos
        )
    return int(text)


# -- the parser -------------------------------------------------------------------------------


def parse(q: str) -> Node:
    """Parse a query; raises :class:`QueryError` with the position of the first problem."""
    if q is None:
        q = ""
    # NFC: "ä" typed as "a" + combining diaeresis is the same letter as the composed one, and
    # is one character, so positions still point at what the user typed (nearly always).
    q = unicodedata.normalize("NFC", q)
    if len(q) > MAX_LENGTH:
        raise QueryError(f"the query is longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if not q.strip():
        raise QueryError("the query is empty: write a word to listen for", 0)
    return _Parser(q, _lex(q)).parse()


class _Parser:
    def __init__(self, q: str, tokens: list[_Token]) -> None:
        self.q = q
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def advance(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.parse_or()
        tok = self.tok
        if tok.kind == ")":
            raise QueryError(f"unexpected ')' at {tok.pos}: there is no '(' for it to close",
                             tok.pos)
        if tok.kind != "end":  # pragma: no cover -- parse_or stops only at ")" or the end
            raise QueryError(f"unexpected {tok.text!r} at {tok.pos}", tok.pos)
        return node

    def parse_or(self) -> Node:
        start = self.tok.pos
        children = [self.parse_and()]
        while self.tok.kind == "op" and self.tok.text == "OR":
            op = self.advance()
            children.append(self.operand_after(op, self.parse_and))
        return children[0] if len(children) == 1 else Or(tuple(children), pos=start)

    def parse_and(self) -> Node:
        start = self.tok.pos
        children = [self.parse_unary()]
        while True:
            tok = self.tok
            if tok.kind == "op" and tok.text == "AND":
                self.advance()
                children.append(self.operand_after(tok, self.parse_unary))
            elif tok.kind in ("(", "phrase", "chunk", "filter") or (
                tok.kind == "op" and tok.text == "NOT"
            ):
                children.append(self.parse_unary())
            else:
                break
        return children[0] if len(children) == 1 else And(tuple(children), pos=start)

    def parse_unary(self) -> Node:
        tok = self.tok
        if tok.kind == "op" and tok.text == "NOT":
            self.advance()
            return Not(self.operand_after(tok, self.parse_unary), pos=tok.pos)
        return self.parse_near()

    def parse_near(self) -> Node:
        left = self.parse_primary()
        while self.tok.kind == "near":
            op = self.advance()
            if self.tok.kind == "op" and self.tok.text == "NOT":
                raise self.near_error(op, "after", self.tok.pos)
            right = self.operand_after(op, self.parse_primary)
            for side, what in ((left, "before"), (right, "after")):
                if not _positional(side):
                    raise self.near_error(op, what, side.pos)
            left = Near(left, right, op.value, pos=left.pos)
        return left

    @staticmethod
    def near_error(op: _Token, what: str, pos: int) -> QueryError:
        return QueryError(
            f"NEAR at {op.pos} needs words, phrases or prefixes {what} it "
            "(an OR of them in parentheses is fine; NOT, AND and filters are not)",
            pos,
        )

    def operand_after(self, op: _Token, parse: object) -> Node:
        tok = self.tok
        if tok.kind in ("end", ")") or (tok.kind == "op" and tok.text in ("AND", "OR")) or (
            tok.kind == "near"
        ):
            name = "NEAR" if op.kind == "near" else ("NOT" if op.text == "NOT" else op.text)
            if op.text == "NOT" and op.pos < len(self.q) and self.q[op.pos] == "-":
                name = "'-'"
            found = "the end of the query" if tok.kind == "end" else repr(tok.text)
            raise QueryError(f"expected a word after {name} at {op.pos}, found {found}",
                             tok.pos)
        return parse()  # type: ignore[operator]

    def parse_primary(self) -> Node:
        tok = self.tok
        if tok.kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(f"more than {MAX_DEPTH} nested parentheses", tok.pos)
            self.advance()
            if self.tok.kind == ")":
                raise QueryError(f"expected a word inside the '(' at {tok.pos}", self.tok.pos)
            node = self.parse_or()
            if self.tok.kind != ")":
                raise QueryError(f"expected ')' to close the '(' at {tok.pos}", self.tok.pos)
            self.advance()
            self.depth -= 1
            return node
        if tok.kind in ("op", "near"):
            raise QueryError(
                f"expected a word before {tok.text.split('/')[0]} at {tok.pos}", tok.pos
            )
        if tok.kind == ")":
            raise QueryError(f"unexpected ')' at {tok.pos}: there is no '(' for it to close",
                             tok.pos)
        if tok.kind == "end":  # pragma: no cover -- operand_after and parse() rule it out
            raise QueryError("expected a word at the end of the query", tok.pos)
        self.advance()
        if tok.kind == "phrase":
            return self.phrase(tok.text, tok.pos)
        if tok.kind == "filter":
            return self.filter(tok.text, tok.pos)
        return self.chunk(tok.text, tok.pos)

    def phrase(self, text: str, pos: int) -> Node:
        words = tuple(tokenize(text))
        if not words:
            raise QueryError(f"the phrase at {pos} has no words in it", pos)
        if len(words) == 1:
            return word_node(words[0], exact=True, pos=pos)
        return Phrase(words, pos=pos)

    def chunk(self, text: str, pos: int) -> Node:
        if text.startswith("#"):
            tag = text[1:].lower()
            if not tag or not re.fullmatch(r"\w+", tag):
                raise QueryError(f"'#' at {pos} needs a hashtag after it, as in #kahvi", pos)
            return Hashtag(tag, pos=pos)
        if text.startswith("@"):
            handle = text[1:].lower()
            if not handle or not _HANDLE.fullmatch(handle):
                raise QueryError(f"'@' at {pos} needs a handle after it, as in @elisa", pos)
            # "@user@instance": a post's text mentions only "@user" (analysis.text.MENTION).
            return Handle(handle.split("@")[0], pos=pos)
        if (m := _FILTER.fullmatch(text)) is not None:
            return self.filter(text, pos, m)
        exact = text.startswith("=")
        body = text[1:] if exact else text
        if exact and not body:
            raise QueryError(f"'=' at {pos} needs a word after it, as in =palaute", pos)
        star = body.find("*")
        if star >= 0:
            at = pos + (1 if exact else 0) + star
            if star != len(body) - 1:
                raise QueryError(f"'*' at {at} may only end a word, as in kahvi*", at)
            stem = body[:-1]
            words = tokenize(stem)
            if exact:
                raise QueryError(f"'=' at {pos} and '*' cannot go together", pos)
            if len(words) != 1 or _WORD.fullmatch(stem.lower()) is None:
                raise QueryError(f"'*' at {at} must follow a single word, as in kahvi*", at)
            if len(words[0]) < MIN_PREFIX:
                raise QueryError(
                    f"a wildcard needs at least {MIN_PREFIX} letters before the '*' at {at}", at
                )
            return Prefix(words[0], pos=pos)
        words = tokenize(body)
        if not words:
            raise QueryError(f"{text!r} at {pos} has no letters or digits to match", pos)
        if len(words) > 1:  # "wi-fi", "K-market": the parts in a row, as written
            return Phrase(tuple(words), pos=pos)
        return word_node(words[0], exact=exact, pos=pos)

    def filter(self, text: str, pos: int, m: re.Match[str] | None = None) -> Node:
        m = m or _FILTER.fullmatch(text)
        assert m is not None
        name, value = m.group(1).lower(), " ".join(m.group(2).lower().split())
        if name not in FILTERS:
            raise QueryError(
                f"unknown filter '{m.group(1)}:' at {pos}; the filters are "
                + ", ".join(f"{f}:" for f in FILTERS)
                + " (put the text in quotes to search for it)",
                pos,
            )
        if not value:
            example = {"lang": "lang:fi", "network": "network:bluesky", "source": "source:yle",
                       "author": "author:someone"}[name]
            raise QueryError(f"{name}: at {pos} needs a value, as in {example}", pos)
        if name == "lang":
            value = base_language(value)
            if not re.fullmatch(r"[a-z]{2,3}", value):
                raise QueryError(
                    f"lang: at {pos} needs a language code, as in lang:fi or lang:sv", pos
                )
        elif name == "author":
            value = value.lstrip("@")
        return Filter(name, value, pos=pos)


def _positional(node: Node) -> bool:
    if isinstance(node, POSITIONAL):
        return True
    if isinstance(node, Or):
        return all(_positional(c) for c in node.children)
    if isinstance(node, Near):
        return True
    return False


# -- helpers for the compiler and for the UI --------------------------------------------------


def walk(node: Node):  # noqa: ANN201 -- a generator of nodes
    """Every node of the tree, depth first, parents before children."""
    yield node
    if isinstance(node, (And, Or)):
        for child in node.children:
            yield from walk(child)
    elif isinstance(node, Not):
        yield from walk(node.child)
    elif isinstance(node, Near):
        yield from walk(node.left)
        yield from walk(node.right)


def to_text(node: Node) -> str:
    """The query written back in canonical form (for display and tests)."""
    if isinstance(node, Word):
        return ("=" if node.exact else "") + node.word
    if isinstance(node, Prefix):
        return node.prefix + "*"
    if isinstance(node, Phrase):
        return '"' + " ".join(node.words) + '"'
    if isinstance(node, Hashtag):
        return "#" + node.tag
    if isinstance(node, Handle):
        return "@" + node.handle
    if isinstance(node, Filter):
        return f"{node.name}:{node.value}" if " " not in node.value else (
            f'{node.name}:"{node.value}"')
    if isinstance(node, Not):
        return "NOT " + _wrap(node.child)
    if isinstance(node, Near):
        return f"{_wrap(node.left)} NEAR/{node.distance} {_wrap(node.right)}"
    if isinstance(node, And):
        return " AND ".join(_wrap(c) for c in node.children)
    if isinstance(node, Or):
        return " OR ".join(_wrap(c) for c in node.children)
    raise TypeError(node)  # pragma: no cover


def _wrap(node: Node) -> str:
    text = to_text(node)
    return f"({text})" if isinstance(node, (And, Or)) else text
