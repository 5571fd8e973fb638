"""Demo traffic: a believable stream of normalized items for the fictional brand Aalto Kahvi.

Pure (no database, no Django) so the same generator seeds the demo inbox, feeds the live demo
stream and drives the ingest benchmark. Items are the JSON shape that ``POST /api/v1/ingest``
accepts. Everything is drawn from one seeded ``random.Random``, so a seed reproduces a run; the
text templates and names below were written for this module, not copied from any corpus.
"""

from __future__ import annotations

import functools
import random
import secrets
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

BRAND_HANDLE = "aaltokahvi"
BRAND_NAME = "Aalto Kahvi"
NETWORK = "demo"
# `.invalid` never resolves (RFC 2606), so demo links can't leak to a real site; connector.py uses it too.
BASE_URL = "https://demo.invalid"

Item = dict[str, Any]
_Rows = list[tuple[str, ...]]
_Random = Callable[[], float]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HOUR_US = 3_600_000_000
# Relative traffic per local (Helsinki) hour: quiet nights, a morning-coffee peak, a busy evening.
_HOURLY = (2, 1, 1, 1, 1, 2, 5, 10, 14, 13, 11, 12, 14, 12, 10, 10, 11, 12, 13, 15, 16, 14, 10, 5)
_HELSINKI_UTC_OFFSET_H = 2  # DST moves the curve by an hour; irrelevant for demo traffic.
_MAX_RHYTHM_HOURS = 24 * 366 * 3  # beyond this the per-hour table costs more than it shows

_LANGUAGES = (("fi", 65), ("en", 30), ("sv", 5))
_KINDS = (
    ("comment", 42),
    ("ad_comment", 13),
    ("dm", 19),
    ("mention", 10),
    ("review", 10),
    ("reply", 3),
    ("post", 3),
)
_TOPICS = {
    "comment": (("praise", 30), ("question", 22), ("complaint", 15), ("chat", 25), ("spam", 8)),
    # Ads draw the crowds that complain about prices, ask about the offer and post spam.
    "ad_comment": (("praise", 15), ("question", 25), ("complaint", 20), ("chat", 15), ("spam", 25)),
    "mention": (("praise", 50), ("chat", 35), ("complaint", 12), ("question", 3)),
    "dm": (("question", 45), ("complaint", 35), ("praise", 8), ("chat", 5), ("spam", 7)),
}
_RATINGS = ((5, 40), (4, 25), (3, 13), (2, 9), (1, 13))
_REPLY_TOPIC = {"praise": "praise", "complaint": "complaint", "question": "question",
                "chat": "chat", "mixed": "complaint", "followup": "complaint"}  # fmt: skip
_EMOJI = {
    "praise": ("☕", "😍", "❤️", "👌", "🙌", "😊", "🥐", "💛", "🤩"),
    "complaint": ("😡", "😤", "🙄", "😞", "👎", "😒", "🤬"),
    "question": ("🤔", "🙏", "☺️", "🙂"),
    "chat": ("☕", "😄", "🌞", "🍂", "😅", "🌧️", "✨"),
    "spam": ("🚀", "💰", "🔥", "✅", "💯", "🤑"),
    "mixed": ("🤷", "😐", "🙂"),
}


def _lines(block: str) -> list[str]:
    """One template per line: keeps the long lists below readable and diff-friendly."""
    return [line.strip() for line in block.strip().splitlines()]


def _opt(block: str, blanks: int) -> list[str]:
    """Optional phrases: `blanks` empty entries make "no phrase at all" that much likelier."""
    return [""] * blanks + _lines(block)


@dataclass(frozen=True)
class _Language:
    """Everything needed to write in one language: templates by topic and their fill-ins."""

    code: str
    openings: list[str]
    bodies: dict[str, list[str]]
    endings: dict[str, list[str]]
    fills: dict[str, tuple[tuple[str, ...], _Rows]]
    hashtags: list[str]
    alts: list[str]
    accents: dict[int, Any] = field(default_factory=dict)


def _fill(keys: str, rows: Sequence[str | tuple[str, ...]]) -> dict[str, tuple[tuple[str, ...], _Rows]]:
    """Slots drawn together so they agree, e.g. one product in three grammatical cases."""
    names = tuple(keys.split())
    table = []
    for row in rows:
        forms = (row,) if isinstance(row, str) else row
        # A language without those cases (English has no partitive) reuses its first form.
        table.append(forms + (forms[0],) * (len(names) - len(forms)))
    return dict.fromkeys(names, (names, table))


