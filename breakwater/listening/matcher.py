"""Every topic against one post in one pass: a prefilter over keys, then the boolean check.

Pure: no Django, no database. ``compile_topics`` turns ``(topic id, query)`` pairs into a
:class:`Matcher` once (rebuild it when a topic changes); ``Matcher.match(post)`` answers the ids
of the topics a post matches.

How a post is matched (measured in ``breakwater bench listening``, see docs/listening.md):

1. A post carries its **keys**: its words, their lemmas (as ingest indexes them), ``#tag``,
   ``@handle`` and ``lang:fi`` / ``network:`` / ``source:`` / ``author:`` keys, and a
   ``haystack`` string of them.
2. Each topic is filed under a few keys of which at least one must be present if the topic
   matches (for ``a AND b`` the rarer side, for ``a OR b`` both). Rarity comes from observed key
   frequencies when ``compile_topics`` is given them, else from a guess (names are rarer than
   dictionary words; filters and stopwords are common).
3. The prefilter is **one pyahocorasick pass** over the haystack: an automaton of every key
   (" key ") and every word prefix (" kahvi") whose values are the index entries.
4. A topic that is an OR of words/prefixes/hashtags/handles/filters is decided by a hit; so is
   ``P -x -y`` with such parts (a hit of ``x`` vetoes it; without ``P`` every post matches
   unless vetoed). In ``brand OR "brand oy"`` the word's hit decides, the phrase's makes a
   candidate. A simple AND of such parts and exact words is checked as key-set clauses in one
   shared loop; anything else (phrases, NEAR, nesting) by a Python function generated from its
   tree, called only once the key-set clauses it needs anyway hold (a phrase's words, both
   sides of a NEAR). Each entry keeps its candidates' clauses less those its own hit settles
   (the post has the key hit). Topics with no positive part that is not decided that way are
   checked on every post.
5. Hits with no candidate to check (most posts: a ``lang:fi`` hit and a brand, say) are
   remembered as a combination: the next post with the same hits is one dictionary lookup.

:func:`evaluate` is a direct interpretation of the AST on a post, written apart from the
compiled path: tests check that both always agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
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
# A word a dictionary knows is this many times likelier in a post than a name it does not.
_DICTIONARY_FACTOR = 8
# With observed key frequencies: a key in every post costs this much more than an unseen one.
_OBSERVED_WEIGHT = 10_000


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
    _positions: Any = field(init=False, repr=False, compare=False, default=None)

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
        setattr_(self, "source", " ".join((self.source or "").lower().split()))
        setattr_(self, "author", " ".join((self.author or "").lower().lstrip("@").split()))
        words = frozenset(tokens)
        terms = words | lemmas
        special = {"#" + h for h in hashtags}
        for h in handles:
            special.add("@" + h)
            special.add("@" + _handle_name(h))
        for name in ("language", "network", "source", "author"):
            value = getattr(self, name)
            if value:
                special.add(filter_key("lang" if name == "language" else name, value))
        setattr_(self, "words", words)
        setattr_(self, "keys", terms | special)
        # Words between spaces (a prefix pattern is " kahvi", a word " kahvi "), then the other
        # keys between tabs, where no prefix pattern can start.
        setattr_(self, "haystack", " " + " ".join(terms) + " \t" + "\t".join(special) + "\t")

    def positions(self) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """Where each word is (``token -> positions``) and where each word or lemma is (``term
        -> positions``), for phrases and NEAR; computed on first use."""
        if self._positions is None:
            token_at: dict[str, list[int]] = {}
            term_at: dict[str, list[int]] = {}
            lang = self.language
            for i, token in enumerate(self.tokens):
                token_at.setdefault(token, []).append(i)
                for term in {token, *word_terms(token, lang)}:
                    term_at.setdefault(term, []).append(i)
            object.__setattr__(self, "_positions", (token_at, term_at))
        return self._positions


_SPACE = re.compile(r"\s+")


def filter_key(name: str, value: str) -> str:
    """``lang:fi``, ``source:yle<U+001F>uutiset``: whitespace in a value is one separator that no
    text of a post can contain, so the key never runs into the next one."""
    return f"{name}:{_SPACE.sub(chr(0x1F), value.strip())}"


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
        return bool(_direct_spans(node, post))
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
        return bool(_direct_spans(node, post))
    raise TypeError(node)  # pragma: no cover


def _token_terms(token: str, language: str) -> tuple[str, ...]:
    """The index terms of one word of the post (cached in ``analysis.lemmas``)."""
    return word_terms(token, language)


def _direct_spans(node: Node, post: Post) -> list[tuple[int, int]]:
    """``(start, end)`` word positions (end exclusive) where a positional node matches, word by
    word (the reference; the compiled checks use :func:`_spans`)."""
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
        return sorted({s for c in node.children for s in _direct_spans(c, post)})
    if isinstance(node, Near):
        left = _direct_spans(node.left, post)
        return _near_spans(left, _direct_spans(node.right, post) if left else [], node.distance)
    raise TypeError(node)  # pragma: no cover -- the parser allows no other node in NEAR


def _near_spans(left: list[tuple[int, int]], right: list[tuple[int, int]], distance: int
                ) -> list[tuple[int, int]]:
    """The spans covering a left and a right span at most ``distance`` words apart."""
    out = set()
    for a0, a1 in left:
        for b0, b1 in right:
            gap = b0 - a1 + 1 if b0 >= a1 else (a0 - b1 + 1 if a0 >= b1 else 0)
            if 1 <= gap <= distance:
                out.add((min(a0, b0), max(a1, b1)))
    return sorted(out)


def _spans(node: Node, post: Post) -> list[tuple[int, int]]:
    """:func:`_direct_spans` through the post's position tables (built once per post)."""
    token_at, term_at = post.positions()
    if isinstance(node, Word):
        if node.exact:
            return [(i, i + 1) for i in token_at.get(node.word, ())]
        found = {i for a in node.alternatives for i in term_at.get(a, ())}
        return [(i, i + 1) for i in sorted(found)]
    if isinstance(node, Prefix):
        p = node.prefix
        found = {i for term, at in term_at.items() if term.startswith(p) for i in at}
        return [(i, i + 1) for i in sorted(found)]
    if isinstance(node, Hashtag):
        if node.tag not in post.hashtags:
            return []
        return [(i, i + 1) for i in token_at.get(node.tag, ())]
    if isinstance(node, Phrase):
        words, n, tokens = node.words, len(node.words), post.tokens
        return [(i, i + n) for i in token_at.get(words[0], ()) if tokens[i : i + n] == words]
    if isinstance(node, Or):
        return sorted({s for c in node.children for s in _spans(c, post)})
    if isinstance(node, Near):
        left = _spans(node.left, post)
        return _near_spans(left, _spans(node.right, post) if left else [], node.distance)
    raise TypeError(node)  # pragma: no cover -- the parser allows no other node in NEAR


