"""`breakwater bench listening`: the topic matcher beside a naive regex and its own ceiling.

1. 10,000 generated topics (brand names, brand OR phrase OR @handle OR #tag, prefixes, Finnish
   terms with filters, boolean combinations with NOT, NEAR/n, a few with no positive term)
   compile into one ``listening.matcher.Matcher``.
2. 1,000,000 generated posts (Finnish, English and Swedish words with Finnish case endings,
   brand names inflected Finnish-style, hashtags, handles) are analysed *before* the clock runs
   (lemmas by ``analysis.lemmas`` as ingest makes them), chunk by chunk, so the figure is the
   matcher's own. On each chunk, in turn (the matcher and the ceiling take turns at going
   first, since the first pass over fresh posts also pays for loading them into the caches):

   * the **matcher**: ``Matcher.match(post)``, prefilter plus boolean check, for every topic;
   * the **ceiling**: the bare prefilter pass, no boolean evaluation: one pass of the
     pyahocorasick automaton of every key and prefix over the post's keys;
   * the **token-set prefilter**: the same key search done by hash lookups (the post's keys
     intersected with the index, a lookup per prefix length), the alternative to the automaton.
3. The **naive baseline**: one compiled alternation regex over the same terms (word
   boundaries, prefixes as ``\\w*``) on each post's lower-cased text: a sample of posts, since it
   is orders of magnitude slower (the output says how many).

Times are CPU seconds of this process (``time.process_time``): one core. Memory is what building
each structure allocates and keeps (``tracemalloc``, after a first build has filled the analysis
caches); the process's resident set is printed at the end.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import time
from collections.abc import Callable
from typing import Any

from breakwater.bench.common import emit_json, machine_facts, print_machine, print_table

DEFAULT_TOPICS = 10_000
DEFAULT_POSTS = 1_000_000
CHUNK = 10_000
NAIVE_SAMPLE = 2_000
FREQUENCY_SAMPLE = 5_000
NAIVE_MAX_CPU = 20.0
SEED = 20261202
TARGET_RATE = 50_000
TARGET_RATIO = 0.5

FI_WORDS = (
    "kahvi hinta palvelu asiakas palaute tuote kauppa tilaus toimitus lasku kortti sovellus "
    "verkko yhteys puhelin liittymä hakemus kysymys vastaus ongelma vika virhe korjaus aika "
    "viikko päivä ilta aamu kesä talvi syksy kevät juna bussi lento matka hotelli ruoka "
    "ravintola kahvila leipä maito juusto olut viini pizza burgeri kassa jono myyjä hylly "
    "alennus tarjous kampanja arvonta lahja paketti posti noutopiste kuljetus kuski auto "
    "pyörä lippu sähkö vesi lämpö talo asunto vuokra pankki laina tili maksu raha euro "
    "työ työpaikka rekry koulu opettaja lapsi perhe äiti isä ystävä kaveri uutinen lehti "
    "radio televisio sarja elokuva peli musiikki konsertti festari kenttä ottelu joukkue "
    "maali voitto tappio sää sade lumi tuuli myrsky metsä järvi ranta saari kaupunki kylä "
    "katu tie silta asema satama lentokenttä kirjasto museo teatteri sairaala lääkäri hoitaja "
    "apteekki lääke terveys kunto sali treeni juoksu uinti hiihto sauna mökki vene kala "
    "marja sieni omena peruna porkkana kurkku tomaatti salaatti keitto kastike jäätelö suklaa "
    "karkki pulla kakku keksi tee mehu limonadi vesipullo kuppi lautanen lusikka haarukka "
    "veitsi pöytä tuoli sänky sohva matto lamppu ikkuna ovi avain lukko kamera kuva video "
    "viesti sähköposti salasana tunnus päivitys akku laturi näyttö kuuloke kaiutin "
    "hyvä huono hidas nopea kallis halpa uusi vanha iso pieni kiva ihana kamala outo "
    "asiakaspalvelu reklamaatio hyvitys palautus takuu vaihto jonotus odotus"
).split()
FI_ENDINGS = ("", "", "", "n", "a", "ssa", "sta", "lla", "lle", "lta", "ksi", "t", "kin", "ni")
FI_FUNCTION = ("ja on ei se että mutta kun niin nyt taas vielä jo oli olen olisi tosi "
               "aika ihan vaan kyllä miksi missä milloin mitä joka koko vain jos sitten").split()
EN_WORDS = (
    "coffee price service customer feedback product shop order delivery invoice card app "
    "network connection phone question answer problem error fix time week day evening train "
    "bus flight trip hotel food restaurant bread milk cheese beer pizza queue discount offer "
    "campaign gift parcel post driver car ticket power water house rent bank loan account "
    "payment money job school teacher child family friend news radio show movie game music "
    "concert match team goal weather rain snow wind storm lake city street station airport "
    "library museum hospital doctor pharmacy health gym sauna boat fish apple potato soup "
    "great bad slow fast expensive cheap new old big small nice awful weird refund warranty"
).split()
EN_ENDINGS = ("", "", "", "s", "ed", "ing", "er")
EN_FUNCTION = "the a and is not but so now again still was have it this that why where".split()
SV_WORDS = ("kaffe pris tjänst kund butik beställning leverans kort tåg buss resa hotell mat "
            "bröd mjölk öl kö rabatt erbjudande paket bil biljett bank jobb skola vän nyheter "
            "väder regn snö stad gata bra dålig långsam snabb dyr billig ny gammal").split()
SV_FUNCTION = "och är inte men så nu igen fortfarande var har det den att".split()
SYLLABLES = ("ka ko ki ku la lo li lu ma mo mi ra ro ri ru sa so si su ta to ti tu va vo vi ne "
             "no ni pe po pi he ho ja jo jä kä lä mä nä pä sä tä vä kö lö mö tö yy äi öy").split()
CODAS = ("", "", "", "n", "s", "t", "r", "l", "x", "nen", "la", "tek", "net", "co")
NETWORKS = ("bluesky", "mastodon", "rss", "x", "facebook")
TAGS = ("kahvi", "kesä", "festarit", "uutiset", "helsinki", "tampere", "asiakaspalvelu",
        "ruoka", "matkailu", "tekniikka", "urheilu", "sää", "ale", "arvonta")


def _rss_mib() -> float:
    """The resident set of this process now, in MiB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except OSError:  # pragma: no cover
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _traced_mib(build: Callable[[], Any]) -> float:
    """MiB allocated (through Python's allocators, C extensions' included) by what ``build``
    returns and keeps alive."""
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = build()
        gc.collect()
        size = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    del kept
    return size / 2**20