# Shared fill-ins: order numbers, staff first names (brand sign-offs), discount codes, scam links.
_ORDERS = [f"#{n}" for n in random.Random(7).sample(range(10_000, 99_999), 300)]  # noqa: S311 (demo data)
_STAFF = "Aino Eetu Emilia Juho Sanna Ville Noora Lauri Helmi Oskari Iida Joonas".split()
_CODES = "AALTO30 KAHVI20 SYKSY15 PAAHTO25 TERVETULOA AAMU10".split()
_LINKS = _lines("""
https://aalto-kahvi-lahjakortti.example/lunasta
https://free-giftcards-now.example/aalto
https://crypto-double.example/btc?ref=coffee
https://followers-boost.example/get
https://promo-winners.example/claim/7Q2k
https://aaltokahvi-support.example/login
""")
_MINUTES = "15 20 25 30 35 40 45".split()
_CENTS = (350, 390, 420, 450, 480, 490, 520, 550, 590, 650, 790, 1290, 1490)


def _shared_fills(price_format: Callable[[int], str]) -> dict[str, tuple[tuple[str, ...], _Rows]]:
    return {
        **_fill("order", _ORDERS), **_fill("staff", _STAFF), **_fill("code", _CODES),
        **_fill("link", _LINKS), **_fill("minutes", _MINUTES),
        **_fill("price", [price_format(c) for c in _CENTS]),
    }  # fmt: skip