# -- the compiler -----------------------------------------------------------------------------


def _leaf_keys(node: Node) -> frozenset[str] | None:
    """The keys a leaf is found by (None for a node that is not a leaf)."""
    if isinstance(node, Word):
        return frozenset((node.word,)) | node.alternatives
    if isinstance(node, Prefix):
        return frozenset((node.prefix + "*",))
    if isinstance(node, Phrase):
        return frozenset(node.words)
    if isinstance(node, Hashtag):
        return frozenset(("#" + node.tag,))
    if isinstance(node, Handle):
        return frozenset(("@" + node.handle,))
    if isinstance(node, Filter):
        return frozenset((_filter_key(node),))
    return None


class _Costs:
    """How many candidates indexing a topic under a key is likely to cost: the number of topics
    that use the key (a word many topics share is a word many posts have), times more for a
    dictionary word than for a name no dictionary knows (brands are rarer than "palvelu"), much
    more for a stopword, a filter (``lang:fi`` is in most posts) or a short prefix."""

    def __init__(self, trees: Iterable[Node], frequency: Mapping[str, float] | None = None
                 ) -> None:
        from breakwater.analysis.lemmas import _simplemma
        from breakwater.analysis.lexicons import stopwords

        self.frequency = frequency
        self._simplemma = _simplemma()
        self._cache: dict[str, float] = {}

        self.uses: dict[str, int] = {}
        for tree in trees:
            keys: set[str] = set()
            for node in walk(tree):
                leaf = _leaf_keys(node)
                if leaf:
                    keys |= leaf
            for key in keys:
                self.uses[key] = self.uses.get(key, 0) + 1
        self.stopwords = stopwords("")

    def key(self, key: str) -> float:
        cost = self._cache.get(key)
        if cost is None:
            cost = self._cache[key] = self._key(key)
        return cost

    def _key(self, key: str) -> float:
        cost = 1.0 + self.uses.get(key, 0)
        if self.frequency is not None and not key.endswith("*"):
            # Measured: the share of recent posts with the key says best what a key costs.
            return cost + _OBSERVED_WEIGHT * self.frequency.get(key, 0.0)
        if ":" in key:
            return cost + _FILTER_COST
        if key.endswith("*"):
            return cost * 4 + 40 / len(key)
        if key in self.stopwords or len(key) < 3:
            return cost + _FILTER_COST / 10
        if key[0] not in "#@" and self._known(key):
            return cost * _DICTIONARY_FACTOR
        return cost

    def _known(self, word: str) -> bool:
        module = self._simplemma
        if module is None:  # pragma: no cover -- simplemma is a dependency
            return False
        return any(module.is_known(word, lang=lang) for lang in ("fi", "en", "sv"))

    def keys(self, keys: Iterable[str]) -> float:
        return sum(self.key(k) for k in keys)

    def cover(self, node: Node) -> tuple[frozenset[str] | None, float]:
        """Keys of which one must be present when ``node`` matches, and their cost; None: any
        post may match (nothing positive to index it under)."""
        if isinstance(node, Phrase):
            # Every word must be there: index it under the cheapest.
            best = min(node.words, key=self.key)
            return frozenset((best,)), self.key(best)
        if isinstance(node, Word):
            # Its alternatives (the word itself among them; an exact word has only itself).
            # The forms of one word are about as frequent as the word: the costliest counts.
            keys = node.alternatives
            return keys, max(map(self.key, keys))
        leaf = _leaf_keys(node)
        if leaf is not None:
            return leaf, self.keys(leaf)
        if isinstance(node, Near):
            return min((self.cover(node.left), self.cover(node.right)), key=lambda c: c[1])
        if isinstance(node, And):
            covers = [c for c in map(self.cover, node.children) if c[0] is not None]
            if not covers:
                return None, 0.0
            return min(covers, key=lambda c: c[1])
        if isinstance(node, Or):
            keys: set[str] = set()
            cost = 0.0
            for child in node.children:
                child_keys, child_cost = self.cover(child)
                if child_keys is None:
                    return None, 0.0
                keys |= child_keys
                cost += child_cost
            return frozenset(keys), cost
        return None, 0.0  # Not


