"""The query language: every operator parses to the tree it says, and errors point at the spot."""

from __future__ import annotations

import pytest

from breakwater.listening.query import (
    And,
    Filter,
    Handle,
    Hashtag,
    Near,
    Not,
    Or,
    Phrase,
    Prefix,
    QueryError,
    Word,
    parse,
    to_text,
    walk,
)


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("palaute", "palaute"),
        ("Kahvi", "kahvi"),
        ("kahvi tee", "kahvi AND tee"),
        ("kahvi AND tee", "kahvi AND tee"),
        ("kahvi OR tee", "kahvi OR tee"),
        ("kahvi NOT tee", "kahvi AND NOT tee"),
        ("kahvi -tee", "kahvi AND NOT tee"),
        ("-(kahvi OR tee)", "NOT (kahvi OR tee)"),
        ("(kahvi OR tee) AND hinta", "(kahvi OR tee) AND hinta"),
        ("kahvi OR tee hinta", "kahvi OR (tee AND hinta)"),
        ("NOT kahvi OR tee", "NOT kahvi OR tee"),
        ("NOT kahvi NEAR/3 hinta", "NOT kahvi NEAR/3 hinta"),
        ("kahvi NEAR/3 hinta", "kahvi NEAR/3 hinta"),
        ("kahvi NEAR hinta", "kahvi NEAR/5 hinta"),
        ("(kahvi OR tee) NEAR/2 hinta*", "(kahvi OR tee) NEAR/2 hinta*"),
        ('"hyvä palvelu"', '"hyvä palvelu"'),
        ('"palaute"', "=palaute"),
        ("=palaute", "=palaute"),
        ('="Hyvä Palvelu"', '"hyvä palvelu"'),
        ("kahvi*", "kahvi*"),
        ("#Kesäfestarit", "#kesäfestarit"),
        ("@Elisa", "@elisa"),
        ("@someone@mastodon.social", "@someone"),
        ("lang:FI", "lang:fi"),
        ("lang:fi-FI", "lang:fi"),
        ("network:bluesky", "network:bluesky"),
        ('source:"Yle Uutiset"', 'source:"yle uutiset"'),
        ("author:@Someone", "author:someone"),
        ("wi-fi", '"wi fi"'),
        ("and or not", "and AND or AND not"),
        ("Ääkkönen ÅLAND öljy", "ääkkönen AND åland AND öljy"),
    ],
)
def test_each_operator_parses_to_its_tree(query: str, canonical: str) -> None:
    assert to_text(parse(query)) == canonical


def test_the_tree_has_the_node_each_syntax_names() -> None:
    tree = parse('(kahvi* OR "hyvä palvelu") NEAR/3 =hinta #kahvi @elisa lang:fi -tee')
    assert isinstance(tree, And)
    near, tag, handle, lang, not_ = tree.children
    assert isinstance(near, Near) and near.distance == 3
    assert isinstance(near.left, Or)
    assert near.left.children == (Prefix("kahvi"), Phrase(("hyvä", "palvelu")))
    assert isinstance(near.right, Word) and near.right.exact and near.right.word == "hinta"
    assert tag == Hashtag("kahvi") and handle == Handle("elisa")
    assert lang == Filter("lang", "fi")
    assert isinstance(not_, Not) and isinstance(not_.child, Word)
    assert [type(n).__name__ for n in walk(tree)][:3] == ["And", "Near", "Or"]


def test_a_plain_word_carries_its_lemmas_and_an_exact_word_only_itself() -> None:
    plain = parse("palautteesta")
    assert isinstance(plain, Word) and not plain.exact
    assert {"palautteesta", "palaute"} <= plain.alternatives
    exact = parse("=palautteesta")
    assert isinstance(exact, Word) and exact.alternatives == frozenset({"palautteesta"})


def test_decomposed_umlauts_are_the_same_letters() -> None:
    decomposed = "ka\u0308ytto\u0308"  # "käyttö" with combining diaeresis
    assert to_text(parse(decomposed)) == "käyttö"


def test_lowercase_operators_are_words() -> None:
    tree = parse("not bad")
    assert isinstance(tree, And) and tree.children[0] == Word("not", False,
                                                               tree.children[0].alternatives)


@pytest.mark.parametrize(
    ("query", "position", "fragment"),
    [
        ("", 0, "empty"),
        ("   ", 0, "empty"),
        ("(kahvi OR tee", 13, "expected ')' to close the '(' at 0"),
        ("hinta AND (kahvi OR (tee)", 25, "expected ')' to close the '(' at 10"),
        ("kahvi)", 5, "unexpected ')' at 5"),
        ("kahvi AND", 9, "after AND at 6"),
        ("kahvi AND OR tee", 10, "after AND at 6, found 'OR'"),
        ("OR kahvi", 0, "before OR at 0"),
        ("kahvi NOT", 9, "after NOT at 6"),
        ("kahvi -", 6, "no letters"),
        ('kahvi "hyvä palvelu', 19, "close the phrase started at 6"),
        ('""', 0, "no words"),
        ("()", 1, "inside the '(' at 0"),
        ("foo:bar", 0, "unknown filter 'foo:'"),
        ("kahvi lang:", 6, "lang: at 6 needs a value"),
        ("lang:suomi", 0, "language code"),
        ("kahvi NEAR/0 hinta", 6, "NEAR needs a distance"),
        ("kahvi NEAR/x hinta", 6, "NEAR needs a distance"),
        ("kahvi NEAR/3", 12, "after NEAR at 6"),
        ("lang:fi NEAR/3 kahvi", 0, "NEAR at 8 needs words"),
        ("kahvi NEAR/3 (hinta AND tee)", 14, "NEAR at 6 needs words"),
        ("kahvi NEAR/3 NOT tee", 13, "NEAR at 6 needs words"),
        ("ka*vi", 2, "'*' at 2 may only end a word"),
        ("k*", 1, "at least 2 letters"),
        ("*", 0, "must follow a single word"),
        ("=kahvi*", 0, "cannot go together"),
        ("=", 0, "needs a word after it"),
        ("# kahvi", 0, "needs a hashtag"),
        ("@", 0, "needs a handle"),
        ("!!!", 0, "no letters or digits"),
        ("x" * 3000, 2000, "longer than"),
    ],
)
def test_errors_point_at_the_position(query: str, position: int, fragment: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.position == position, caught.value.message
    assert fragment in caught.value.message


def test_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(QueryError, match="nested"):
        parse("(" * 200 + "kahvi" + ")" * 200)


def test_the_compiler_and_matcher_stay_pure() -> None:
    """query.py and matcher.py run in stream consumers and the preview: no ORM, no app."""
    import ast
    from pathlib import Path

    here = Path(__file__).resolve().parents[1]
    for name in ("query.py", "matcher.py"):
        tree = ast.parse((here / name).read_text())
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        bad = sorted(m for m in modules if m.startswith("django")
                     or (m.startswith("breakwater.") and not m.startswith(
                         ("breakwater.analysis", "breakwater.listening.query"))))
        assert bad == [], f"{name} imports {bad}"