def _finnish() -> _Language:
    products = _fill("product product_acc product_part", [
        ("kaura-latte", "kaura-laten", "kaura-lattea"), ("cappuccino", "cappuccinon", "cappuccinoa"),
        ("korvapuusti", "korvapuustin", "korvapuustia"), ("espresso", "espresson", "espressoa"),
        ("kylmäuute", "kylmäuutteen", "kylmäuutetta"), ("flat white", "flat whiten", "flat whitea"),
        ("karjalanpiirakka", "karjalanpiirakan", "karjalanpiirakkaa"),
        ("mustikkapiirakka", "mustikkapiirakan", "mustikkapiirakkaa"),
        ("chai latte", "chai laten", "chai lattea"), ("lohileipä", "lohileivän", "lohileipää"),
        ("Tumma paahto", "Tumman paahdon", "Tummaa paahtoa"),
        ("Vaalea paahto", "Vaalean paahdon", "Vaaleaa paahtoa"),
        ("Saaristo-paahto", "Saaristo-paahdon", "Saaristo-paahtoa"),
        ("suodatinkahvi", "suodatinkahvin", "suodatinkahvia"), ("mokkapala", "mokkapalan", "mokkapalaa"),
        ("kardemummapulla", "kardemummapullan", "kardemummapullaa"),
        ("gluteeniton brownie", "gluteenittoman brownien", "gluteenitonta browniea"),
    ])  # fmt: skip
    places = _fill("cafe at place", [
        ("Kampin kahvila", "Kampissa", "kamppi"), ("Kallion kahvila", "Kalliossa", "kallio"),
        ("Töölön kahvila", "Töölössä", "toolo"), ("Punavuoren kahvila", "Punavuoressa", "punavuori"),
        ("Itäkeskuksen kahvila", "Itäkeskuksessa", "itakeskus"), ("Pasilan kahvila", "Pasilassa", "pasila"),
        ("Hämeenkadun kahvila", "Tampereen Hämeenkadulla", "tampere-hameenkatu"),
        ("Ratinan kahvila", "Ratinassa", "tampere-ratina"), ("Hervannan kahvila", "Hervannassa", "hervanta"),
        ("Aurakadun kahvila", "Turun Aurakadulla", "turku-aurakatu"),
        ("Kauppatorin kahvila", "Turun kauppatorilla", "turku-kauppatori"),
        ("Rotuaarin kahvila", "Oulun Rotuaarilla", "oulu-rotuaari"),
        ("Linnanmaan kahvila", "Linnanmaalla", "oulu-linnanmaa"), ("Tapiolan kahvila", "Tapiolassa", "tapiola"),
        ("Leppävaaran kahvila", "Leppävaarassa", "leppavaara"), ("Jyväskylän kahvila", "Jyväskylässä", "jyvaskyla"),
        ("Lahden kahvila", "Lahdessa", "lahti"), ("Kuopion kahvila", "Kuopiossa", "kuopio"),
    ])  # fmt: skip
    when = _fill("when", _lines("""
        eilen
        tänään
        tänä aamuna
        viime viikolla
        lauantaina
        sunnuntaina
        eilen illalla
        maanantaiaamuna
    """))
    bodies = {
        "question": _lines("""
            Onko {at} gluteenittomia leivonnaisia?
            Mihin aikaan {cafe} aukeaa viikonloppuna?
            Paljonko {product} maksaa nykyään?
            Onko {product} vegaaninen?
            Voiko {product_part} tilata kotiinkuljetuksella?
            Toimiiko kotiinkuljetus myös {at}?
            Mistä voi ostaa lahjakortin ja käykö se kaikissa kahviloissa?
            Onko lahjakorteilla viimeinen käyttöpäivä?
            Haetteko kesätyöntekijöitä {at}?
            Mihin osoitteeseen voin lähettää työhakemuksen?
            Onko {cafe} auki jouluaattona?
            Paljonko kahvipussi maksaa verkkokaupassa?
            Saako teiltä papuja jauhettuna pressopannuun?
            Onko {at} pistorasioita läppärille?
            Myyttekö {product_part} myös kaupoissa?
            Onko {product} taas saatavilla? Se oli viime viikolla loppu.
            Kauanko toimituksessa yleensä menee?
            Onko teillä opiskelija-alennusta?
            Pitääkö pöytä varata etukäteen vai voiko vaan tulla?
            Onko {cafe} esteetön? Tulossa pyörätuolin kanssa.
            Miksi {product} maksaa {price}? Ennen se oli halvempi.
            Voiko lahjakortin saldon tarkistaa sovelluksesta?
        """),
        "complaint": _lines("""
            Tilasin {product_acc} {at} ja se oli ihan kylmä.
            Jonotin {at} {minutes} minuuttia yhtä {product_part}.
            Sain väärän tilauksen: tilasin {product_acc}, mutta sain jotain ihan muuta.
            Sovellukseen ei pääse kirjautumaan, tulee vaan virheilmoitus.
            Kortilta veloitettiin sama ostos kahteen kertaan, {price} kahdesti!
            Palvelu {at} oli {when} tosi hidasta.
            {product} oli {when} palanut ja maistui karvaalta.
            Verkkokaupan tilaus {order} ei ole vieläkään tullut.
            Hinnat on taas nousseet, {product} maksaa jo {price}.
            Pöydät {at} oli likaisia eikä kukaan siivonnut.
            Sovellus kaatuu aina kun yritän maksaa.
            Kanta-asiakaspisteet katosi sovelluksesta.
            Musiikki {at} oli niin kovalla ettei kuullut omia ajatuksiaan.
            Lahjakortti ei kelvannut {at}, vaikka siinä luki että käy kaikkialla.
            Kauramaitoa ei ollut {when} eikä mitään vaihtoehtoa tarjottu.
            Kahvissa oli {when} outo sivumaku.
            Toimitus oli kaksi päivää myöhässä ja pussi oli revennyt.
            Henkilökunta ei edes tervehtinyt.
            Maksoin {price} ja {product} oli puoliksi tyhjä kuppi.
            Kirjautumiskoodi ei tule koskaan perille, joten en pääse sovellukseen.
        """),
        "praise": _lines("""
            Paras {product} ikinä!
            {cafe} on mun lempipaikka, aina ihana tunnelma.
            {product} {at} oli taas täydellinen.
            Kiitos ihanasta palvelusta, {staff} on paras!
            Ihan paras {product} koko kaupungissa.
            Rakastan teidän {product_part}!
            Henkilökunta {at} on aina niin ystävällistä.
            Kävin {when} {at} ja {product} oli mahtava.
            Tumma paahto on ainoa kahvi jota juon kotona.
            {product} ja hyvä kirja, täydellinen sunnuntai.
            Nopea toimitus ja kahvi maistuu upealta.
            Uusi kausijuoma on tosi hyvä!
            Ennakkotilaus sovelluksella on tosi kätevä, kahvi oli valmiina kun tulin.
            Näin hyvää {product_part} ei saa mistään muualta.
            Kiitos kun jaksatte olla aina niin iloisia aamuisin.
        """),
        "chat": _lines("""
            Kuka muu juo jo kolmatta kuppia?
            Maanantai ilman kahvia on mahdoton.
            Nähdään {at}! @{friend}
            @{friend} mennäänkö {when} kahville?
            Syksy tuli, eli kausijuoma-aika!
            Ootteko jo kokeilleet {product_part}?
            Kahvitauko on päivän tärkein hetki.
            Tässä sitä istutaan {at} ja katsellaan sadetta.
            @{friend} tää on se paikka josta puhuin
            Kuvassa näyttää tosi hyvältä!
            Onpa kiva kuva.
            Meidän toimistolla juodaan vain teidän kahvia.
            Mikä on teidän suosikki: {product} vai korvapuusti?
            Kahvi kuuluu suomalaiseen päivään, ei siitä pääse mihinkään.
        """),
        "spam": _lines("""
            Onnittelut! Voitit 500 € lahjakortin, lunasta tästä: {link}
            Ansaitse 3000 € viikossa kotoa käsin, kysy lisää yksityisviestillä
            Haluatko lisää seuraajia? Laita viestiä!
            Bitcoin-sijoitus tuotti minulle 20 000 € kuukaudessa, katso {link}
            Ilmaisia lahjakortteja jaossa nyt: {link}
            Tilisi suljetaan, vahvista tietosi: {link}
        """),
        "mixed": _lines("""
            {product} oli ihan ok, mutta {price} on vähän kova hinta.
            Kiva tunnelma {at}, mutta jono oli pitkä.
            Kahvi hyvää, leivonnaiset vähän kuivia.
            Perus kahvila, ei mitään erityistä.
            Palvelu ystävällistä mutta hidasta.
            Hyvä {product}, mutta vapaata pöytää sai etsiä pitkään.
        """),
        "followup": _lines("""
            Onko tähän tulossa vastausta?
            Tilausnumero on {order}.
            Lisään vielä, että sama ongelma oli myös {when}.
            Haloo?
            Kiitos, odotan vastausta.
            Laitoin myös sähköpostia asiakaspalveluun.
            Kuitti on tallessa jos tarvitsette sen.
            Eli voinko odottaa hyvitystä?
        """),
        "post": _lines("""
            Uusi {product} on nyt saatavilla kaikissa kahviloissamme! ☕
            Syksyn kausijuoma on täällä, tule maistamaan {at}!
            Avasimme uuden kahvilan {at}. Tervetuloa!
            Viikonlopun vinkki: {product} ja hyvä kirja.
            Paahtajamme kertoo blogissa, miten Tumma paahto syntyy.
            Tänään {product} puoleen hintaan klo 14–16.
            Kiitos kun olette mukana, tänään täytämme 12 vuotta!
            Haemme kesätyöntekijöitä {at}. Hae viimeistään perjantaina.
        """),
        "ad": _lines("""
            Tilaa Tumma paahto kotiin: ensimmäinen tilaus -30 % koodilla {code}.
            Kahvin ystävä? Kokeile kuukausitilausta, toimitus veloituksetta.
            Lataa Aalto Kahvi -sovellus ja seuraava kahvi on meiltä.
            Lahjakortti on aina oikean kokoinen. Osta verkkokaupasta.
        """),
        "reply_praise": _lines("""
            Kiitos {customer}, ilahdutit koko tiimin! ☕
            Kiva kuulla, {customer}! Tervetuloa uudestaan.
        """),
        "reply_complaint": _lines("""
            Hei {customer}, olemme pahoillamme! Laitatko yksityisviestillä lisätietoja, niin selvitetään asia.
            Pahoittelut {customer}! Välitimme palautteen kahvilalle.
        """),
        "reply_question": _lines("""
            Hei {customer}! Kahvilamme ovat auki arkisin 7–19 ja viikonloppuisin 9–17.
            Hei {customer}, hyvä kysymys! Vastaus löytyy verkkosivujemme usein kysytyistä.
        """),
        "reply_chat": _lines("""
            Kiitos viestistä, {customer}! 😊
            Kiitos {customer}, mukava kuulla!
        """),
    }
    endings = {
        "question": _opt("Kiitos!\nKiitos etukäteen!\nKiitos vastauksesta 🙏\nKiitti!", 4),
        "complaint": _opt("Ei kivaa.\nToivottavasti korjaatte asian.\nOdotan vastausta.\n"
                          "Aika pettymys.\nEi ensimmäinen kerta.", 3),  # fmt: skip
        "praise": _opt("Kiitos!\nJatkakaa samaan malliin!\nIhan paras!\nSuosittelen!\nNähdään taas!", 3),
        "chat": _opt("Hyvää päivänjatkoa!\nNäin on.", 4),
        "spam": _opt("Kiirehdi!\nVain tänään!", 1),
        "mixed": _opt("Ehkä tulen vielä uudestaan.\nKolme tähteä.", 2),
    }
    return _Language(
        code="fi",
        openings=_opt("Moi!\nHei!\nMoikka!\nTerve!\nHuomenta!\nHei Aalto Kahvi!\nNo niin.", 7),
        bodies=bodies,
        endings=endings,
        fills={**products, **places, **when,
               **_shared_fills(lambda c: f"{c // 100},{c % 100:02d} €")},  # fmt: skip
        hashtags="#kahvi #aaltokahvi #kahvihetki #pulla #helsinki #tampere #turku #oulu #kahvila "
        "#aamukahvi #latte #korvapuusti #maanantai".split(),
        alts=["Kuva: kahvikuppi pöydällä", "Kuva: korvapuusti ja latte", "Kuva: kahvilan ikkuna"],
        accents=str.maketrans("äöÄÖå", "aoAOa"),
    )