def _brands(rng: random.Random, n: int) -> list[str]:
    out: dict[str, None] = {}
    while len(out) < n:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))) + rng.choice(CODAS)
        out[name.capitalize()] = None
    return list(out)


def _zipf(rng: random.Random, items: list[str], s: float = 1.1) -> Callable[[], str]:
    weights = [1 / (i + 1) ** s for i in range(len(items))]
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    import bisect

    def draw() -> str:
        return items[bisect.bisect_left(cum, rng.random() * total)]

    return draw


def generate_topics(rng: random.Random, n: int, brands: list[str]) -> list[tuple[int, str]]:
    """``n`` topics of the kinds a workspace writes (see the module docstring)."""
    topics = []
    fi = FI_WORDS
    for i in range(n):
        b = rng.choice(brands)
        b2 = rng.choice(brands)
        w = rng.choice(fi)
        kind = rng.random()
        if kind < 0.22:
            q = b
        elif kind < 0.34:
            q = f'{b} OR "{b} oy" OR @{b.lower()} OR #{b.lower()}'
        elif kind < 0.42:
            q = f"{b.lower()[: max(5, len(b) - 1)]}*"
        elif kind < 0.54:
            q = f"{b} ({w} OR {rng.choice(fi)} OR {rng.choice(fi)})"
        elif kind < 0.63:
            q = f'"{rng.choice(fi)} {rng.choice(fi)}" {b}'
        elif kind < 0.75:
            q = (f"({b} OR {b2}) AND ({w} OR {rng.choice(fi)}) "
                 f"NOT ({rng.choice(fi)} OR {rng.choice(fi)})")
        elif kind < 0.82:
            q = f"{b} NEAR/3 ({rng.choice(fi)} OR {rng.choice(fi)})"
        elif kind < 0.88:
            q = f"{b} lang:fi" if rng.random() < 0.5 else f"{b} network:{rng.choice(NETWORKS)}"
        elif kind < 0.93:
            q = f"={w}{rng.choice(FI_ENDINGS[3:])} {b}"
        elif kind < 0.97:
            q = f"#{rng.choice(TAGS)} {b}" if rng.random() < 0.5 else f"{w} {rng.choice(fi)} {b}"
        else:
            q = f"{rng.choice(EN_WORDS)} {b} lang:en"
        topics.append((i + 1, q))
    # Two topics with no positive term: one evaluated for every Finnish post, one for every post.
    if n >= 100:
        topics[-1] = (n, f"lang:fi -{rng.choice(brands)} -{rng.choice(fi)}")
        topics[-2] = (n - 1, "NOT (lang:fi OR lang:en OR lang:sv) -arvonta -giveaway -#ad")
    return topics


