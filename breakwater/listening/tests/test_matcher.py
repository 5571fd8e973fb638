"""The matcher: what each operator matches in real analysed text, and that the compiled
one-pass matcher always answers what the query's tree says."""

from __future__ import annotations

import random

import pytest

from breakwater.listening.matcher import (
    Post,
    analyse_post,
    analyse_posts,
    compile_topics,
    evaluate,
    key_frequencies,
    matches,
    post_from_stored,
)
from breakwater.listening.query import QueryError, parse


def hits(query: str, *texts: str) -> list[bool]:
    return matches(query, list(texts))


def test_a_finnish_word_matches_its_inflected_forms() -> None:
    assert hits("palaute", "Kiitos palautteesta!", "Antakaa palautetta", "Ei mitään tähän") == [
        True, True, False]
    assert hits("kahvi", "Kahvin hinta nousi", "Juon kahvia aamulla", "Teetä kiitos") == [
        True, True, False]
    assert hits("kahvin", "Juon kahvia aamulla") == [True]  # the query word is inflected too


def test_a_name_no_dictionary_knows_matches_its_inflections_not_the_words_inside_it() -> None:
    # simplemma would read "Kuvavox" as "kuva" and "Mikähel" as "mikä"
    assert hits("Kuvavox", "Kuvavoxin palvelu", "kuvavoxilla taas", "Kuva on hieno") == [
        True, True, False]
    assert hits("Mikähel", "Mikähelillä on ale", "Mikä tämä on?") == [True, False]


def test_an_english_word_matches_its_inflections_too() -> None:
    assert hits("reply", "Thanks for all the replies to my question") == [True]


def test_the_exact_switch_matches_only_that_word() -> None:
    texts = ("Kiitos palautteesta!", "Tämä palaute on tärkeä")
    assert hits("=palaute", *texts) == [False, True]
    assert hits('"palaute"', *texts) == [False, True]
    assert hits("palaute", *texts) == [True, True]


def test_case_and_scandinavian_letters_do_not_matter() -> None:
    assert hits("ÄÄNESTYS", "äänestykseen kaikki!", "aanestys") == [True, False]
    assert hits("Åland", "Matka ÅLANDIIN") == [True]
    assert hits("öljy*", "Öljynhinta nousee", "oljy") == [True, False]
    # "ä" written as "a" + combining diaeresis in the text
    assert hits("kahvila", "Kahvila Pe\u0308rho") == [True]
    assert hits("pärho*", "Kahvila Pa\u0308rhola") == [True]


def test_exact_phrases_need_the_words_in_order() -> None:
    texts = ("Todella hyvä palvelu!", "Palvelu oli hyvä", "hyvää palvelua")
    assert hits('"hyvä palvelu"', *texts) == [True, False, False]


def test_and_or_not_and_parentheses() -> None:
    texts = ("kahvi ja pulla", "kahvi ja tee", "pelkkä tee", "pulla")
    assert hits("kahvi pulla", *texts) == [True, False, False, False]
    assert hits("kahvi AND pulla", *texts) == [True, False, False, False]
    assert hits("kahvi OR pulla", *texts) == [True, True, False, True]
    assert hits("kahvi NOT tee", *texts) == [True, False, False, False]
    assert hits("(kahvi OR tee) -pulla", *texts) == [False, True, True, False]
    assert hits("NOT kahvi", *texts) == [False, False, True, True]


def test_prefix_wildcards_reach_words_and_lemmas() -> None:
    texts = ("Uusi kahvila avattiin", "Kahvinkeitin hajosi", "Juotiin kahvia", "Kaakao")
    assert hits("kahvi*", *texts) == [True, True, True, False]
    assert hits("kahvil*", *texts) == [True, False, False, False]


def test_hashtags_and_handles() -> None:
    texts = ("Ihanaa #Kesäfestarit!", "kesäfestarit oli kivat", "Moi @Elisa.bsky.social",
             "@elisa apua", "elisa")
    assert hits("#kesäfestarit", *texts) == [True, False, False, False, False]
    assert hits("kesäfestarit", *texts)[:2] == [True, True]  # the word of a hashtag is a word
    assert hits("@elisa", *texts) == [False, False, True, True, False]
    assert hits("@elisa.bsky.social", *texts) == [False, False, True, False, False]