def _filter_key(node: Filter) -> str:
    return filter_key(node.name, node.value)


def _decided_by_keys(node: Node) -> bool:
    """True when a key hit is already a match (the cover is the whole query)."""
    if isinstance(node, (Prefix, Hashtag, Handle, Filter)):
        return True
    if isinstance(node, Word):
        return not node.exact
    if isinstance(node, Or):
        return all(_decided_by_keys(c) for c in node.children)
    return False


def _plan(tree: Node, costs: _Costs) -> tuple[frozenset[str], frozenset[str]] | None:
    """``(keys whose hit is a match, keys whose hit makes the topic a candidate)``; None when
    the topic must be checked on every post. An OR splits: in ``brand OR "brand oy"`` a hit
    of the word decides, a hit of the phrase's word only makes a candidate."""
    if _decided_by_keys(tree):
        return _leaf_union(tree), frozenset()
    if isinstance(tree, Or):
        sure: set[str] = set()
        maybe: set[str] = set()
        for child in tree.children:
            plan = _plan(child, costs)
            if plan is None:
                return None
            sure |= plan[0]
            maybe |= plan[1]
        return frozenset(sure), frozenset(maybe)
    keys, _ = costs.cover(tree)
    return None if keys is None else (frozenset(), keys)


def _conjunction(tree: Node) -> tuple[tuple[bool, bool, frozenset[str]], ...] | None:
    """The query as ``(wanted, in_words, keys)`` clauses that must all hold: ``wanted`` says
    whether one of ``keys`` must be among the post's keys (or, ``in_words``, its words) or
    none may; None when it is not such an AND (phrases, NEAR, prefixes, nested ANDs)."""
    children = tree.children if isinstance(tree, And) else (tree,)
    spec = []
    for child in children:
        wanted = not isinstance(child, Not)
        node = child if wanted else child.child  # type: ignore[attr-defined]
        if isinstance(node, Word) and node.exact:
            spec.append((wanted, True, frozenset((node.word,))))
        elif _decided_by_keys(node) and not any(isinstance(n, Prefix) for n in walk(node)):
            spec.append((wanted, False, _leaf_union(node)))
        else:
            return None
    # "wanted" is compared with isdisjoint(): a wanted clause fails when disjoint (True).
    return tuple(spec)


