"""Demo traffic: a believable stream of normalized items for the fictional brand Aalto Kahvi.

Pure (no database, no Django) so the same generator seeds the demo inbox, feeds the live demo
stream and drives the ingest benchmark. Items are the JSON shape that ``POST /api/v1/ingest``
accepts. Everything is drawn from one seeded ``random.Random``, so a seed reproduces a run; the
text templates and names below were written for this module, not copied from any corpus.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import random
import secrets
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

BRAND_HANDLE = "aaltokahvi"
BRAND_NAME = "Aalto Kahvi"
NETWORK = "demo"
# `.invalid` never resolves (RFC 2606), so demo links reach no real site; connector.py agrees.
BASE_URL = "https://demo.invalid"

Item = dict[str, Any]
_Rows = list[tuple[str, ...]]
_Fills = dict[str, tuple[tuple[str, ...], _Rows]]
_Random = Callable[[], float]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HOUR_US = 3_600_000_000
# Relative traffic per local (Helsinki) hour: quiet nights, a morning-coffee peak, a busy evening.
_HOURLY = (2, 1, 1, 1, 1, 2, 5, 10, 14, 13, 11, 12, 14, 12, 10, 10, 11, 12, 13, 15, 16, 14, 10, 5)
_HELSINKI_UTC_OFFSET_H = 2  # DST moves the curve by an hour; irrelevant for demo traffic.
_MAX_RHYTHM_HOURS = 24 * 366 * 3  # beyond this the per-hour table costs more than it shows

_LANGUAGES = (("fi", 65), ("en", 30), ("sv", 5))
_KINDS = (
    ("comment", 43),
    ("ad_comment", 13),
    ("dm", 19),
    ("mention", 10),
    ("review", 10),
    ("reply", 3),
    ("post", 2),
)
_TOPICS = {
    "comment": (("praise", 30), ("question", 22), ("complaint", 15), ("chat", 25), ("spam", 8)),
    # Ads draw the crowds that complain about prices, ask about the offer and post spam.
    "ad_comment": (("praise", 15), ("question", 25), ("complaint", 20), ("chat", 15), ("spam", 25)),
    "mention": (("praise", 50), ("chat", 35), ("complaint", 12), ("question", 3)),
    "dm": (("question", 45), ("complaint", 35), ("praise", 8), ("chat", 5), ("spam", 7)),
}
_RATINGS = ((5, 40), (4, 25), (3, 13), (2, 9), (1, 13))
# Which kind of brand answer fits what the customer wrote.
_REPLY_TOPIC = {
    "praise": "praise",
    "complaint": "complaint",
    "question": "question",
    "chat": "chat",
    "mixed": "complaint",
}
_EMOJI = {
    "praise": ("☕", "😍", "❤️", "👌", "🙌", "😊", "🥐", "💛", "🤩"),
    "complaint": ("😡", "😤", "🙄", "😞", "👎", "😒", "🤬"),
    "question": ("🤔", "🙏", "☺️", "🙂"),
    "chat": ("☕", "😄", "🌞", "🍂", "😅", "🌧️", "✨"),
    "spam": ("🚀", "💰", "🔥", "✅", "💯", "🤑"),
    "mixed": ("🤷", "😐", "🙂"),
}

# -- Content ------------------------------------------------------------------------------------
# Templates are one per line in plain blocks, so that adding one is a one-line diff. Slots such as
# {product} are filled per language; Finnish needs a product in three cases (nominative, accusative,
# partitive), written out below rather than inflected by code.


def _lines(block: str) -> list[str]:
    return [line.strip() for line in block.strip().splitlines()]


def _words(block: str) -> list[str]:
    return block.split()


def _optional(block: str, blanks: int) -> list[str]:
    """`blanks` empty entries make "no phrase at all" that much likelier."""
    return [""] * blanks + _lines(block)


def _fill(keys: str, block: str | list[str]) -> _Fills:
    """Slots drawn together so they agree: `a | b | c` rows give one value to each key.

    A language without those cases (English has no partitive) lists fewer forms per row; the
    missing ones reuse the first.
    """
    names = tuple(keys.split())
    lines = _lines(block) if isinstance(block, str) else block
    rows = []
    for line in lines:
        forms = tuple(form.strip() for form in line.split("|"))
        rows.append(forms + (forms[0],) * (len(names) - len(forms)))
    return dict.fromkeys(names, (names, rows))


@dataclass(frozen=True)
class _Language:
    """Everything needed to write in one language: templates by topic and their fill-ins."""

    code: str
    openings: list[str]
    bodies: dict[str, list[str]]
    endings: dict[str, list[str]]
    fills: _Fills
    hashtags: list[str]
    alts: list[str]
    accents: dict[int, Any] = field(default_factory=dict)


_ORDERS = [f"#{n}" for n in random.Random(7).sample(range(10_000, 99_999), 300)]  # noqa: S311
_CENTS = (350, 390, 420, 450, 480, 490, 520, 550, 590, 650, 790, 1290, 1490)
_SHARED_FILLS: _Fills = {
    **_fill("order", _ORDERS),
    **_fill("staff", _words("Aino Eetu Emilia Juho Sanna Ville Noora Lauri Helmi Oskari Iida")),
    **_fill("code", _words("AALTO30 KAHVI20 SYKSY15 PAAHTO25 TERVETULOA AAMU10")),
    **_fill("minutes", _words("15 20 25 30 35 40 45")),
    # Scam links on reserved `.example` domains: realistic shapes for the spam filter, no real site.
    **_fill(
        "link",
        """
        https://aalto-kahvi-lahjakortti.example/lunasta
        https://free-giftcards-now.example/aalto
        https://crypto-double.example/btc?ref=coffee
        https://followers-boost.example/get
        https://promo-winners.example/claim/7Q2k
        https://aaltokahvi-support.example/login
        """,
    ),
}


def _euros(sep: str, sign_first: bool) -> _Fills:
    prices = [f"{c // 100}{sep}{c % 100:02d}" for c in _CENTS]
    return _fill("price", [f"€{p}" if sign_first else f"{p} €" for p in prices])


_FI_FILLS = {
    **_fill(
        "product product_acc product_part",
        """
        kaura-latte | kaura-laten | kaura-lattea
        cappuccino | cappuccinon | cappuccinoa
        korvapuusti | korvapuustin | korvapuustia
        espresso | espresson | espressoa
        kylmäuute | kylmäuutteen | kylmäuutetta
        flat white | flat whiten | flat whitea
        karjalanpiirakka | karjalanpiirakan | karjalanpiirakkaa
        mustikkapiirakka | mustikkapiirakan | mustikkapiirakkaa
        chai latte | chai laten | chai lattea
        lohileipä | lohileivän | lohileipää
        Tumma paahto | Tumman paahdon | Tummaa paahtoa
        Vaalea paahto | Vaalean paahdon | Vaaleaa paahtoa
        Saaristo-paahto | Saaristo-paahdon | Saaristo-paahtoa
        suodatinkahvi | suodatinkahvin | suodatinkahvia
        mokkapala | mokkapalan | mokkapalaa
        kardemummapulla | kardemummapullan | kardemummapullaa
        gluteeniton brownie | gluteenittoman brownien | gluteenitonta browniea
        """,
    ),
    # The café by name, where ("in Kamppi"), and a slug shared by all languages for review places.
    **_fill(
        "cafe at place",
        """
        Kampin kahvila | Kampissa | kamppi
        Kallion kahvila | Kalliossa | kallio
        Töölön kahvila | Töölössä | toolo
        Punavuoren kahvila | Punavuoressa | punavuori
        Itäkeskuksen kahvila | Itäkeskuksessa | itakeskus
        Pasilan kahvila | Pasilassa | pasila
        Hämeenkadun kahvila | Tampereen Hämeenkadulla | tampere-hameenkatu
        Ratinan kahvila | Ratinassa | tampere-ratina
        Hervannan kahvila | Hervannassa | tampere-hervanta
        Aurakadun kahvila | Turun Aurakadulla | turku-aurakatu
        Kauppatorin kahvila | Turun kauppatorilla | turku-kauppatori
        Rotuaarin kahvila | Oulun Rotuaarilla | oulu-rotuaari
        Linnanmaan kahvila | Linnanmaalla | oulu-linnanmaa
        Tapiolan kahvila | Tapiolassa | espoo-tapiola
        Leppävaaran kahvila | Leppävaarassa | espoo-leppavaara
        Jyväskylän kahvila | Jyväskylässä | jyvaskyla
        Lahden kahvila | Lahdessa | lahti
        Kuopion kahvila | Kuopiossa | kuopio
        """,
    ),
    **_fill(
        "when",
        """
        eilen
        tänään
        tänä aamuna
        viime viikolla
        lauantaina
        sunnuntaina
        eilen illalla
        maanantaiaamuna
        """,
    ),
    **_euros(",", sign_first=False),
}

_FI_BODIES = {
    "question": """
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
    """,
    "complaint": """
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
    """,
    "praise": """
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
    """,
    "chat": """
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
        Mikä on teidän suosikki kahvin kanssa, pulla vai piirakka?
        Kahvi kuuluu suomalaiseen päivään, ei siitä pääse mihinkään.
    """,
    "spam": """
        Onnittelut! Voitit 500 € lahjakortin, lunasta tästä: {link}
        Ansaitse 3000 € viikossa kotoa käsin, kysy lisää yksityisviestillä
        Haluatko lisää seuraajia? Laita viestiä!
        Bitcoin-sijoitus tuotti minulle 20 000 € kuukaudessa, katso {link}
        Ilmaisia lahjakortteja jaossa nyt: {link}
        Tilisi suljetaan, vahvista tietosi: {link}
    """,
    "mixed": """
        {product} oli ihan ok, mutta {price} on vähän kova hinta.
        Kiva tunnelma {at}, mutta jono oli pitkä.
        Kahvi hyvää, leivonnaiset vähän kuivia.
        Perus kahvila, ei mitään erityistä.
        Palvelu ystävällistä mutta hidasta.
        Hyvä {product}, mutta vapaata pöytää sai etsiä pitkään.
    """,
    "followup": """
        Onko tähän tulossa vastausta?
        Tilausnumero on {order}.
        Lisään vielä, että sama ongelma oli myös {when}.
        Haloo?
        Kiitos, odotan vastausta.
        Laitoin myös sähköpostia asiakaspalveluun.
        Kuitti on tallessa jos tarvitsette sen.
        Eli voinko odottaa hyvitystä?
        Onko kukaan ehtinyt katsoa tätä?
        Sain nyt kuvan kuitista, lähetänkö sen tänne?
        Kokeilin uudestaan {when}, sama juttu.
        Soitin myös asiakaspalveluun mutta kukaan ei vastannut.
        Okei, kiitos tiedosta.
        Asia on edelleen selvittämättä.
    """,
    "post": """
        Uusi {product} on nyt saatavilla kaikissa kahviloissamme! ☕
        Syksyn kausijuoma on täällä, tule maistamaan {at}!
        Avasimme uuden kahvilan {at}. Tervetuloa!
        Viikonlopun vinkki: {product} ja hyvä kirja.
        Paahtajamme kertoo blogissa, miten Tumma paahto syntyy.
        Tänään {product} puoleen hintaan klo 14-16.
        Kiitos kun olette mukana, tänään täytämme 12 vuotta!
        Haemme kesätyöntekijöitä {at}. Hae viimeistään perjantaina.
    """,
    "ad": """
        Tilaa Tumma paahto kotiin: ensimmäinen tilaus -30 % koodilla {code}.
        Kahvin ystävä? Kokeile kuukausitilausta, toimitus veloituksetta.
        Lataa Aalto Kahvi -sovellus ja seuraava kahvi on meiltä.
        Lahjakortti on aina oikean kokoinen. Osta verkkokaupasta.
    """,
    "reply_praise": """
        Kiitos {customer}, ilahdutit koko tiimin! ☕
        Kiva kuulla, {customer}! Tervetuloa uudestaan.
    """,
    "reply_complaint": """
        Hei {customer}, olemme pahoillamme! Selvitämme asian ja palaamme siihen pian.
        Pahoittelut {customer}! Välitimme palautteen kahvilalle.
    """,
    "reply_question": """
        Hei {customer}! Kahvilamme ovat auki arkisin 7-19 ja viikonloppuisin 9-17.
        Hei {customer}, hyvä kysymys! Vastaus löytyy verkkosivujemme usein kysytyistä.
    """,
    "reply_chat": """
        Kiitos viestistä, {customer}! 😊
        Kiitos {customer}, mukava kuulla!
    """,
}

_FI_ENDINGS = {
    "question": _optional("Kiitos!\nKiitos etukäteen!\nKiitos vastauksesta 🙏\nKiitti!", 4),
    "complaint": _optional(
        "Ei kivaa.\nToivottavasti korjaatte asian.\nOdotan vastausta.\nAika pettymys.\n"
        "Ei ensimmäinen kerta.",
        3,
    ),
    "praise": _optional("Kiitos!\nJatkakaa samaan malliin!\nIhan paras!\nSuosittelen!", 3),
    "chat": _optional("Hyvää päivänjatkoa!\nNäin on.", 4),
    "spam": _optional("Kiirehdi!\nVain tänään!", 1),
    "mixed": _optional("Ehkä tulen vielä uudestaan.\nKolme tähteä.", 2),
}

_EN_FILLS = {
    **_fill(
        "product product_acc",
        """
        oat latte | an oat latte
        cappuccino | a cappuccino
        cinnamon bun | a cinnamon bun
        korvapuusti | a korvapuusti
        espresso | an espresso
        cold brew | a cold brew
        Karelian pie | a Karelian pie
        flat white | a flat white
        chai latte | a chai latte
        salmon sandwich | a salmon sandwich
        Tumma paahto | a bag of Tumma paahto
        filter coffee | a filter coffee
        cardamom bun | a cardamom bun
        blueberry pie | a slice of blueberry pie
        """,
    ),
    **_fill(
        "cafe at place",
        """
        Kamppi | your Kamppi café | kamppi
        Kallio | the Kallio café | kallio
        Töölö | your Töölö café | toolo
        Punavuori | the Punavuori café | punavuori
        Pasila | the Pasila café | pasila
        Hämeenkatu | your Hämeenkatu café in Tampere | tampere-hameenkatu
        Ratina | the Ratina café in Tampere | tampere-ratina
        Aurakatu | your Aurakatu café in Turku | turku-aurakatu
        Rotuaari | the Rotuaari café in Oulu | oulu-rotuaari
        Tapiola | your Tapiola café | espoo-tapiola
        Jyväskylä | the Jyväskylä café | jyvaskyla
        Kuopio | your Kuopio café | kuopio
        """,
    ),
    **_fill(
        "when",
        """
        yesterday
        today
        this morning
        last week
        on Saturday
        on Sunday
        last night
        on Monday morning
        """,
    ),
    **_euros(".", sign_first=True),
}

_EN_BODIES = {
    "question": """
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
    """,
    "complaint": """
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
    """,
    "praise": """
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
    """,
    "chat": """
        Who else is on their third cup already?
        Monday without coffee? Impossible.
        @{friend} coffee at {at} later?
        Sitting at {at} watching the rain.
        @{friend} this is the place I told you about
        Love this photo!
        Coffee is basically a Finnish food group.
        Team coffee or team tea?
        Our whole office runs on your coffee.
        First time in Finland, where should I get my coffee?
    """,
    "spam": """
        Congratulations! You've been selected for a FREE gift card, claim now: {link}
        I made $5,000 this week trading crypto, DM me to learn how
        Want 10k real followers? DM me!
        Bitcoin giveaway is live, send 0.1 BTC and get 0.2 back: {link}
        Promote your page with us, cheap and fast {link}
        Work from home and earn $300 a day, link in bio
        Your account will be suspended, verify here: {link}
    """,
    "mixed": """
        The {product} was fine but {price} is steep.
        Nice atmosphere at {at}, but the queue was long.
        Good coffee, the pastries were a bit dry.
        Decent café, nothing special.
        Friendly but slow service.
    """,
    "followup": """
        Any update on this?
        The order number is {order}.
        Just adding that the same thing happened {when}.
        Hello?
        Thanks, I'll wait to hear back.
        I also emailed customer service.
        Has anyone had a chance to look at this?
        Tried again {when}, same problem.
        I can send a photo of the receipt if that helps.
        Ok, thanks for letting me know.
    """,
    "post": """
        Our new {product} is now in every café! ☕
        The autumn seasonal drink is here, come and try it at {at}!
        We just opened a new café in {cafe}. Welcome!
        Weekend tip: {product_acc} and a good book.
        Half-price {product} today from 2 to 4 pm.
    """,
    "ad": """
        Get Tumma paahto delivered: 30% off your first order with code {code}.
        Coffee lover? Try our monthly subscription with free shipping.
        Download the Aalto Kahvi app and your next coffee is on us.
    """,
    "reply_praise": """
        Thank you {customer}, that made our day! ☕
        So happy to hear that, {customer}! See you soon.
    """,
    "reply_complaint": """
        Hi {customer}, we're so sorry! We're looking into it and will get back to you soon.
        Sorry about that, {customer}. We've passed this on to the café team.
    """,
    "reply_question": """
        Hi {customer}! Our cafés are open 7-19 on weekdays and 9-17 at weekends.
        Hi {customer}, good question! The answer is in the FAQ on our website.
    """,
    "reply_chat": """
        Thanks for the message, {customer}! 😊
    """,
}

_EN_ENDINGS = {
    "question": _optional("Thanks!\nThanks in advance!\nCheers 🙏", 4),
    "complaint": _optional(
        "Not impressed.\nPlease fix this.\nWaiting for an answer.\nReally disappointed.\n"
        "Not the first time either.",
        3,
    ),
    "praise": _optional("Thank you!\nKeep it up!\nHighly recommend!\nSee you soon!", 3),
    "chat": _optional("Have a nice day!\nJust saying.", 4),
    "spam": _optional("Hurry!\nToday only!", 1),
    "mixed": _optional("Might come back.\nThree stars.", 2),
}

_SV_FILLS = {
    **_fill(
        "product",
        [
            *_words("havrelatte cappuccino kanelbulle espresso kallbrygg blåbärspaj filterkaffe"),
            *["karelsk pirog", "kardemummabulle", "laxsmörgås", "Tumma paahto"],
        ],
    ),
    **_fill(
        "cafe at place",
        """
        Kampen | i Kampen | kamppi
        Berghäll | i Berghäll | kallio
        Tölö | på Tölö | toolo
        Rödbergen | i Rödbergen | punavuori
        Böle | i Böle | pasila
        Tammerfors | i Tammerfors | tampere-hameenkatu
        Åbo | i Åbo | turku-aurakatu
        Uleåborg | i Uleåborg | oulu-rotuaari
        Hagalund | i Hagalund | espoo-tapiola
        """,
    ),
    **_fill(
        "when", _lines("i går\ni dag\ni morse\nförra veckan\ni lördags\ni söndags\ni går kväll")
    ),
    **_euros(",", sign_first=False),
}

_SV_BODIES = {
    "question": """
        Har ni glutenfria alternativ {at}?
        När öppnar kaféet {at} på lördag?
        Vad kostar {product} nuförtiden?
        Kan man köpa presentkort i appen?
        Söker ni sommarjobbare {at}?
        Levererar ni kaffe hem?
        Är {product} vegansk?
        Gäller presentkortet på alla kaféer?
    """,
    "complaint": """
        Min {product} var helt kall {when}.
        Jag köade {minutes} minuter {at}.
        Fick fel beställning {when}.
        Det går inte att logga in i appen.
        Kortet debiterades två gånger, {price} två gånger!
        Beställning {order} har fortfarande inte kommit.
        Servicen {at} var väldigt långsam {when}.
    """,
    "praise": """
        Bästa {product} i stan!
        Tack för trevlig service {at}!
        {product} var perfekt i dag.
        Mitt favoritkafé, alltid mysigt.
        Personalen {at} är så trevlig.
        Härlig fika {at} {when}.
    """,
    "chat": """
        Måndag utan kaffe är omöjligt.
        @{friend} ska vi ta en fika {at}?
        Vem mer dricker sin tredje kopp i dag?
        Fint foto!
        Fika är livet.
        Sitter {at} och tittar på regnet.
    """,
    "spam": """
        Grattis! Du har vunnit ett presentkort på 500 €, hämta här: {link}
        Tjäna 3000 € i veckan hemifrån, skicka DM
        Vill du ha fler följare? Skicka ett meddelande!
    """,
    "mixed": """
        {product} var okej men lite dyr.
        Mysig stämning men lång kö.
        Helt vanligt kafé, inget speciellt.
    """,
    "followup": """
        Har ni hunnit titta på det här?
        Ordernumret är {order}.
        Tack, jag väntar på svar.
        Jag försökte igen {when}, samma problem.
        Jag kan skicka en bild på kvittot.
    """,
    "post": """
        Nu finns {product} på alla våra kaféer! ☕
        Vi har öppnat ett nytt kafé {at}. Välkommen!
        Höstens säsongsdryck är här, kom och smaka {at}!
    """,
    "ad": """
        Beställ Tumma paahto hem: första beställningen -30 % med koden {code}.
        Ladda ner appen och få nästa kaffe gratis.
    """,
    "reply_praise": "Tack {customer}, vad roligt att höra! ☕",
    "reply_complaint": "Hej {customer}, vi beklagar! Vi tittar på det och återkommer snart.",
    "reply_question": "Hej {customer}! Våra kaféer har öppet vardagar 7-19 och helger 9-17.",
    "reply_chat": "Tack för ditt meddelande, {customer}! 😊",
}

_SV_ENDINGS = {
    "question": _optional("Tack!\nTack på förhand!", 3),
    "complaint": _optional("Inte okej.\nHoppas ni fixar det.\nVäntar på svar.", 2),
    "praise": _optional("Tack!\nRekommenderas!\nVi ses!", 2),
    "chat": _optional("Ha en bra dag!", 3),
    "spam": _optional("Skynda!", 1),
    "mixed": _optional("Tre stjärnor.", 2),
}


def _bodies(blocks: dict[str, str]) -> dict[str, list[str]]:
    return {topic: _lines(block) for topic, block in blocks.items()}


_FINNISH = _Language(
    code="fi",
    openings=_optional("Moi!\nHei!\nMoikka!\nTerve!\nHuomenta!\nHei Aalto Kahvi!\nNo niin.", 7),
    bodies=_bodies(_FI_BODIES),
    endings=_FI_ENDINGS,
    fills={**_SHARED_FILLS, **_FI_FILLS},
    hashtags=_words(
        "#kahvi #aaltokahvi #kahvihetki #pulla #helsinki #tampere #turku #oulu #kahvila "
        "#aamukahvi #latte #korvapuusti #maanantai"
    ),
    alts=["Kuva: kahvikuppi pöydällä", "Kuva: korvapuusti ja latte", "Kuva: kahvilan ikkuna"],
    accents=str.maketrans("äöÄÖ", "aoAO"),
)
_ENGLISH = _Language(
    code="en",
    openings=_optional("Hi!\nHello!\nHey team!\nHey Aalto Kahvi!\nGood morning!", 7),
    bodies=_bodies(_EN_BODIES),
    endings=_EN_ENDINGS,
    fills={**_SHARED_FILLS, **_EN_FILLS},
    hashtags=_words("#coffee #coffeetime #helsinki #visitfinland #latte #cafe #aaltokahvi"),
    alts=["Photo: a cup of coffee on a table", "Photo: cinnamon bun and latte"],
)
_SWEDISH = _Language(
    code="sv",
    openings=_optional("Hej!\nHejsan!\nTjena!\nGod morgon!", 6),
    bodies=_bodies(_SV_BODIES),
    endings=_SV_ENDINGS,
    fills={**_SHARED_FILLS, **_SV_FILLS},
    hashtags=_words("#kaffe #fika #helsingfors #aaltokahvi"),
    alts=["Bild: en kopp kaffe på ett bord"],
    accents=str.maketrans("äöåÄÖÅ", "aoaAOA"),
)


@functools.cache
def _languages() -> dict[str, _Language]:
    """The languages with `friend` tags added: they name real demo authors, so @mentions resolve."""
    friends = _fill(
        "friend", [a.data["handle"] for pool in _authors().values() for a in pool[:400]]
    )
    return {
        language.code: replace(language, fills={**language.fills, **friends})
        for language in (_FINNISH, _ENGLISH, _SWEDISH)
    }


# -- Authors ------------------------------------------------------------------------------------

_FI_FIRST = _words(
    """
    Aino Eetu Emilia Juho Sanna Ville Noora Lauri Helmi Oskari Iida Joonas Mikko Laura Antti
    Johanna Jukka Tiina Matti Pia Heikki Kaisa Timo Riikka Pekka Elina Tuomas Anni Janne Veera
    Sami Henna Teemu Katja Aleksi Salla Niko Minna Olli Jenni Petri Satu Eero Outi Toni Maija
    Harri Liisa Arttu Venla Kalle Sini Risto Paula Jari Milla Onni Ella Väinö Siiri
    """
)
_FI_LAST = _words(
    """
    Virtanen Korhonen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen Järvinen
    Lehtonen Lehtinen Saarinen Salminen Heinonen Niemi Heikkilä Kinnunen Salonen Turunen Salo
    Laitinen Tuominen Rantanen Karjalainen Jokinen Mattila Savolainen Lahtinen Ahonen Hiltunen
    Leinonen Kettunen Miettinen Väisänen Pitkänen Räsänen Seppälä Aaltonen Hakala Manninen
    Peltonen Koivisto Anttila Lappalainen Kärkkäinen Halonen Rautio Honkanen Vainio Ojala
    """
)
_EN_FIRST = _words(
    """
    Emma Olivia James Liam Noah Sophia Ava Lucas Mia Ethan Amelia Daniel Chloe Ahmed Fatima
    Omar Priya Arjun Wei Mei Yuki Hiro Carlos Sofia Mateo Lucia Lukas Anna Felix Marie Ivan
    Olga Tomasz Kasia Ali Leila Kwame Amara Jack Grace Ben Ella Sam Zoe Diego Elena Marco
    Giulia Pierre Camille
    """
)
_EN_LAST = _words(
    """
    Smith Johnson Brown Taylor Wilson Davies Evans Thomas Roberts Walker Hassan Khan Sharma
    Patel Chen Wang Tanaka Sato Garcia Rodriguez Martinez Lopez Müller Schmidt Fischer Weber
    Dubois Martin Rossi Bianchi Nowak Kowalski Ivanova Petrov Mensah Okafor O'Brien Murphy Kim
    Park Nguyen Silva Santos Jansen Novak
    """
)
_SV_FIRST = _words(
    """
    Johan Linnea Elin Mikael Ebba Oskar Alva Henrik Frida Erik Matilda Anders Sara Jonas Emma
    Axel Wilma Fredrik Ida Kristian
    """
)
_SV_LAST = _words(
    """
    Lindholm Sundström Ekholm Nyberg Lindqvist Björklund Holmberg Sjöberg Forsman Grönroos
    Wikström Lindberg Nyström Backman Enqvist Åström Strandberg Eriksson
    """
)
_SPAM_WORDS = ("crypto", "btc", "followers", "promo", "giveaway", "insta", "growth", "forex", "nft")
_SPAM_TAILS = ("_king", ".boost", "_queen", "_official", ".daily", "_mentor", ".pro", "_winner")
_SPAM_NAMES = (
    "Crypto Mentor Anna",
    "Followers Boost",
    "Giveaway Official ✅",
    "Forex Trader Mike",
    "Promo Winners",
    "Insta Growth Pro",
    "BTC Doubler",
    "Lucky Draw Team",
)
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
    styles = (
        f"{f}.{s}",
        f"{f}{s}{yy:02d}",
        f"{f}_{s[0]}",
        f"{f[0]}{s}",
        f"{s}.{f}",
        f"{f}{rng.randint(1, 999)}",
        f"{f}.kahvittelee",
        f"{f}_{s}_",
    )
    return styles[rng.randrange(len(styles))]


def _people(
    rng: random.Random, names: tuple[list[str], list[str]], size: int, n0: int, taken: set[str]
) -> list[_Author]:
    firsts, lasts = names
    people: list[_Author] = []
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
    for code, names in (
        ("fi", (_FI_FIRST, _FI_LAST)),
        ("en", (_EN_FIRST, _EN_LAST)),
        ("sv", (_SV_FIRST, _SV_LAST)),
    ):
        pools[code] = _people(rng, names, _POOL_SIZES[code], n0, taken)
        n0 += len(pools[code])
    spam: list[_Author] = []
    for word in _SPAM_WORDS:
        for tail in _SPAM_TAILS:
            handle = f"{word}{tail}{rng.randint(10, 9999)}"
            spam.append(_make_author(n0 + len(spam), handle, rng.choice(_SPAM_NAMES), rng))
    pools["spam"] = spam
    return pools


_BRAND = _Author(
    {
        "external_id": "brand",
        "handle": BRAND_HANDLE,
        "name": BRAND_NAME,
        "avatar_url": f"{BASE_URL}/avatars/{BRAND_HANDLE}.png",
    },
    BRAND_NAME,
)


# -- Drawing ------------------------------------------------------------------------------------


def _pick(rand: _Random, seq: Sequence[Any]) -> Any:
    # About three times faster than Random.choice, which matters at 100k items a second.
    return seq[int(rand() * len(seq))]


class _Weighted:
    """A weighted choice over a fixed table: one random number and a bisect per draw."""

    def __init__(self, table: Sequence[tuple[Any, int]]) -> None:
        self._values = [value for value, _ in table]
        self._cumulative: list[float] = []
        total = 0
        for _, weight in table:
            total += weight
            self._cumulative.append(total)
        self._total = total

    def pick(self, rand: _Random) -> Any:
        return self._values[bisect_right(self._cumulative, rand() * self._total)]


class _Slots(dict[str, str]):
    """Template fill-ins, drawn lazily so a template pays only for the slots it uses.

    Slots of one group (a product in three grammatical cases) are drawn together so that a
    sentence naming the product twice names the same one. `_slots_type` binds the tables as class
    attributes: an `__init__` would double the cost of the hot path's most frequent allocation.
    """

    _fills: ClassVar[_Fills]
    _rand: ClassVar[staticmethod[[], float]]

    def __missing__(self, key: str) -> str:
        names, rows = self._fills[key]
        for name, value in zip(names, rows[int(self._rand() * len(rows))], strict=True):
            self[name] = value
        return self[key]


def _slots_type(fills: _Fills, rand: _Random) -> type[_Slots]:
    return type("_Slots", (_Slots,), {"_fills": fills, "_rand": staticmethod(rand)})


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _daily_rhythm(start_us: int, end_us: int) -> tuple[list[float], list[int], list[float]]:
    """The traffic curve as pieces: share of traffic before each hour edge, the edge (offset
    from start) and the microseconds per unit of share inside the hour that follows."""
    span = end_us - start_us
    if span <= 0 or span > _MAX_RHYTHM_HOURS * _HOUR_US:
        return [0.0, 1.0], [0, max(span, 0)], [float(max(span, 0)), 0.0]
    edges = [0]
    edge = (start_us // _HOUR_US + 1) * _HOUR_US - start_us
    while edge < span:
        edges.append(edge)
        edge += _HOUR_US
    edges.append(span)
    weights = [
        _HOURLY[((start_us + a) // _HOUR_US + _HELSINKI_UTC_OFFSET_H) % 24] * (b - a)
        for a, b in itertools.pairwise(edges)
    ]
    total = sum(weights)
    shares = [0.0]
    for weight in weights:
        shares.append(shares[-1] + weight / total)
    shares[-1] = 1.0
    slopes = [
        (b - a) / (w / total) for (a, b), w in zip(itertools.pairwise(edges), weights, strict=True)
    ]
    return shares, edges, [*slopes, 0.0]


class _Clock:
    """Hands out `count` non-decreasing ISO times between start and end, following a daily rhythm.

    Streaming rather than sort-then-yield: each time is the minimum of the uniforms still to come
    (sequential order statistics), then mapped through the day's traffic curve, which is monotonic.
    """

    def __init__(self, rng: random.Random, count: int, start_us: int, end_us: int) -> None:
        self._rand = rng.random
        self._left = max(count, 1)
        self._fraction = 0.0
        self._start, self._end, self._last = start_us, end_us, start_us
        self._shares, self._edges, self._slopes = _daily_rhythm(start_us, end_us)

    def next_iso(self) -> str:
        self._fraction = 1.0 - (1.0 - self._fraction) * (1.0 - self._rand()) ** (1.0 / self._left)
        self._left = max(self._left - 1, 1)
        f = self._fraction
        i = bisect_right(self._shares, f) - 1
        offset = self._edges[i] + (f - self._shares[i]) * self._slopes[i]
        # Float rounding at an hour edge may step back a microsecond; the stream must not.
        at = min(max(self._start + int(offset), self._last), self._end)
        self._last = at
        return (_EPOCH + timedelta(microseconds=at)).isoformat()


class _WallClock:
    """Stamps each item with the time it is drawn, for a live stream paced by its consumer."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._last = 0

    def next_iso(self) -> str:
        # A system clock stepped back (NTP) must not make the stream step back with it.
        self._last = max(_micros(self._now()), self._last)
        return (_EPOCH + timedelta(microseconds=self._last)).isoformat()


