"""Every topic against one post in one pass: a prefilter over keys, then the boolean check.

Pure: no Django, no database. ``compile_topics`` turns ``(topic id, query)`` pairs into a
:class:`Matcher` once (rebuild it when a topic changes); ``Matcher.match(post)`` answers the ids
of the topics a post matches.

How a post is matched (measured in ``breakwater bench listening``, see docs/listening.md):

1. A post carries its **keys**: its words, their lemmas (as ingest indexes them), ``#tag``,
   ``@handle`` and ``lang:fi`` / ``network:`` / ``source:`` / ``author:`` keys.
2. Each topic is registered under a small set of keys of which at least one must be present if
   the topic matches (its *cover*: for ``a AND b`` the cover of one side, for ``a OR b`` both).
   Word prefixes (``kahvi*``) are found by an Aho-Corasick automaton (pyahocorasick) over the
   post's words and lemmas. The prefilter is a set intersection of the post's keys with the
   index, plus that automaton pass.
3. Only the topics hit by the prefilter are evaluated, each by a Python function generated from
   its AST. A topic that is only an OR of words/prefixes/hashtags/handles/filters needs no
   evaluation (a hit is a match); a topic with no positive part (``NOT x``, ``-x lang:fi`` is
   covered by ``lang:fi``) is evaluated for every post.

:func:`evaluate` is a direct interpretation of the AST on a post, written apart from the
compiled path: tests check that both always agree.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from breakwater.analysis.lemmas import base_language, tokenize, word_terms
from breakwater.analysis.lemmas import lemmas as index_terms
from breakwater.analysis.text import split
from breakwater.listening.query import (
    And,
    Filter,
    Handle,
    Hashtag,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    QueryError,
    Word,
    parse,
    walk,
)

try:  # pyahocorasick: a C Aho-Corasick automaton for the prefix patterns
    import ahocorasick as _ahocorasick
except ImportError:  # pragma: no cover -- a plain per-length lookup does the same, slower
    _ahocorasick = None

# A filter key is present in a large share of posts: a poor key to index a topic under.
_FILTER_COST = 1000


# -- the post ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Post:
    """One analysed text, as the matcher sees it. ``tokens`` are its lower-cased words in order
    (URLs and @handles left out, a hashtag's word kept), ``lemmas`` its index terms."""

    text: str
    tokens: tuple[str, ...]
    lemmas: frozenset[str]
    hashtags: frozenset[str] = frozenset()
    handles: frozenset[str] = frozenset()
    language: str = ""
    network: str = ""
    source: str = ""
    author: str = ""
    # Derived (filled in by __post_init__): the set of words, every key, and the words and
    # lemmas as " a b c " for the prefix automaton.
    words: frozenset[str] = field(init=False, repr=False, compare=False)
    keys: frozenset[str] = field(init=False, repr=False, compare=False)
    haystack: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tokens = tuple(self.tokens)
        lemmas = frozenset(self.lemmas)
        hashtags = frozenset(h.lower().lstrip("#") for h in self.hashtags)
        handles = frozenset(h.lower().lstrip("@") for h in self.handles)
        setattr_ = object.__setattr__
        setattr_(self, "tokens", tokens)
        setattr_(self, "lemmas", lemmas)
        setattr_(self, "hashtags", hashtags)
        setattr_(self, "handles", handles)
        setattr_(self, "language", base_language(self.language))
        setattr_(self, "network", (self.network or "").lower())
        setattr_(self, "source", (self.source or "").lower())
        setattr_(self, "author", (self.author or "").lower().lstrip("@"))
        words = frozenset(tokens)
        terms = words | lemmas
        keys = set(terms)
        keys.update("#" + h for h in hashtags)
        for h in handles:
            keys.add("@" + h)
            keys.add("@" + _handle_name(h))
        for name in ("language", "network", "source", "author"):
            value = getattr(self, name)
            if value:
                keys.add(("lang" if name == "language" else name) + ":" + value)
        setattr_(self, "words", words)
        setattr_(self, "keys", frozenset(keys))
        setattr_(self, "haystack", " " + " ".join(terms) + " ")


def _handle_name(handle: str) -> str:
    """"elisa.bsky.social" -> "elisa": ``@elisa`` in a query matches either."""
    return handle.split(".")[0].split("@")[0]


def analyse_post(text: str, *, language: str | None = None, network: str = "",
                 source: str = "", author: str = "") -> Post:
    """Analyse ``text`` as ingest does (language ID and lemmas from ``analysis``).

    ``language``, when the source declares it, is used instead of detecting one.
    """
    return analyse_posts([text], language=language, network=network, source=source,
                         author=author)[0]


def analyse_posts(texts: Sequence[str], *, language: str | None = None, network: str = "",
                  source: str = "", author: str = "") -> list[Post]:
    """:func:`analyse_post` for a batch (the preview's texts): one ``analyze`` call."""
    texts = [unicodedata.normalize("NFC", t or "") for t in texts]
    if language:
        languages = [base_language(language)] * len(texts)
        lemma_lists = [index_terms(split(t).words, languages[0]) for t in texts]
    else:
        from breakwater.analysis import analyze

        analyses = analyze(texts)
        languages = [a.language for a in analyses]
        lemma_lists = [list(a.lemmas) for a in analyses]
    return [
        _post(text, lang, lemmas, network=network, source=source, author=author)
        for text, lang, lemmas in zip(texts, languages, lemma_lists, strict=True)
    ]


def post_from_stored(text: str, *, language: str, search_text: str, network: str = "",
                     source: str = "", author: str = "") -> Post:
    """The post of a stored message (its ``language`` and ``search_text`` as ingest made them):
    a dry run over history then matches exactly as live listening did."""
    text = unicodedata.normalize("NFC", text or "")
    return _post(text, language, search_text.split(), network=network, source=source,
                 author=author)


def _post(text: str, language: str, lemmas: Iterable[str], **where: str) -> Post:
    parts = split(text)
    return Post(
        text=text,
        tokens=tuple(tokenize(parts.words)),
        lemmas=frozenset(lemmas),
        hashtags=frozenset(h.lower() for h in parts.hashtags),
        handles=frozenset(m.lower().lstrip("@") for m in parts.mentions),
        language=language,
        **where,
    )


# -- the reference evaluator ------------------------------------------------------------------


def evaluate(node: Node, post: Post) -> bool:
    """Whether ``post`` matches the query ``node``, straight from the AST (no prefilter)."""
    if isinstance(node, Word):
        if node.exact:
            return node.word in post.words
        return any(a in post.words or a in post.lemmas for a in node.alternatives)
    if isinstance(node, Prefix):
        return any(t.startswith(node.prefix) for t in post.words | post.lemmas)
    if isinstance(node, Phrase):
        return bool(_spans(node, post))
    if isinstance(node, Hashtag):
        return node.tag in post.hashtags
    if isinstance(node, Handle):
        return any(node.handle in (h, _handle_name(h)) for h in post.handles)
    if isinstance(node, Filter):
        value = post.language if node.name == "lang" else getattr(post, node.name)
        return value == node.value
    if isinstance(node, And):
        return all(evaluate(c, post) for c in node.children)
    if isinstance(node, Or):
        return any(evaluate(c, post) for c in node.children)
    if isinstance(node, Not):
        return not evaluate(node.child, post)
    if isinstance(node, Near):
        return bool(_spans(node, post))
    raise TypeError(node)  # pragma: no cover


def _token_terms(token: str, language: str) -> tuple[str, ...]:
    return word_terms(token, language)


def _spans(node: Node, post: Post) -> list[tuple[int, int]]:
    """``(start, end)`` word positions (end exclusive) where a positional node matches."""
    tokens, lang = post.tokens, post.language
    if isinstance(node, Word):
        if node.exact:
            return [(i, i + 1) for i, t in enumerate(tokens) if t == node.word]
        alts = node.alternatives
        return [(i, i + 1) for i, t in enumerate(tokens)
                if t in alts or not alts.isdisjoint(_token_terms(t, lang))]
    if isinstance(node, Prefix):
        p = node.prefix
        return [(i, i + 1) for i, t in enumerate(tokens)
                if t.startswith(p) or any(x.startswith(p) for x in _token_terms(t, lang))]
    if isinstance(node, Hashtag):
        if node.tag not in post.hashtags:
            return []
        return [(i, i + 1) for i, t in enumerate(tokens) if t == node.tag]
    if isinstance(node, Phrase):
        words, n = node.words, len(node.words)
        first = words[0]
        return [(i, i + n) for i, t in enumerate(tokens)
                if t == first and tokens[i : i + n] == words]
    if isinstance(node, Or):
        return sorted({s for c in node.children for s in _spans(c, post)})
    if isinstance(node, Near):
        left = _spans(node.left, post)
        if not left:
            return []
        right = _spans(node.right, post)
        d = node.distance
        out = set()
        for a0, a1 in left:
            for b0, b1 in right:
                gap = b0 - a1 + 1 if b0 >= a1 else (a0 - b1 + 1 if a0 >= b1 else 0)
                if 1 <= gap <= d:
                    out.add((min(a0, b0), max(a1, b1)))
        return sorted(out)
    raise TypeError(node)  # pragma: no cover -- the parser allows no other node in NEAR


# -- the compiler -----------------------------------------------------------------------------


def _cover(node: Node) -> tuple[frozenset[str] | None, int]:
    """Keys of which one must be present when ``node`` matches, and their cost; None: any
    post may match (nothing positive to index it under)."""
    if isinstance(node, Word):
        keys = frozenset((node.word,)) | node.alternatives
        return keys, len(keys)
    if isinstance(node, Prefix):
        return frozenset((node.prefix + "*",)), 2
    if isinstance(node, Phrase):
        # The longest word: usually the rarest.
        return frozenset((max(node.words, key=len),)), 1
    if isinstance(node, Hashtag):
        return frozenset(("#" + node.tag,)), 1
    if isinstance(node, Handle):
        return frozenset(("@" + node.handle,)), 1
    if isinstance(node, Filter):
        return frozenset((_filter_key(node),)), _FILTER_COST
    if isinstance(node, Near):
        covers = [_cover(node.left), _cover(node.right)]
        return min(covers, key=lambda c: c[1])
    if isinstance(node, And):
        covers = [c for c in map(_cover, node.children) if c[0] is not None]
        if not covers:
            return None, 0
        return min(covers, key=lambda c: c[1])
    if isinstance(node, Or):
        keys: set[str] = set()
        cost = 0
        for child in node.children:
            child_keys, child_cost = _cover(child)
            if child_keys is None:
                return None, 0
            keys |= child_keys
            cost += child_cost
        return frozenset(keys), cost
    return None, 0  # Not


def _filter_key(node: Filter) -> str:
    return f"{node.name}:{node.value}"


def _decided_by_keys(node: Node) -> bool:
    """True when a key hit is already a match (the cover is the whole query)."""
    if isinstance(node, (Prefix, Hashtag, Handle, Filter)):
        return True
    if isinstance(node, Word):
        return not node.exact
    if isinstance(node, Or):
        return all(_decided_by_keys(c) for c in node.children)
    return False


class _CodeGen:
    """A topic's AST as one Python expression over ``k`` (the post's keys plus its prefix
    hits) and ``p`` (the post); constants live in a shared namespace, never in the source."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"_spans": _spans}
        self._names: dict[Any, str] = {}

    def const(self, value: Any) -> str:
        name = self._names.get(value)
        if name is None:
            name = f"c{len(self._names)}"
            self._names[value] = name
            self.namespace[name] = value
        return name

    def expr(self, node: Node) -> str:
        if isinstance(node, Word):
            if node.exact:
                return f"{self.const(node.word)} in p.words"
            if len(node.alternatives) == 1:
                return f"{self.const(next(iter(node.alternatives)))} in k"
            return f"not {self.const(node.alternatives)}.isdisjoint(k)"
        if isinstance(node, Prefix):
            return f"{self.const(node.prefix + '*')} in k"
        if isinstance(node, Hashtag):
            return f"{self.const('#' + node.tag)} in k"
        if isinstance(node, Handle):
            return f"{self.const('@' + node.handle)} in k"
        if isinstance(node, Filter):
            return f"{self.const(_filter_key(node))} in k"
        if isinstance(node, Phrase):
            return (f"({self.const(frozenset(node.words))} <= p.words "
                    f"and bool(_spans({self.const(node)}, p)))")
        if isinstance(node, Near):
            return f"bool(_spans({self.const(node)}, p))"
        if isinstance(node, And):
            return "(" + " and ".join(self.expr(c) for c in node.children) + ")"
        if isinstance(node, Or):
            return "(" + " or ".join(self.expr(c) for c in node.children) + ")"
        if isinstance(node, Not):
            return f"(not {self.expr(node.child)})"
        raise TypeError(node)  # pragma: no cover

    def function(self, node: Node) -> Any:
        return eval(f"lambda k, p: {self.expr(node)}", self.namespace)  # noqa: S307 -- no user text in the source


class Matcher:
    """All topics, compiled: ``match(post)`` answers the set of topic ids the post matches.

    ``errors`` maps the id of each topic whose query did not parse to its :class:`QueryError`
    (such a topic matches nothing); ``trees`` holds the parsed query of every other topic.
    """

    def __init__(self) -> None:
        self.trees: dict[int, Node] = {}
        self.errors: dict[int, QueryError] = {}
        # key -> (topic ids a hit decides, topic ids a hit makes candidates)
        self.index: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        self.always: frozenset[int] = frozenset()
        self.prefixes: frozenset[str] = frozenset()
        self._predicates: dict[int, Any] = {}
        self._automaton: Any = None
        self._prefix_lengths: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.trees)

    # The two halves of match(), apart so the benchmark can time the prefilter alone.
    def present(self, post: Post) -> frozenset[str] | set[str]:
        """The post's keys plus the prefix patterns (``kahvi*``) it contains."""
        keys = post.keys
        if self._automaton is not None:
            hits = {value for _, value in self._automaton.iter(post.haystack)}
            if hits:
                return keys | hits
        elif self._prefix_lengths:
            hits = set()
            prefixes = self.prefixes
            for term in post.words | post.lemmas:
                for n in self._prefix_lengths:
                    if n <= len(term) and (p := term[:n] + "*") in prefixes:
                        hits.add(p)
            if hits:
                return keys | hits
        return keys

    def match(self, post: Post) -> set[int]:
        """The ids of every topic ``post`` matches."""
        k = self.present(post)
        index = self.index
        out: set[int] = set()
        check = set(self.always)
        for key in index.keys() & k:
            sure, maybe = index[key]
            out.update(sure)
            check.update(maybe)
        if check:
            predicates = self._predicates
            for topic in check:
                if topic not in out and predicates[topic](k, post):
                    out.add(topic)
        return out

    def match_many(self, posts: Iterable[Post]) -> list[set[int]]:
        return [self.match(post) for post in posts]


def compile_topics(topics: Iterable[tuple[int, str]]) -> Matcher:
    """Parse and compile every ``(topic id, query)`` once into one :class:`Matcher`."""
    matcher = Matcher()
    gen = _CodeGen()
    sure: dict[str, list[int]] = {}
    maybe: dict[str, list[int]] = {}
    always: set[int] = set()
    for topic_id, query in topics:
        try:
            tree = parse(query)
        except QueryError as error:
            matcher.errors[topic_id] = error
            continue
        matcher.trees[topic_id] = tree
        keys, _ = _cover(tree)
        if keys is None:
            always.add(topic_id)
            matcher._predicates[topic_id] = gen.function(tree)
            continue
        decided = _decided_by_keys(tree)
        if not decided:
            matcher._predicates[topic_id] = gen.function(tree)
        for key in keys:
            (sure if decided else maybe).setdefault(key, []).append(topic_id)
    for key in sure.keys() | maybe.keys():
        matcher.index[key] = (tuple(sure.get(key, ())), tuple(maybe.get(key, ())))
    matcher.always = frozenset(always)
    # Every prefix of every topic, also those under NOT or beside the key chosen for an AND:
    # the compiled checks look for "kahvi*" among the post's present keys.
    prefixes = frozenset(
        node.prefix + "*"
        for tree in matcher.trees.values()
        for node in walk(tree)
        if isinstance(node, Prefix)
    )
    matcher.prefixes = prefixes
    if prefixes:
        if _ahocorasick is not None:
            automaton = _ahocorasick.Automaton()
            for p in prefixes:
                automaton.add_word(" " + p[:-1], p)
            automaton.make_automaton()
            matcher._automaton = automaton
        else:  # pragma: no cover
            matcher._prefix_lengths = tuple(sorted({len(p) - 1 for p in prefixes}))
    return matcher


def matches(query: str, texts: list[str]) -> list[bool]:
    """Whether each text matches ``query``, analysed as on ingest, through the same compiler
    and matcher as live listening (the preview). Raises :class:`QueryError`."""
    tree = parse(query)  # raises with the position
    del tree
    matcher = compile_topics([(0, query)])
    return [0 in matcher.match(post) for post in analyse_posts(texts)]