def _english() -> _Language:
    products = _fill("product product_acc product_part", [
        ("oat latte", "an oat latte"), ("cappuccino", "a cappuccino"), ("cinnamon bun", "a cinnamon bun"),
        ("korvapuusti", "a korvapuusti"), ("espresso", "an espresso"), ("cold brew", "a cold brew"),
        ("Karelian pie", "a Karelian pie"), ("flat white", "a flat white"), ("chai latte", "a chai latte"),
        ("salmon sandwich", "a salmon sandwich"), ("Tumma paahto", "a bag of Tumma paahto"),
        ("filter coffee", "a filter coffee"), ("cardamom bun", "a cardamom bun"),
        ("blueberry pie", "a slice of blueberry pie"),
    ])  # fmt: skip
    places = _fill("cafe at place", [
        ("Kamppi", "your Kamppi café", "kamppi"), ("Kallio", "the Kallio café", "kallio"),
        ("Töölö", "your Töölö café", "toolo"), ("Punavuori", "the Punavuori café", "punavuori"),
        ("Pasila", "the Pasila café", "pasila"), ("Hämeenkatu", "your Hämeenkatu café in Tampere",
        "tampere-hameenkatu"), ("Ratina", "the Ratina café in Tampere", "tampere-ratina"),
        ("Aurakatu", "your Aurakatu café in Turku", "turku-aurakatu"),
        ("Rotuaari", "the Rotuaari café in Oulu", "oulu-rotuaari"), ("Tapiola", "your Tapiola café", "tapiola"),
        ("Jyväskylä", "the Jyväskylä café", "jyvaskyla"), ("Kuopio", "your Kuopio café", "kuopio"),
    ])  # fmt: skip
    when = _fill("when", "yesterday|today|this morning|last week|on Saturday|on Sunday|last night|"
                 "on Monday morning".split("|"))  # fmt: skip
    bodies = {
        "question": _lines("""
            Do you have gluten-free options at {at}?
            What time does the {cafe} café open on Sundays?
            How much is the {product} these days?
            Is the {product} vegan?
            Can I buy a gift card online, and does it work in every café?
            Are you hiring baristas at {at}?
            Where can I send a job application?
            Is there wifi at {at}?
            Do you ship abroad? I'd love to send some Tumma paahto to my sister in Berlin.
            Is the {product} available again? It was sold out last week.
            Do you have a student discount?
            Can I book a table at {at} for a group of eight?
            Is {at} wheelchair accessible?
            Do you deliver to Espoo?
            How do I check my gift card balance?
        """),
        "complaint": _lines("""
            My {product} was cold {when}. Not great.
            Waited {minutes} minutes for {product_acc} at {at}.
            Got the wrong order {when}: I asked for {product_acc} and got something else entirely.
            Can't log in to the app, it just says "something went wrong".
            You charged my card twice for the same order, {price} two times!
            Web shop order {order} still hasn't arrived.
            Service at {at} was painfully slow {when}.
            The {product} tasted burnt {when}.
            Prices keep going up, {price} for {product_acc} is a lot.
            Tables at {at} were sticky and nobody cleaned them.
            The app crashes every time I try to pay.
            My loyalty points disappeared from the app.
            The gift card wasn't accepted at {at}.
            No oat milk {when} and no alternative offered.
            The login code never arrives so I'm locked out of the app.
        """),
        "praise": _lines("""
            Best {product} in town!
            {at} is my happy place.
            The {product} at {at} was perfect again.
            Huge thanks to {staff} for the lovely service!
            Staff at {at} are always so friendly.
            Your Tumma paahto is the only coffee I brew at home.
            Fast delivery and the beans smell amazing.
            The new seasonal drink is so good!
            Ordering ahead in the app is so handy, my coffee was ready when I walked in.
            Honestly the best {product} I've had in Finland.
            Had {product_acc} at {at} {when} and it made my day.
        """),
        "chat": _lines("""
            Who else is on their third cup already?
            Monday without coffee? Impossible.
            @{friend} coffee at {at} later?
            Sitting at {at} watching the rain.
            @{friend} this is the place I told you about
            Love this photo!
            Coffee is basically a Finnish food group.
            Team {product} or team cinnamon bun?
            Our whole office runs on your coffee.
            First time in Finland, where should I get my coffee?
        """),
        "spam": _lines("""
            Congratulations! You've been selected for a FREE gift card, claim now: {link}
            I made $5,000 this week trading crypto, DM me to learn how
            Want 10k real followers? DM me!
            Bitcoin giveaway is live, send 0.1 BTC and get 0.2 back: {link}
            Promote your page with us, cheap and fast {link}
            Work from home and earn $300 a day, link in bio
            Your account will be suspended, verify here: {link}
        """),
        "mixed": _lines("""
            The {product} was fine but {price} is steep.
            Nice atmosphere at {at}, but the queue was long.
            Good coffee, the pastries were a bit dry.
            Decent café, nothing special.
            Friendly but slow service.
        """),
        "followup": _lines("""
            Any update on this?
            The order number is {order}.
            Just adding that the same thing happened {when}.
            Hello?
            Thanks, I'll wait to hear back.
            I also emailed customer service.
        """),
        "post": _lines("""
            Our new {product} is now in every café! ☕
            The autumn seasonal drink is here – come and try it at {at}!
            We just opened a new café in {cafe}. Welcome!
            Weekend tip: {product_acc} and a good book.
            Half-price {product} today from 2 to 4 pm.
        """),
        "ad": _lines("""
            Get Tumma paahto delivered – 30% off your first order with code {code}.
            Coffee lover? Try our monthly subscription with free shipping.
            Download the Aalto Kahvi app and your next coffee is on us.
        """),
        "reply_praise": ["Thank you {customer}, that made our day! ☕",
                         "So happy to hear that, {customer}! See you soon."],
        "reply_complaint": ["Hi {customer}, we're so sorry! Could you DM us the details so we can "
                            "sort this out?", "Sorry about that, {customer}. We've passed this on to "
                            "the café team."],
        "reply_question": ["Hi {customer}! Our cafés are open 7–19 on weekdays and 9–17 at weekends.",
                           "Hi {customer}, good question! The answer is in the FAQ on our website."],
        "reply_chat": ["Thanks for the message, {customer}! 😊"],
    }  # fmt: skip
    endings = {
        "question": _opt("Thanks!\nThanks in advance!\nCheers 🙏", 4),
        "complaint": _opt("Not impressed.\nPlease fix this.\nWaiting for an answer.\n"
                          "Really disappointed.\nNot the first time either.", 3),  # fmt: skip
        "praise": _opt("Thank you!\nKeep it up!\nHighly recommend!\nSee you soon!", 3),
        "chat": _opt("Have a nice day!\nJust saying.", 4),
        "spam": _opt("Hurry!\nToday only!", 1),
        "mixed": _opt("Might come back.\nThree stars.", 2),
    }
    return _Language(
        code="en",
        openings=_opt("Hi!\nHello!\nHey team!\nHey Aalto Kahvi!\nGood morning!", 7),
        bodies=bodies,
        endings=endings,
        fills={**products, **places, **when, **_shared_fills(lambda c: f"€{c // 100}.{c % 100:02d}")},
        hashtags="#coffee #coffeetime #helsinki #visitfinland #latte #cafe #aaltokahvi".split(),
        alts=["Photo: a cup of coffee on a table", "Photo: cinnamon bun and latte"],
    )