class PostMaker:
    """Generated posts, analysed as ingest analyses them (lemmas from ``analysis.lemmas``)."""

    def __init__(self, rng: random.Random, brands: list[str]) -> None:
        self.rng = rng
        self.brand = _zipf(rng, brands, 0.9)
        self.fi = _zipf(rng, FI_WORDS + FI_FUNCTION * 3)
        self.en = _zipf(rng, EN_WORDS + EN_FUNCTION * 3)
        self.sv = _zipf(rng, SV_WORDS + SV_FUNCTION * 3)

    def text(self) -> tuple[str, str]:
        rng = self.rng
        lang = rng.choices(("fi", "en", "sv"), (0.7, 0.2, 0.1))[0]
        draw = {"fi": self.fi, "en": self.en, "sv": self.sv}[lang]
        endings = FI_ENDINGS if lang == "fi" else EN_ENDINGS if lang == "en" else ("", "en")
        words = [draw() + rng.choice(endings) for _ in range(rng.randint(6, 28))]
        for _ in range(rng.choices((0, 1, 2), (0.75, 0.2, 0.05))[0]):
            brand = self.brand()
            if lang == "fi":
                brand += rng.choice(("", "n", "lla", "lle", "lta", "sta", "n"))
            words.insert(rng.randrange(len(words) + 1), brand)
        if rng.random() < 0.2:
            words.append("#" + rng.choice(TAGS + tuple(b.lower() for b in (self.brand(),))))
        if rng.random() < 0.1:
            words.insert(0, "@" + self.brand().lower())
        if rng.random() < 0.1:
            words.append("https://example.com/" + str(rng.randrange(10**6)))
        return " ".join(words), lang

    def posts(self, n: int) -> list[Any]:
        from breakwater.analysis.lemmas import lemmas
        from breakwater.analysis.text import split
        from breakwater.listening.matcher import _post

        rng = self.rng
        out = []
        for _ in range(n):
            text, lang = self.text()
            out.append(_post(text, lang, lemmas(split(text).words, lang),
                             network=rng.choice(NETWORKS), source="", author=""))
        return out


def _naive_regex(matcher: Any) -> re.Pattern[str]:
    """One alternation over every term the prefilter looks for, longest first."""
    words, prefixes = [], []
    for key in matcher.index:
        if key.endswith("*"):
            prefixes.append(key[:-1])
        elif ":" not in key:
            words.append(key)
    alternatives = [re.escape(w) for w in sorted(words, key=len, reverse=True)]
    alternatives += [re.escape(p) + r"\w*" for p in sorted(prefixes, key=len, reverse=True)]
    return re.compile(r"(?<![\w#@])[#@]?(?:" + "|".join(alternatives) + r")(?!\w)")


def _token_set_prefilter(matcher: Any) -> Callable[[Any], int]:
    """The other prefilter: the post's keys intersected with the index (a hash lookup per key)
    and a lookup per prefix length for the prefixes."""
    index = matcher.index
    lengths = sorted({len(p) - 1 for p in matcher.prefixes})

    def prefilter(post: Any) -> int:
        entries = [index[key] for key in index.keys() & post.keys]
        for term in post.words | post.lemmas:
            for n in lengths:
                if n > len(term):
                    break
                entry = index.get(term[:n] + "*")
                if entry is not None:
                    entries.append(entry)
        return len(entries)

    return prefilter


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    cpu = time.process_time()
    result = fn()
    return result, time.process_time() - cpu