def test_filters_on_language_network_source_and_author() -> None:
    m = compile_topics([(1, "kahvi lang:fi"), (2, "kahvi network:bluesky"),
                        (3, 'source:"yle uutiset" kahvi'), (4, "author:@Matti kahvi"),
                        (5, "lang:sv -kahvi")])
    fi = analyse_post("Kahvi on kallista taas tänään", network="bluesky",
                      source="Yle uutiset", author="@matti")
    sv = analyse_post("Kaffet är dyrt idag igen, tycker jag", network="mastodon")
    assert fi.language == "fi" and sv.language == "sv"
    assert m.match(fi) == {1, 2, 3, 4}
    assert m.match(sv) == {5}


def test_near_counts_words_between_in_either_order() -> None:
    texts = ("Kahvin hinta nousi", "hinta ja kahvi", "kahvi on nyt kovin kallis hinta",
             "kahvi hinta", "kahvi")
    assert hits("kahvi NEAR/1 hinta", *texts) == [True, False, False, True, False]
    assert hits("kahvi NEAR/2 hinta", *texts) == [True, True, False, True, False]
    assert hits("kahvi NEAR/5 hinta", *texts) == [True, True, True, True, False]
    assert hits("(kahvi OR tee) NEAR/2 hint*", "teen hinnat nousivat") == [True]
    assert hits('"kahvin hinta" NEAR/2 nousi', *texts) == [True, False, False, False, False]
    assert hits("kahvi NEAR/3 kahvi", "kahvi", "kahvi ja kahvi") == [False, True]


def test_a_topic_with_nothing_positive_is_evaluated_for_every_post() -> None:
    m = compile_topics([(1, "NOT kahvi"), (2, "lang:fi"), (3, "-lang:fi -tee"), (4, "kahvi")])
    assert m.always | m.always_sure == frozenset({1, 3})
    assert m.match(analyse_post("Kahvia kiitos", language="fi")) == {2, 4}
    assert m.match(analyse_post("Teetä kiitos", language="fi")) == {1, 2}
    assert m.match(analyse_post("Coffee please", language="en")) == {1, 3}


def test_a_broken_query_is_reported_and_matches_nothing() -> None:
    m = compile_topics([(1, "kahvi AND"), (2, "kahvi")])
    assert set(m.errors) == {1} and m.errors[1].position == 9
    assert m.match(analyse_post("kahvi")) == {2}
    with pytest.raises(QueryError):
        matches("(kahvi", ["kahvi"])


def test_a_stored_message_matches_as_the_live_post_did() -> None:
    from breakwater.analysis import analyze

    texts = ["Kiitos palautteesta @elisa #kahvi", "Kahvin hinta nousi taas", "Coffee replies"]
    queries = [(1, "palaute @elisa"), (2, "kahvi NEAR/1 hinta"), (3, "repl*"), (4, "#kahvi")]
    m = compile_topics(queries)
    live = [m.match(p) for p in analyse_posts(texts)]
    stored = [
        m.match(post_from_stored(t, language=a.language, search_text=a.search_text))
        for t, a in zip(texts, analyze(texts), strict=True)
    ]
    assert live == stored == [{1, 4}, {2}, {3}]


# -- property: the compiled matcher answers what the tree says ---------------------------------

VOCAB = [
    "kahvi", "kahvin", "kahvia", "kahvila", "kahvinkeitin", "palaute", "palautteesta",
    "palautetta", "hinta", "hinnat", "hintaa", "tee", "teetä", "pulla", "elisa", "elisalle",
    "telia", "hyvä", "huono", "palvelu", "palvelua", "asiakaspalvelu", "asiakaspalvelusta",
    "äänestys", "öljy", "åland", "coffee", "replies", "reply", "price", "prices", "kaffe",
    "ja", "on", "ei", "nyt", "taas", "wi", "fi",
]
TAGS = ["kahvi", "kesäfestarit", "elisa", "ad"]
HANDLES = ["elisa", "telia.bsky.social", "matti", "elisa.bsky.social"]
NETWORKS = ["bluesky", "mastodon", "rss"]