# -- Writing ------------------------------------------------------------------------------------

_CUSTOMER_TOPICS = frozenset({"question", "complaint", "praise", "chat", "mixed", "spam"})


class _Writer:
    """Composes text: opening, one or two template sentences, ending, emoji, hashtags and typos."""

    def __init__(self, rng: random.Random) -> None:
        self._rand = rng.random
        self._languages = _languages()
        self._slot_types = {
            code: _slots_type(lang.fills, rng.random) for code, lang in self._languages.items()
        }

    def slots(self, lang: str) -> _Slots:
        return self._slot_types[lang]()

    def text(self, lang: str, topic: str, slots: _Slots | None = None, *, tags: bool = True) -> str:
        r, language = self._rand, self._languages[lang]
        slots = slots if slots is not None else self._slot_types[lang]()
        bodies = language.bodies[topic]
        body = _pick(r, bodies).format_map(slots)
        if topic not in _CUSTOMER_TOPICS:  # the brand's texts and DM follow-ups stay plain
            return self._tag(body, language) if topic in ("post", "ad") and r() < 0.5 else body
        if r() < 0.15:  # a second sentence now and then, so lengths vary like real comments
            more = _pick(r, bodies).format_map(slots)
            body = body if more == body else f"{body} {more[:1].upper()}{more[1:]}"
        ending = _pick(r, language.endings[topic])
        opening = "" if topic == "spam" else _pick(r, language.openings)
        body = body[:1].upper() + body[1:]
        text = f"{opening} {body}" if opening else body
        text = f"{text} {ending}" if ending else text
        return self._decorate(text, language, topic, tags)

    def _decorate(self, text: str, language: _Language, topic: str, tags: bool) -> str:
        r = self._rand
        if r() < 0.35:
            text += " " + _pick(r, _EMOJI[topic]) * (1 + int(r() * 2.2))
        if tags and r() < 0.12:
            text = self._tag(text, language)
        if r() < 0.08 and len(text) > 8:
            text = self._typo(text, language)
        return text

    def _tag(self, text: str, language: _Language) -> str:
        tags, r = language.hashtags, self._rand
        i = int(r() * len(tags))
        if r() < 0.3:  # two different tags
            return f"{text} {tags[i]} {tags[(i + 1 + int(r() * (len(tags) - 1))) % len(tags)]}"
        return f"{text} {tags[i]}"

    def _typo(self, text: str, language: _Language) -> str:
        roll = self._rand()
        if roll < 0.3 and language.accents:  # phones without ä/ö/å: "Kampissa kavin aamulla"
            return text.translate(language.accents)
        if roll < 0.45:
            return text.lower()
        i = 1 + int(self._rand() * (len(text) - 3))
        if roll < 0.8:  # swapped neighbours
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        return text[:i] + text[i + 1 :]  # a dropped letter