def run(args: argparse.Namespace) -> int:
    from breakwater.analysis.lemmas import voikko_available
    from breakwater.listening.matcher import compile_topics, key_frequencies

    n_topics = args.topics if getattr(args, "topics", None) is not None else DEFAULT_TOPICS
    n_posts = args.posts if getattr(args, "posts", None) is not None else DEFAULT_POSTS
    if n_topics < 1 or n_posts < 100:
        raise SystemExit("--topics must be at least 1 and --posts at least 100")
    facts = machine_facts()
    print(f"breakwater bench listening: {n_topics:,} topics, {n_posts:,} posts")
    print_machine(facts)
    print(f"lemmas: {'Voikko' if voikko_available() else 'simplemma (Voikko not installed)'}")

    rng = random.Random(SEED)
    brands = _brands(rng, max(50, n_topics // 3))
    topics = generate_topics(rng, n_topics, brands)
    # Load Voikko, simplemma and the stopword lists first: their memory is not the matcher's.
    from breakwater.analysis.lemmas import preload
    from breakwater.analysis.lexicons import stopwords

    preload()
    stopwords("")

    # Key frequencies observed on a warm-up sample (as a running install would keep them
    # from its recent posts): each topic is filed under its rarest keys.
    maker = PostMaker(random.Random(SEED + 1), brands)
    frequency = key_frequencies(maker.posts(min(FREQUENCY_SAMPLE, n_posts)))
    # A first compile fills the analysis caches (lemmas of the query words: not the
    # matcher's memory); the second is timed and its allocations traced.
    compile_topics(topics, key_frequency=frequency)
    gc.collect()
    matcher, compile_cpu = _timed(lambda: compile_topics(topics, key_frequency=frequency))
    matcher_mib = _traced_mib(lambda: compile_topics(topics, key_frequency=frequency))
    if matcher.errors:  # pragma: no cover -- the generator writes valid queries
        raise SystemExit(f"generated topics failed to parse: {list(matcher.errors.items())[:3]}")
    token_set = _token_set_prefilter(matcher)
    naive, naive_compile_cpu = _timed(lambda: _naive_regex(matcher))
    re.purge()  # else re.compile answers from its cache and allocates nothing
    naive_mib = _traced_mib(lambda: _naive_regex(matcher))
    print(f"compiled {len(matcher):,} topics in {compile_cpu:.2f} s CPU: {len(matcher.index):,} "
          f"keys, {len(matcher.prefixes):,} prefixes, {len(matcher.always | matcher.always_sure)} "
          f"topics with no positive term; naive regex compiled in {naive_compile_cpu:.2f} s")

    prefilter, match = matcher.prefilter, matcher.match

    def ceiling(posts: list[Any]) -> int:
        found = 0
        for post in posts:
            found += len(prefilter(post))
        return found

    def matching(posts: list[Any]) -> tuple[int, int]:
        matched = posts_matched = 0
        for post in posts:
            ids = match(post)
            matched += len(ids)
            posts_matched += bool(ids)
        return matched, posts_matched

    def variant(posts: list[Any]) -> int:
        found = 0
        for post in posts:
            found += token_set(post)
        return found

    maker = PostMaker(rng, brands)
    cpu = {"matcher": 0.0, "ceiling": 0.0, "ac": 0.0, "generate": 0.0}
    matched = posts_matched = key_hits = 0
    naive_posts = 0
    naive_cpu = 0.0
    done = 0
    gc.disable()  # the collector's pauses scale with the posts alive, not with the matcher
    try:
        while done < n_posts:
            size = min(CHUNK, n_posts - done)
            posts, gen_cpu = _timed(lambda size=size: maker.posts(size))
            cpu["generate"] += gen_cpu
            # The first pass over fresh posts pays for bringing them into the CPU's caches:
            # the matcher and the ceiling take turns at going first.
            for side in (("matcher", "ceiling") if (done // CHUNK) % 2 == 0
                         else ("ceiling", "matcher")):
                if side == "matcher":
                    (m, pm), t = _timed(lambda posts=posts: matching(posts))
                    matched += m
                    posts_matched += pm
                else:
                    hits, t = _timed(lambda posts=posts: ceiling(posts))
                    key_hits += hits
                cpu[side] += t
            _, t = _timed(lambda posts=posts: variant(posts))
            cpu["ac"] += t
            if naive_posts < NAIVE_SAMPLE and naive_cpu < NAIVE_MAX_CPU:
                sample = posts[: min(len(posts), NAIVE_SAMPLE - naive_posts, 200)]
                _, t = _timed(lambda sample=sample: [naive.findall(p.text.lower())
                                                     for p in sample])
                naive_cpu += t
                naive_posts += len(sample)
            done += size
            del posts
            gc.collect()
    finally:
        gc.enable()

    rate = done / cpu["matcher"]
    ceiling_rate = done / cpu["ceiling"]
    variant_rate = done / cpu["ac"]
    naive_rate = naive_posts / naive_cpu if naive_cpu else 0.0
    ratio = rate / ceiling_rate
    rss_total = _rss_mib()
    print(f"posts generated and analysed beforehand in {cpu['generate']:.1f} s CPU (not timed); "
          f"{posts_matched / done:.1%} of posts matched a topic, "
          f"{matched / done:.2f} topic matches and {key_hits / done:.1f} key hits per post")
    print()
    print_table(
        ["", "posts/s per core", "µs/post", "posts", "memory MiB"],
        [
            ["matcher (prefilter + boolean check)", f"{rate:,.0f}", f"{1e6 / rate:.1f}",
             f"{done:,}", f"{matcher_mib:.1f}"],
            ["ceiling: bare prefilter (one pyahocorasick pass)", f"{ceiling_rate:,.0f}",
             f"{1e6 / ceiling_rate:.1f}", f"{done:,}", "(the matcher's)"],
            ["other prefilter: token-set lookup", f"{variant_rate:,.0f}",
             f"{1e6 / variant_rate:.1f}", f"{done:,}", "(the matcher's)"],
            ["naive: one alternation regex" + (" (sampled)" if naive_posts < done else ""),
             f"{naive_rate:,.0f}", f"{1e6 / naive_rate:.1f}" if naive_rate else "-",
             f"{naive_posts:,}", f"{naive_mib:.1f}"],
        ],
    )
    print()
    if naive_posts < done:
        print(f"the naive regex ran on a sample of {naive_posts:,} of the {done:,} posts (at most "
              f"{NAIVE_SAMPLE:,} posts or {NAIVE_MAX_CPU:.0f} s CPU: it is far slower); its rate "
              "is per post of that sample")
    met_rate = rate >= TARGET_RATE
    met_ratio = ratio >= TARGET_RATIO
    versus_naive = f"; {rate / naive_rate:,.0f}x the naive regex" if naive_rate else ""
    print(f"matcher / ceiling: {ratio:.2f} (target >= {TARGET_RATIO}: "
          f"{'met' if met_ratio else 'NOT met'}); matcher {rate:,.0f} posts/s per core (target "
          f">= {TARGET_RATE:,}: {'met' if met_rate else 'NOT met'}){versus_naive}")
    print(f"process resident set at the end: {rss_total:,.0f} MiB")
    emit_json({
        "bench": "listening",
        "topics": len(matcher),
        "posts": done,
        "keys": len(matcher.index),
        "prefixes": len(matcher.prefixes),
        "always_topics": len(matcher.always | matcher.always_sure),
        "compile_seconds": round(compile_cpu, 3),
        "matcher_posts_per_s": round(rate),
        "ceiling_posts_per_s": round(ceiling_rate),
        "token_set_prefilter_posts_per_s": round(variant_rate),
        "naive_posts_per_s": round(naive_rate, 1),
        "naive_sample": naive_posts,
        "ratio_to_ceiling": round(ratio, 3),
        "matches_per_post": round(matched / done, 3),
        "matched_share": round(posts_matched / done, 3),
        "memory_mib": {"matcher": round(matcher_mib, 1), "naive": round(naive_mib, 1),
                       "process": round(rss_total, 1)},
        "targets_met": {"posts_per_s": met_rate, "ratio_to_ceiling": met_ratio},
        "machine": facts,
    })
    return 0