def _random_post(rng: random.Random) -> Post:
    words = [rng.choice(VOCAB) for _ in range(rng.randint(0, 12))]
    words += ["#" + rng.choice(TAGS) for _ in range(rng.randint(0, 2))]
    words += ["@" + rng.choice(HANDLES) for _ in range(rng.randint(0, 2))]
    rng.shuffle(words)
    return analyse_post(
        " ".join(words),
        language=rng.choice(["fi", "fi", "en", "sv", None]) if words else "fi",
        network=rng.choice(NETWORKS),
        source=rng.choice(["yle", "hs", ""]),
        author=rng.choice(["matti", "liisa"]),
    )


def _random_query(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth > 2 or roll < 0.45:
        kind = rng.randrange(9)
        word = rng.choice(VOCAB)
        if kind == 0:
            return "=" + word
        if kind == 1:
            return word[: rng.randint(2, max(2, len(word)))] + "*"
        if kind == 2:
            return f'"{word} {rng.choice(VOCAB)}"'
        if kind == 3:
            return "#" + rng.choice(TAGS)
        if kind == 4:
            return "@" + rng.choice(HANDLES).split(".")[0]
        if kind == 5:
            return rng.choice(["lang:fi", "lang:en", "network:bluesky", "source:yle",
                               "author:matti"])
        return word
    if roll < 0.6:
        return "NOT " + _random_query(rng, depth + 1)
    if roll < 0.7:
        positional = [rng.choice(VOCAB), rng.choice(VOCAB)[:3] + "*", f'"{rng.choice(VOCAB)}"']
        near = f"{rng.choice(positional)} NEAR/{rng.randint(1, 4)} {rng.choice(positional)}"
        return near if rng.random() < 0.5 else f"NOT {near}"
    op = rng.choice([" AND ", " OR ", " "])
    parts = [_random_query(rng, depth + 1) for _ in range(rng.randint(2, 3))]
    return "(" + op.join(parts) + ")"


@pytest.mark.parametrize("with_frequencies", [False, True])
def test_the_compiled_matcher_agrees_with_the_tree_on_random_posts(with_frequencies: bool
                                                                   ) -> None:
    rng = random.Random(6)
    queries = [(i, _random_query(rng)) for i in range(400)]
    # Observed key frequencies change which keys topics are filed under, never the answers.
    frequency = key_frequencies(_random_post(rng) for _ in range(100)) if with_frequencies else None
    m = compile_topics(queries, key_frequency=frequency)
    assert not m.errors, {i: str(e) for i, e in m.errors.items()}
    trees = {i: parse(q) for i, q in queries}
    matched_any = 0
    for _ in range(600):
        post = _random_post(rng)
        expected = {i for i, tree in trees.items() if evaluate(tree, post)}
        assert m.match(post) == expected, post.text
        assert m.match_many([post]) == [expected]
        matched_any += bool(expected)
    # The generator is not degenerate: most posts match something, few match everything.
    assert matched_any > 300


def test_remembered_plans_give_the_same_answers_when_the_memory_is_tiny(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Hits with no candidate to check are answered from memory the second time; starting
    over (a full memory) changes no answer."""
    from breakwater.listening import matcher as matcher_module

    monkeypatch.setattr(matcher_module, "_HITS_MAX", 3)
    rng = random.Random(7)
    queries = [(i, _random_query(rng)) for i in range(300)]
    m = compile_topics(queries)
    trees = {i: parse(q) for i, q in queries}
    posts = [_random_post(rng) for _ in range(150)]
    for post in posts + posts[::-1]:  # seen again: answered from memory or computed afresh
        expected = {i for i, tree in trees.items() if evaluate(tree, post)}
        assert m.match(post) == expected, post.text
    assert len(m._decided) <= 3


def test_a_remembered_answer_is_a_fresh_set_each_time() -> None:
    m = compile_topics([(1, "kahvi"), (2, "kahvi pulla"), (3, '"kahvi ja" pulla')])
    post = analyse_post("kahvi ja pulla", language="fi")
    first = m.match(post)
    assert first == {1, 2, 3}
    first.add(99)
    first.discard(1)
    assert m.match(post) == {1, 2, 3}
    assert m.match(analyse_post("kahvi", language="fi")) == {1}