def _leaf_union(node: Node) -> frozenset[str]:
    """The keys of a node :func:`_decided_by_keys` accepts: a hit of any is a match."""
    if isinstance(node, Or):
        return frozenset().union(*(_leaf_union(c) for c in node.children))
    if isinstance(node, Word):
        return node.alternatives
    keys = _leaf_keys(node)
    assert keys is not None
    return keys


def _sure_with_vetoes(tree: Node) -> tuple[Node | None, list[Node]] | None:
    """``P AND NOT N1 AND NOT N2 ...`` where P (optional) and each N are decided by their keys:
    ``(P or None, [N1, N2, ...])``; None for any other query."""
    children = tree.children if isinstance(tree, And) else (tree,)
    positives = [c for c in children if not isinstance(c, Not)]
    negatives = [c.child for c in children if isinstance(c, Not)]
    if not negatives or len(positives) > 1:
        return None
    if not all(_decided_by_keys(n) for n in negatives):
        return None
    if positives and not _decided_by_keys(positives[0]):
        return None
    return (positives[0] if positives else None), negatives


def _needs(node: Node) -> tuple[tuple[bool, bool, frozenset[str]], ...]:
    """``(wanted, in_words, keys)`` clauses that hold whenever the check :class:`_CodeGen`
    generates for ``node`` is true (it tests them first itself): one of ``keys`` among the
    post's keys (``in_words``: its words), or with ``wanted`` False none of them."""
    if isinstance(node, Word):
        if node.exact:
            return ((True, True, frozenset((node.word,))),)
        return ((True, False, node.alternatives),)
    if isinstance(node, (Hashtag, Handle, Filter)):
        keys = _leaf_keys(node)
        assert keys is not None
        return ((True, False, keys),)
    if isinstance(node, Phrase):
        return tuple((True, True, frozenset((w,))) for w in dict.fromkeys(node.words))
    if isinstance(node, Near):
        return _needs(node.left) + _needs(node.right)
    if isinstance(node, And):
        return tuple(c for child in node.children for c in _needs(child))
    if isinstance(node, Or):
        # One of the children holds, so one key of the union of one positive clause of each
        # (the post's words are among its keys).
        union: set[str] = set()
        for child in node.children:
            first = next((c for c in _needs(child) if c[0]), None)
            if first is None:
                return ()
            union |= first[2]
        return ((True, False, frozenset(union)),)
    if isinstance(node, Not) and isinstance(node.child, (Word, Hashtag, Handle, Filter)):
        return tuple((False, in_words, keys) for _, in_words, keys in _needs(node.child))
    return ()  # a prefix (a hit, not a key), any other NOT