def _swedish() -> _Language:
    products = _fill("product product_acc product_part", [
        "havrelatte", "cappuccino", "kanelbulle", "espresso", "kallbrygg", "karelsk pirog",
        "blåbärspaj", "filterkaffe", "kardemummabulle", "laxsmörgås", "Tumma paahto",
    ])
    places = _fill("cafe at place", [
        ("Kampen", "i Kampen", "kamppi"), ("Berghäll", "i Berghäll", "kallio"), ("Tölö", "på Tölö", "toolo"),
        ("Rödbergen", "i Rödbergen", "punavuori"), ("Böle", "i Böle", "pasila"),
        ("Tammerfors", "i Tammerfors", "tampere-hameenkatu"), ("Åbo", "i Åbo", "turku-aurakatu"),
        ("Uleåborg", "i Uleåborg", "oulu-rotuaari"), ("Hagalund", "i Hagalund", "tapiola"),
    ])  # fmt: skip
    when = _fill("when", "i går|i dag|i morse|förra veckan|i lördags|i söndags|i går kväll".split("|"))
    bodies = {
        "question": _lines("""
            Har ni glutenfria alternativ {at}?
            När öppnar kaféet {at} på lördag?
            Vad kostar {product} nuförtiden?
            Kan man köpa presentkort i appen?
            Söker ni sommarjobbare {at}?
            Levererar ni kaffe hem?
            Är {product} vegansk?
            Gäller presentkortet på alla kaféer?
        """),
        "complaint": _lines("""
            Min {product} var helt kall {when}.
            Jag köade {minutes} minuter {at}.
            Fick fel beställning {when}.
            Det går inte att logga in i appen.
            Kortet debiterades två gånger, {price} två gånger!
            Beställning {order} har fortfarande inte kommit.
            Servicen {at} var väldigt långsam {when}.
        """),
        "praise": _lines("""
            Bästa {product} i stan!
            Tack för trevlig service {at}!
            {product} var perfekt i dag.
            Mitt favoritkafé, alltid mysigt.
            Personalen {at} är så trevlig.
            Härlig fika {at} {when}.
        """),
        "chat": _lines("""
            Måndag utan kaffe är omöjligt.
            @{friend} ska vi ta en fika {at}?
            Vem mer dricker sin tredje kopp i dag?
            Fint foto!
            Fika är livet.
            Sitter {at} och tittar på regnet.
        """),
        "spam": _lines("""
            Grattis! Du har vunnit ett presentkort på 500 €, hämta här: {link}
            Tjäna 3000 € i veckan hemifrån, skicka DM
            Vill du ha fler följare? Skicka ett meddelande!
        """),
        "mixed": ["{product} var okej men lite dyr.", "Mysig stämning men lång kö.",
                  "Helt vanligt kafé, inget speciellt."],
        "followup": ["Har ni hunnit titta på det här?", "Ordernumret är {order}.",
                     "Tack, jag väntar på svar."],
        "post": ["Nu finns {product} på alla våra kaféer! ☕",
                 "Vi har öppnat ett nytt kafé {at}. Välkommen!",
                 "Höstens säsongsdryck är här – kom och smaka {at}!"],
        "ad": ["Beställ Tumma paahto hem – första beställningen -30 % med koden {code}.",
               "Ladda ner appen och få nästa kaffe gratis."],
        "reply_praise": ["Tack {customer}, vad roligt att höra! ☕"],
        "reply_complaint": ["Hej {customer}, vi beklagar! Skicka oss ett privat meddelande så "
                            "reder vi ut det."],
        "reply_question": ["Hej {customer}! Våra kaféer har öppet vardagar 7–19 och helger 9–17."],
        "reply_chat": ["Tack för ditt meddelande, {customer}! 😊"],
    }  # fmt: skip
    endings = {
        "question": _opt("Tack!\nTack på förhand!", 3),
        "complaint": _opt("Inte okej.\nHoppas ni fixar det.\nVäntar på svar.", 2),
        "praise": _opt("Tack!\nRekommenderas!\nVi ses!", 2),
        "chat": _opt("Ha en bra dag!", 3),
        "spam": _opt("Skynda!", 1),
        "mixed": _opt("Tre stjärnor.", 2),
    }
    return _Language(
        code="sv",
        openings=_opt("Hej!\nHejsan!\nTjena!\nGod morgon!", 6),
        bodies=bodies,
        endings=endings,
        fills={**products, **places, **when, **_shared_fills(lambda c: f"{c // 100},{c % 100:02d} €")},
        hashtags="#kaffe #fika #helsingfors #aaltokahvi".split(),
        alts=["Bild: en kopp kaffe på ett bord"],
        accents=str.maketrans("äöåÄÖÅ", "aoaAOA"),
    )