# -- Threads ------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class _Thread:
    key: str
    channel: int
    url: str
    is_public: bool


@dataclass(slots=True, eq=False)
class _Post:
    id: str
    thread: _Thread
    comments: list[tuple[str, str]] = field(default_factory=list)  # (id, handle), newest last


@dataclass(slots=True, eq=False)  # identity: deque.remove must not compare fields
class _Target:
    """A customer message the brand may answer."""

    thread: _Thread
    message_id: str
    lang: str
    topic: str
    customer: str


@dataclass(slots=True, eq=False)  # identity: deque.remove must not compare fields
class _Dm:
    thread: _Thread
    author: _Author
    lang: str
    topic: str
    messages: int = 1


_MAX_COMMENT_PARENTS = 6
_REGULARS = 100
_MAX_DM_MESSAGES = 5


class _Run:
    """One generator run: the seeded state, plus the open threads that later items continue."""

    def __init__(
        self,
        channels: Sequence[int],
        seed: int | None,
        clock: Callable[[random.Random], _Clock | _WallClock],
    ) -> None:
        rng = random.Random(seed)  # noqa: S311 (demo data, not security)
        self._rand = rng.random
        self._prefix = _run_prefix(seed)
        self._serial = 0
        self._channels = tuple(channels)
        # Its own stream, so the content of a seed does not depend on the time window.
        self._clock = clock(random.Random(rng.getrandbits(64)))  # noqa: S311
        self._writer = _Writer(rng)
        self._authors = _authors()
        self._posts: deque[_Post] = deque(maxlen=8)
        self._ads: deque[_Post] = deque(maxlen=3)
        self._targets: deque[_Target] = deque(maxlen=64)
        self._dms: deque[_Dm] = deque(maxlen=24)
        self._dm_channels: dict[str, int] = {}
        self._kinds, self._langs = _Weighted(_KINDS), _Weighted(_LANGUAGES)
        self._topics = {kind: _Weighted(table) for kind, table in _TOPICS.items()}
        self._ratings = _Weighted(_RATINGS)
        self._makers: dict[str, Callable[[], Item]] = {
            "post": self._post,
            "comment": self._comment,
            "ad_comment": self._ad_comment,
            "mention": self._mention,
            "dm": self._dm,
            "review": self._review,
            "reply": self._reply,
        }

    def items(self, count: int | None) -> Iterator[Item]:
        pick_kind, makers, rand = self._kinds.pick, self._makers, self._rand
        for _ in range(count) if count is not None else itertools.count():
            yield makers[pick_kind(rand)]()

    # Shared parts.

    def _new_id(self, letter: str) -> str:
        self._serial += 1
        return f"{self._prefix}{letter}{self._serial}"

    def _channel(self) -> int:
        return _pick(self._rand, self._channels)  # type: ignore[no-any-return]

    def _customer(self, lang: str, topic: str) -> _Author:
        pool, r = self._authors["spam" if topic == "spam" else lang], self._rand
        # A quarter of messages come from a hundred regulars; the rest from anyone in the pool.
        size = min(len(pool), _REGULARS) if r() < 0.25 else len(pool)
        return pool[int(r() * size)]

    def _envelope(
        self, kind: str, external_id: str, thread: _Thread, parent: str | None, author: _Author
    ) -> Item:
        return {
            "network": NETWORK,
            "channel": thread.channel,
            "external_id": external_id,
            "kind": kind,
            "thread_key": thread.key,
            "parent_external_id": parent,
            "author": dict(author.data),
            "text": "",
            "html": None,
            "media": [],
            "url": thread.url,
            "created_at": self._clock.next_iso(),
            "raw": {},
            "is_public": thread.is_public,
            "direction": "out" if author is _BRAND else "in",
        }

    def _media(self, lang: str, chance: float) -> list[dict[str, str]]:
        if self._rand() >= chance:
            return []
        url = f"{BASE_URL}/media/{self._prefix}{self._serial}.jpg"
        return [{"type": "image", "url": url, "alt": _pick(self._rand, _languages()[lang].alts)}]

    def _remember(
        self, thread: _Thread, message_id: str, lang: str, topic: str, author: _Author
    ) -> None:
        if topic != "spam":  # the brand hides spam, it does not answer it
            self._targets.append(_Target(thread, message_id, lang, topic, author.first_name))

    # One maker per kind; each returns exactly one item, so `count` is always honoured.

    def _post(self, sponsored: bool | None = None) -> Item:
        r = self._rand
        sponsored = r() < 0.3 if sponsored is None else sponsored
        post_id = self._new_id("p")
        url = f"{BASE_URL}/{BRAND_HANDLE}/posts/{post_id}"
        thread = _Thread(f"post:{post_id}", self._channel(), url, is_public=True)
        (self._ads if sponsored else self._posts).append(_Post(post_id, thread))
        lang = self._langs.pick(r)
        item = self._envelope("post", post_id, thread, None, _BRAND)
        item["text"] = self._writer.text(lang, "ad" if sponsored else "post")
        item["media"] = self._media(lang, 0.7)
        raw = {
            "id": post_id,
            "object": "post",
            "lang": lang,
            "sponsored": sponsored,
            "like_count": int(r() * 400),
        }
        if sponsored:
            raw["campaign"] = {
                "id": f"cmp{1000 + int(r() * 9000)}",
                "budget_eur": 50 + int(r() * 20) * 50,
            }
        item["raw"] = raw
        return item

    def _comment(self) -> Item:
        return self._comment_on(self._posts, "comment")

    def _ad_comment(self) -> Item:
        return self._comment_on(self._ads, "ad_comment")

    def _comment_on(self, posts: deque[_Post], kind: str) -> Item:
        if not posts:  # nobody can comment before the brand has published
            return self._post(sponsored=kind == "ad_comment")
        r = self._rand
        post = posts[len(posts) - 1 - int(len(posts) * r() * r())]  # newer posts draw more comments
        lang, topic = self._langs.pick(r), self._topics[kind].pick(r)
        author = self._customer(lang, topic)
        comment_id = self._new_id("c")
        parent, text = post.id, self._writer.text(lang, topic)
        if post.comments and r() < 0.2:  # answering another commenter: nested, tagging them
            parent, handle = _pick(r, post.comments)
            text = f"@{handle} {text}"
        item = self._envelope(kind, comment_id, post.thread, parent, author)
        item["text"] = text
        item["media"] = self._media(lang, 0.03)
        item["url"] = f"{post.thread.url}?comment={comment_id}"
        item["raw"] = {
            "id": comment_id,
            "object": "comment",
            "post_id": post.id,
            "parent_id": parent,
            "sponsored": kind == "ad_comment",
            "lang": lang,
            "demo_label": topic,
            "like_count": int(r() * r() * 40),
        }
        post.comments.append((comment_id, author.data["handle"]))
        if len(post.comments) > _MAX_COMMENT_PARENTS:
            del post.comments[0]
        self._remember(post.thread, comment_id, lang, topic, author)
        return item

    def _mention(self) -> Item:
        r = self._rand
        lang, topic = self._langs.pick(r), self._topics["mention"].pick(r)
        author = self._customer(lang, topic)
        mention_id = self._new_id("m")
        url = f"{BASE_URL}/{author.data['handle']}/posts/{mention_id}"
        thread = _Thread(f"mention:{mention_id}", self._channel(), url, is_public=True)
        text = self._writer.text(lang, topic)
        item = self._envelope("mention", mention_id, thread, None, author)
        item["text"] = f"{text} @{BRAND_HANDLE}" if r() < 0.6 else f"@{BRAND_HANDLE} {text}"
        item["media"] = self._media(lang, 0.4)
        item["raw"] = {
            "id": mention_id,
            "object": "mention",
            "mentioned": [BRAND_HANDLE],
            "lang": lang,
            "demo_label": topic,
            "like_count": int(r() * r() * 120),
        }
        self._remember(thread, mention_id, lang, topic, author)
        return item

    def _review(self) -> Item:
        r = self._rand
        rating: int = self._ratings.pick(r)
        topic = "praise" if rating >= 4 else "mixed" if rating == 3 else "complaint"
        lang = self._langs.pick(r)
        author = self._customer(lang, topic)
        review_id = self._new_id("r")
        slots = self._writer.slots(lang)
        place = slots["place"]  # drawn first, so the text and place_id name the same café
        url = f"{BASE_URL}/places/{place}/reviews/{review_id}"
        thread = _Thread(f"review:{review_id}", self._channel(), url, is_public=True)
        text = self._writer.text(lang, topic, slots, tags=False)
        item = self._envelope("review", review_id, thread, None, author)
        item["text"] = f"{rating}/5 {text}" if r() < 0.15 else text
        item["raw"] = {
            "id": review_id,
            "object": "review",
            "rating": rating,
            "place_id": place,
            "lang": lang,
            "demo_label": topic,
        }
        self._remember(thread, review_id, lang, topic, author)
        return item

    def _dm(self) -> Item:
        r = self._rand
        if self._dms and r() < 0.5:
            return self._dm_followup()
        lang, topic = self._langs.pick(r), self._topics["dm"].pick(r)
        author = self._customer(lang, topic)
        external_id = author.data["external_id"]
        if external_id not in self._dm_channels:  # one person, one inbox: keep their channel
            self._dm_channels[external_id] = self._channel()
        url = f"{BASE_URL}/messages/{external_id}"
        thread = _Thread(f"dm:{external_id}", self._dm_channels[external_id], url, is_public=False)
        dm = _Dm(thread, author, lang, topic)
        if topic != "spam":  # spammers write once and never answer
            self._dms.append(dm)
        return self._dm_item(dm, self._writer.text(lang, topic, tags=False), label=topic)

    def _dm_followup(self) -> Item:
        dm = _pick(self._rand, self._dms)
        dm.messages += 1
        if dm.messages >= _MAX_DM_MESSAGES:
            self._dms.remove(dm)
        text = self._writer.text(dm.lang, "followup", tags=False)
        return self._dm_item(dm, text, label="followup")

    def _dm_item(self, dm: _Dm, text: str, label: str) -> Item:
        dm_id = self._new_id("d")
        item = self._envelope("dm", dm_id, dm.thread, None, dm.author)
        item["text"] = text
        item["raw"] = {
            "id": dm_id,
            "object": "message",
            "conversation_id": dm.thread.key,
            "lang": dm.lang,
            "demo_label": label,
        }
        self._remember(dm.thread, dm_id, dm.lang, dm.topic, dm.author)
        return item

    def _reply(self) -> Item:
        targets = self._targets
        if not targets:
            return self._post()
        r = self._rand
        target = targets[len(targets) - 1 - int(len(targets) * r() * r())]  # newest answered first
        targets.remove(target)  # answered once, not twice
        reply_id = self._new_id("a")
        slots = self._writer.slots(target.lang)
        slots["customer"] = target.customer
        text = self._writer.text(target.lang, f"reply_{_REPLY_TOPIC[target.topic]}", slots)
        if r() < 0.5:  # community managers often sign their replies
            text += f" /{slots['staff']}"
        item = self._envelope("reply", reply_id, target.thread, target.message_id, _BRAND)
        item["text"] = text
        item["url"] = f"{target.thread.url}#{reply_id}"
        item["raw"] = {
            "id": reply_id,
            "object": "reply",
            "in_reply_to": target.message_id,
            "lang": target.lang,
        }
        return item