class _CodeGen:
    """A topic's AST as one Python expression over ``k`` (the post's keys), ``h`` (the keys and
    prefix patterns the prefilter found) and ``p`` (the post); constants live in a shared
    namespace, never in the source."""

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
            return f"{self.const(node.prefix + '*')} in h"
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
            # Both sides present anywhere first: positions are counted only when they are.
            return (f"({self.expr(node.left)} and {self.expr(node.right)} "
                    f"and bool(_spans({self.const(node)}, p)))")
        if isinstance(node, And):
            return "(" + " and ".join(self.expr(c) for c in node.children) + ")"
        if isinstance(node, Or):
            return "(" + " or ".join(self.expr(c) for c in node.children) + ")"
        if isinstance(node, Not):
            return f"(not {self.expr(node.child)})"
        raise TypeError(node)  # pragma: no cover

    def function(self, node: Node) -> Any:
        return eval(f"lambda k, h, p: {self.expr(node)}", self.namespace)  # noqa: S307 -- no user text in the source


class _Entry:
    """The index entry of one key: the topics a hit of it decides, makes candidates and rules
    out, and (built on its first hit) how its candidates are decided."""

    __slots__ = ("sure", "maybe", "veto", "key", "plan")

    def __init__(self, sure: tuple[int, ...], maybe: tuple[int, ...], veto: tuple[int, ...],
                 key: str) -> None:
        self.sure, self.maybe, self.veto, self.key = sure, maybe, veto, key
        # Its candidates' checks (see Matcher._plan), built on its first hit.
        self.plan: Any = None

    def __iter__(self) -> Any:  # ``sure, maybe, veto, key = entry``
        return iter((self.sure, self.maybe, self.veto, self.key))

    def __repr__(self) -> str:
        return f"_Entry({self.key!r}, sure={self.sure}, maybe={self.maybe}, veto={self.veto})"


# How many combinations of hits with no candidate the matcher remembers the answer of (then it
# starts over).
_HITS_MAX = 1 << 14