@functools.cache
def _languages() -> dict[str, _Language]:
    """Built once per process; `friend` tags point at real demo authors so @mentions resolve."""
    languages = {lang.code: lang for lang in (_finnish(), _english(), _swedish())}
    handles = [a.data["handle"] for pool in _authors().values() for a in pool[:400]]
    for lang in languages.values():
        lang.fills.update(_fill("friend", handles))
    return languages


# -- Authors ------------------------------------------------------------------------------------

_FI_FIRST = """Aino Eetu Emilia Juho Sanna Ville Noora Lauri Helmi Oskari Iida Joonas Mikko Laura Antti
Johanna Jukka Tiina Matti Pia Heikki Kaisa Timo Riikka Pekka Elina Tuomas Anni Janne Veera Sami Henna
Teemu Katja Aleksi Salla Niko Minna Olli Jenni Petri Satu Eero Outi Toni Maija Harri Liisa Arttu Venla
Kalle Sini Risto Paula Jari Milla Onni Ella Väinö Siiri""".split()
_FI_LAST = """Virtanen Korhonen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen Järvinen
Lehtonen Lehtinen Saarinen Salminen Heinonen Niemi Heikkilä Kinnunen Salonen Turunen Salo Laitinen
Tuominen Rantanen Karjalainen Jokinen Mattila Savolainen Lahtinen Ahonen Hiltunen Leinonen Kettunen
Miettinen Väisänen Pitkänen Räsänen Seppälä Aaltonen Hakala Manninen Peltonen Koivisto Anttila
Lappalainen Kärkkäinen Halonen Rautio Honkanen Vainio Ojala""".split()
_EN_FIRST = """Emma Olivia James Liam Noah Sophia Ava Lucas Mia Ethan Amelia Daniel Chloe Ahmed Fatima
Omar Priya Arjun Wei Mei Yuki Hiro Carlos Sofia Mateo Lucia Lukas Anna Felix Marie Ivan Olga Tomasz
Kasia Ali Leila Kwame Amara Jack Grace Ben Ella Sam Zoe Diego Elena Marco Giulia Pierre Camille""".split()
_EN_LAST = """Smith Johnson Brown Taylor Wilson Davies Evans Thomas Roberts Walker Hassan Khan Sharma
Patel Chen Wang Tanaka Sato Garcia Rodriguez Martinez Lopez Müller Schmidt Fischer Weber Dubois Martin
Rossi Bianchi Nowak Kowalski Ivanova Petrov Mensah Okafor O'Brien Murphy Kim Park Nguyen Silva Santos
Jansen Novak""".split()
_SV_FIRST = """Johan Linnea Elin Mikael Ebba Oskar Alva Henrik Frida Erik Matilda Anders Sara Jonas Emma
Axel Wilma Fredrik Ida Kristian""".split()
_SV_LAST = """Lindholm Sundström Ekholm Nyberg Lindqvist Björklund Holmberg Sjöberg Forsman Grönroos
Wikström Lindberg Nyström Backman Enqvist Åström Strandberg Eriksson""".split()
_SPAM_WORDS = ("crypto", "btc", "followers", "promo", "giveaway", "insta", "growth", "forex", "nft")
_SPAM_TAILS = ("_king", ".boost", "_queen", "_official", ".daily", "_mentor", ".pro", "_winner")
_SPAM_NAMES = ("Crypto Mentor Anna", "Followers Boost", "Giveaway Official ✅", "Forex Trader Mike",
               "Promo Winners", "Insta Growth Pro", "BTC Doubler", "Lucky Draw Team")  # fmt: skip