def _run_prefix(seed: int | None) -> str:
    """Keeps external ids apart across runs: from the seed, so a re-run with it is idempotent."""
    if seed is None:
        return f"r{secrets.token_hex(6)}-"
    tag = str(seed)
    return f"s{tag}-" if len(tag) <= 20 else f"h{hashlib.sha256(tag.encode()).hexdigest()[:20]}-"


def generate_items(
    channel_ids: Sequence[int],
    count: int,
    *,
    seed: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[Item]:
    """Yield `count` JSON-ready normalized items of demo traffic for Aalto Kahvi.

    Times are non-decreasing between `start` and `end` (default: the last 7 days up to now, UTC),
    so the stream can be replayed live. A post always comes before its comments. The same seed
    gives the same items and external ids, so re-ingesting a seeded run changes nothing; without
    a seed the ids carry a random prefix. `raw` carries `lang` and, for customer messages,
    `demo_label` (question, complaint, praise, chat, mixed, spam, followup) as ground truth.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    if not channel_ids:
        raise ValueError("at least one channel id is needed")
    end = datetime.now(UTC) if end is None else end
    start = end - timedelta(days=7) if start is None else start
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if start > end:
        raise ValueError("start must not be after end")
    window = _micros(start), _micros(end)
    run = _Run(channel_ids, seed, lambda rng: _Clock(rng, count, *window))
    return run.items(count)


def live_items(
    channel_ids: Sequence[int],
    *,
    seed: int | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Iterator[Item]:
    """Yield demo items without end, each stamped with the time it is drawn.

    For the live demo: keep one generator and call `next()` at the pace wanted, so comments land
    on recent posts, DMs get follow-ups and the brand answers open threads. A fresh
    `generate_items(..., 1)` per tick has no threads to continue and mostly yields new posts.
    """
    if not channel_ids:
        raise ValueError("at least one channel id is needed")
    return _Run(channel_ids, seed, lambda rng: _WallClock(now)).items(None)