class Matcher:
    """All topics, compiled: ``match(post)`` answers the set of topic ids the post matches.

    ``errors`` maps the id of each topic whose query did not parse to its :class:`QueryError`
    (such a topic matches nothing); ``trees`` holds the parsed query of every other topic.
    """

    def __init__(self) -> None:
        self.trees: dict[int, Node] = {}
        self.errors: dict[int, QueryError] = {}
        # key -> its entry (topic ids a hit decides, makes candidates, rules out; the key)
        self.index: dict[str, _Entry] = {}
        # Topics evaluated for every post, and topics every post matches unless ruled out.
        self.always: frozenset[int] = frozenset()
        self.always_sure: frozenset[int] = frozenset()
        self.prefixes: frozenset[str] = frozenset()
        self._predicates: dict[int, Any] = {}
        self._clauses: dict[int, tuple[tuple[bool, bool, frozenset[str]], ...]] = {}
        # Per checked topic: ``(wanted, in_words, keys)`` clauses that must all hold for it to
        # match (all of a conjunction; for a generated check, what it needs first).
        self._conditions: dict[int, tuple[tuple[bool, bool, frozenset[str]], ...]] = {}
        # The topics checked on every post, as an entry of no key (None when there are none).
        self._always_entry: _Entry | None = None
        # Hits that have no candidate to check (entries, in the order found) -> the topics
        # they decide; most posts repeat a few such combinations (one "lang:fi" hit, say).
        self._decided: dict[tuple[_Entry, ...], frozenset[int]] = {}
        self._automaton: Any = None
        self._iter: Any = None
        self._prefix_lengths: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.trees)

    def prefilter(self, post: Post) -> list[_Entry]:
        """The index entries (``sure, candidates, vetoes, key``) of every key and prefix found
        in the post: one pass of the automaton over the post's keys (the bare prefilter the
        benchmark calls the ceiling)."""
        if self._automaton is not None:
            return [entry for _, entry in self._automaton.iter(post.haystack)]
        index = self.index  # pragma: no cover -- without pyahocorasick
        entries = [index[key] for key in index.keys() & post.keys]
        if self._prefix_lengths:
            for term in post.words | post.lemmas:
                for n in self._prefix_lengths:
                    if n <= len(term) and (entry := index.get(term[:n] + "*")) is not None:
                        entries.append(entry)
        return entries

    def _plan(self, entry: _Entry) -> Any:
        """How the candidates of ``entry`` are checked: ``(topic, conditions, predicate or
        None)``, the conditions less those its own hit settles (the post has the key it hit)."""
        conditions, clauses, predicates = self._conditions, self._clauses, self._predicates
        own = entry.key
        checks: list[Any] = []
        for t in entry.maybe:
            left = []
            for condition in conditions[t]:
                wanted, in_words, keys = condition
                if in_words or own not in keys:
                    left.append(condition)
                elif not wanted:
                    break  # the hit rules it out
            else:
                checks.append((t, tuple(left), None if t in clauses else predicates[t]))
        entry.plan = tuple(checks)
        return entry.plan

    def match(self, post: Post) -> set[int]:
        """The ids of every topic ``post`` matches."""
        return self._match(self.prefilter(post), post)

    def _match(self, hits: Sequence[_Entry], post: Post) -> set[int]:
        if self._always_entry is not None:
            hits = (*hits, self._always_entry)
        out = set(self.always_sure)
        vetoed = calls = None
        checked = False
        k, words = post.keys, post.words
        for entry in hits:
            if entry.sure:
                out.update(entry.sure)
            if entry.veto:
                if vetoed is None:
                    vetoed = set(entry.veto)
                else:
                    vetoed.update(entry.veto)
            if entry.maybe:
                checked = True
                # Each candidate's conditions (the clauses of a conjunction, what a generated
                # check needs before it looks further) less those this hit settles, in one
                # shared loop (10,000 generated functions would each be cold in the CPU's
                # caches); a predicate is called only when its conditions hold.
                checks = entry.plan
                if checks is None:
                    checks = self._plan(entry)
                for topic, conditions, predicate in checks:
                    for wanted, in_words, keys in conditions:
                        if keys.isdisjoint(words if in_words else k) is wanted:
                            break
                    else:
                        if predicate is None:
                            out.add(topic)
                        elif calls is None:
                            calls = [(topic, predicate)]
                        else:
                            calls.append((topic, predicate))
        if vetoed:
            out -= vetoed
        if not checked:
            # Decided by the hits alone: the same hits decide the same again.
            decided = self._decided
            if len(decided) >= _HITS_MAX:
                decided.clear()
            decided[tuple(hits)] = frozenset(out)
            return out
        if calls:
            # The keys and prefix patterns found: the checks of prefixes read them.
            found = frozenset(entry.key for entry in hits)
            for topic, predicate in calls:
                if topic not in out and predicate(k, found, post):
                    out.add(topic)
        return out

    def match_many(self, posts: Iterable[Post]) -> list[set[int]]:
        return [self.match(post) for post in posts]


def _one_pass(matcher: Matcher) -> Any:
    """``Matcher.match`` over the automaton with what it reads bound as locals."""
    iterate, rest, decided = matcher._iter, matcher._match, matcher._decided

    def match(post: Post) -> set[int]:
        hits = tuple([entry for _, entry in iterate(post.haystack)])
        out = decided.get(hits)
        if out is not None:
            return set(out)
        return rest(hits, post)

    match.__doc__ = Matcher.match.__doc__
    return match