_POOL_SIZES = {"fi": 1900, "en": 900, "sv": 200}
_ASCII = str.maketrans({"ä": "a", "ö": "o", "å": "a", "ü": "u", "'": "", " ": ""})


@dataclass(frozen=True, slots=True)
class _Author:
    data: dict[str, Any]  # the item's author object; copied per item so consumers may mutate theirs
    first_name: str


def _make_author(n: int, handle: str, name: str, rng: random.Random) -> _Author:
    external_id = f"u{n:05d}"
    # Most people have a picture; the rest show initials in the inbox.
    avatar = f"{BASE_URL}/avatars/{external_id}.png" if rng.random() < 0.7 else None
    data = {"external_id": external_id, "handle": handle, "name": name, "avatar_url": avatar}
    return _Author(data, name.split()[0])


def _handle(first: str, last: str, rng: random.Random) -> str:
    f, s = first.lower().translate(_ASCII), last.lower().translate(_ASCII)
    yy = rng.randint(60, 105) % 100
    styles = (f"{f}.{s}", f"{f}{s}{yy:02d}", f"{f}_{s[0]}", f"{f[0]}{s}", f"{s}.{f}",
              f"{f}{rng.randint(1, 999)}", f"{f}.kahvittelee", f"{f}_{s}_")  # fmt: skip
    return styles[rng.randrange(len(styles))]


def _people(rng: random.Random, names: tuple[list[str], list[str]], size: int, n0: int,
            taken: set[str]) -> list[_Author]:  # fmt: skip
    firsts, lasts = names
    people = []
    while len(people) < size:
        first, last = rng.choice(firsts), rng.choice(lasts)
        handle = _handle(first, last, rng)
        if handle in taken:
            continue
        taken.add(handle)
        name = f"{first} {last}" if rng.random() < 0.8 else f"{first} {last[0]}."
        people.append(_make_author(n0 + len(people), handle, name, rng))
    return people


@functools.cache
def _authors() -> dict[str, list[_Author]]:
    """A fixed pool, the same for every seed, so an author id means the same person in every run."""
    rng = random.Random(20251125)  # noqa: S311 (demo data, not security)
    taken: set[str] = {BRAND_HANDLE}
    pools: dict[str, list[_Author]] = {}
    n0 = 1
    for code, names in (("fi", (_FI_FIRST, _FI_LAST)), ("en", (_EN_FIRST, _EN_LAST)),
                        ("sv", (_SV_FIRST, _SV_LAST))):  # fmt: skip
        pools[code] = _people(rng, names, _POOL_SIZES[code], n0, taken)
        n0 += len(pools[code])
    spam = []
    for word in _SPAM_WORDS:
        for tail in _SPAM_TAILS:
            handle = f"{word}{tail}{rng.randint(10, 9999)}"
            spam.append(_make_author(n0 + len(spam), handle, rng.choice(_SPAM_NAMES), rng))
    pools["spam"] = spam
    return pools


_BRAND = _Author(
    {"external_id": "brand", "handle": BRAND_HANDLE, "name": BRAND_NAME,
     "avatar_url": f"{BASE_URL}/avatars/{BRAND_HANDLE}.png"},
    BRAND_NAME,
)  # fmt: skip