def compile_topics(topics: Iterable[tuple[int, str]], *,
                   key_frequency: Mapping[str, float] | None = None) -> Matcher:
    """Parse and compile every ``(topic id, query)`` once into one :class:`Matcher`.

    ``key_frequency`` (optional, from :func:`key_frequencies` over recent posts) lets each topic
    be filed under its rarest keys; without it a heuristic guesses (names are rarer than
    dictionary words, filters and stopwords are common). Either way the answers are the same,
    only the number of topics checked per post differs.
    """
    matcher = Matcher()
    gen = _CodeGen()
    sure: dict[str, list[int]] = {}
    maybe: dict[str, list[int]] = {}
    always: set[int] = set()
    for topic_id, query in topics:
        try:
            matcher.trees[topic_id] = parse(query)
        except QueryError as error:
            matcher.errors[topic_id] = error
    costs = _Costs(matcher.trees.values(), key_frequency)
    veto: dict[str, list[int]] = {}
    always_sure: set[int] = set()
    for topic_id, tree in matcher.trees.items():
        split = _sure_with_vetoes(tree)
        if split is not None:
            # "brand -job -rekry", "lang:fi -spam": sure on a hit of its keys (on every post
            # when it has no positive part) unless a hit of a NOT part's keys rules it out.
            positive, negatives = split
            if positive is None:
                always_sure.add(topic_id)
            else:
                for key in _leaf_union(positive):
                    sure.setdefault(key, []).append(topic_id)
            for negative in negatives:
                for key in _leaf_union(negative):
                    veto.setdefault(key, []).append(topic_id)
            continue
        plan = _plan(tree, costs)
        if plan is None:
            always.add(topic_id)
            matcher._predicates[topic_id] = gen.function(tree)
            matcher._conditions[topic_id] = _needs(tree)
            continue
        sure_keys, maybe_keys = plan
        if maybe_keys:
            spec = _conjunction(tree)
            if spec is not None:
                # The clause the topic is filed under holds on every candidate: check it last,
                # the rarest other positive clauses first, the NOT clauses (which mostly hold)
                # after them.
                def order(clause: tuple[bool, bool, frozenset[str]],
                          filed: frozenset[str] = maybe_keys) -> tuple[int, float]:
                    wanted, _, keys = clause
                    if wanted and not keys.isdisjoint(filed):
                        return (2, 0.0)
                    return (0, costs.keys(keys)) if wanted else (1, 0.0)

                matcher._clauses[topic_id] = tuple(sorted(spec, key=order))
            else:
                matcher._predicates[topic_id] = gen.function(tree)
            matcher._conditions[topic_id] = matcher._clauses.get(topic_id) or _needs(tree)
        for key in sure_keys:
            sure.setdefault(key, []).append(topic_id)
        for key in maybe_keys - sure_keys:
            maybe.setdefault(key, []).append(topic_id)
    # Every prefix of every topic, also those under NOT or beside the key chosen for an AND:
    # the compiled checks look for "kahvi*" among the prefilter's hits.
    prefixes = frozenset(
        node.prefix + "*"
        for tree in matcher.trees.values()
        for node in walk(tree)
        if isinstance(node, Prefix)
    )
    for key in sure.keys() | maybe.keys() | veto.keys() | prefixes:
        matcher.index[key] = _Entry(tuple(sure.get(key, ())), tuple(maybe.get(key, ())),
                                    tuple(veto.get(key, ())), key)
    matcher.always = frozenset(always)
    if always:
        matcher._always_entry = _Entry((), tuple(sorted(always)), (), "")
    matcher.always_sure = frozenset(always_sure)
    matcher.prefixes = prefixes
    if _ahocorasick is not None and matcher.index:
        automaton = _ahocorasick.Automaton()
        for key, entry in matcher.index.items():
            if key.endswith("*"):
                automaton.add_word(" " + key[:-1], entry)
            elif key[0] in "#@" or ":" in key:
                automaton.add_word("\t" + key + "\t", entry)
            else:
                automaton.add_word(" " + key + " ", entry)
        automaton.make_automaton()
        matcher._automaton = automaton
        matcher._iter = automaton.iter
        matcher.match = _one_pass(matcher)  # type: ignore[method-assign]
    elif prefixes:  # pragma: no cover -- without pyahocorasick
        matcher._prefix_lengths = tuple(sorted({len(p) - 1 for p in prefixes}))
    return matcher


def key_frequencies(posts: Iterable[Post]) -> dict[str, float]:
    """The share of ``posts`` that have each key (for ``compile_topics(key_frequency=...)``)."""
    counts: dict[str, int] = {}
    n = 0
    for post in posts:
        n += 1
        for key in post.keys:
            counts[key] = counts.get(key, 0) + 1
    return {key: count / n for key, count in counts.items()} if n else {}


def matches(query: str, texts: list[str]) -> list[bool]:
    """Whether each text matches ``query``, analysed as on ingest, through the same compiler
    and matcher as live listening (the preview). Raises :class:`QueryError`."""
    parse(query)  # a broken query raises here, with its position (the preview's 422)
    matcher = compile_topics([(0, query)])
    return [0 in matcher.match(post) for post in analyse_posts(texts)]
