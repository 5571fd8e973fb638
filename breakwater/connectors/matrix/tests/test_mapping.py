"""Matrix events -> items and replies -> events, on /sync answers recorded from Synapse."""

import json
from pathlib import Path

from django.test import SimpleTestCase

from breakwater.connectors.matrix import mapping
from breakwater.connectors.matrix.connector import MatrixConnector, txn_id
from breakwater.connectors.matrix.mapping import Room, Thread

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MESSAGES = json.loads((FIXTURES / "sync_messages.json").read_text())
INVITE = json.loads((FIXTURES / "sync_invite.json").read_text())
BRAND = "@brand108aa0c:localhost"
CUSTOMER = "@asiakas2380e4d:localhost"
COMMUNITY = "!ZxLbpg2g43eiGkcfF4G06aZDH9GDhex43oaTw2O_CRE"
DM = "!W4oML7phFVD8vil-SLVB7Gy6gqv5LSs6RDh0gMpV9A4"
QUESTION = "$XBvHKD-d1H7kPps5TU3aJ4Xt77yOxe1G4IroT9uD7Yg"


def room_items(room_id: str, room: Room) -> list:
    events = MESSAGES["rooms"]["join"][room_id]["timeline"]["events"]
    return mapping.items_from_events(events, room, channel=3, user_id=BRAND, names={})


class EventMappingTestCase(SimpleTestCase):
    def test_community_messages_thread_by_room_and_by_matrix_thread(self) -> None:
        question, reply, in_thread, brand = room_items(
            COMMUNITY, Room(COMMUNITY, dm=False, public=True)
        )
        self.assertEqual(
            (question.kind, question.channel, question.network), ("comment", 3, "matrix")
        )
        self.assertEqual(question.thread_key, f"room|{COMMUNITY}")
        self.assertEqual(
            (question.text, question.is_public, question.direction),
            ("Onko uusi paahto jo myynnissä?", True, "in"),
        )
        self.assertEqual(question.author.external_id, CUSTOMER)
        self.assertEqual(question.author.name, CUSTOMER[1:].split(":")[0])
        self.assertEqual(question.url, f"https://matrix.to/#/{COMMUNITY}/{QUESTION}")
        # A reply stays in its parent's conversation, names its parent, and loses the quote.
        self.assertEqual(
            (reply.thread_key, reply.parent_external_id), (f"room|{COMMUNITY}", QUESTION)
        )
        self.assertEqual(reply.text, "Siis Tumma Aalto -paahto")
        # A Matrix thread is its own conversation, keyed by its root.
        self.assertEqual(in_thread.thread_key, f"room|{COMMUNITY}|{QUESTION}")
        self.assertEqual(in_thread.parent_external_id, QUESTION)
        # The brand writing from another client: the brand's side of the conversation.
        self.assertEqual((brand.direction, brand.text), ("out", "Tervetuloa kaikki!"))

    def test_a_dm_room_is_one_private_conversation_and_state_events_are_not_messages(self) -> None:
        (message,) = room_items(DM, Room(DM, dm=True))
        self.assertEqual((message.kind, message.is_public, message.public), ("dm", False, False))
        self.assertEqual(message.thread_key, f"dm|{DM}")
        self.assertEqual(message.text, "Hei! Tilaukseni 1234 ei ole vielä tullut.")

    def test_breakwaters_own_sends_edits_and_encrypted_messages(self) -> None:
        room = Room(DM, dm=True)
        base = {
            "event_id": "$x",
            "sender": BRAND,
            "origin_server_ts": 1796162956169,
            "type": "m.room.message",
        }
        ours = {
            **base,
            "content": {"msgtype": "m.text", "body": "Kiitos!"},
            "unsigned": {"transaction_id": txn_id("reply-1")},
        }
        keyed = {
            **base,
            "content": {"msgtype": "m.text", "body": "Kiitos!", mapping.KEY_FIELD: "reply-1"},
        }
        edit = {
            **base,
            "sender": CUSTOMER,
            "content": {
                "msgtype": "m.text",
                "body": "* korjaus",
                "m.relates_to": {"rel_type": "m.replace", "event_id": "$y"},
            },
        }
        encrypted = {
            **base,
            "sender": CUSTOMER,
            "type": "m.room.encrypted",
            "content": {"ciphertext": "..."},
        }
        kwargs = {"channel": 1, "user_id": BRAND, "names": {CUSTOMER: "Asiakas Aino"}}
        self.assertIsNone(mapping.item_from_event(ours, room, **kwargs))
        self.assertIsNone(mapping.item_from_event(keyed, room, **kwargs))
        self.assertIsNone(mapping.item_from_event(edit, room, **kwargs))
        # Only the brand's own events: a customer cannot hide a message behind the key.
        customer_keyed = {**keyed, "sender": CUSTOMER}
        self.assertEqual(mapping.item_from_event(customer_keyed, room, **kwargs).text, "Kiitos!")
        item = mapping.item_from_event(encrypted, room, **kwargs)
        self.assertEqual((item.text, item.author.name), (mapping.ENCRYPTED_TEXT, "Asiakas Aino"))

    def test_only_invites_to_direct_rooms_are_dm_invites(self) -> None:
        self.assertEqual(mapping.direct_invites(INVITE, BRAND), {DM: CUSTOMER})
        self.assertEqual(mapping.direct_invites(INVITE, CUSTOMER), {})
        self.assertEqual(mapping.rooms_invited(INVITE), {DM})
        self.assertEqual(mapping.direct_room_ids({CUSTOMER: [DM], "@x:y": ["!a", 3]}), {DM, "!a"})


class ReplyContentTestCase(SimpleTestCase):
    def test_a_reply_quotes_its_parent_and_points_at_it(self) -> None:
        parent = MESSAGES["rooms"]["join"][COMMUNITY]["timeline"]["events"][1]
        content = mapping.reply_content(
            "Kyllä, perjantaista alkaen.",
            thread=Thread(COMMUNITY, dm=False),
            idempotency_key="k-1",
            parent=parent,
        )
        self.assertEqual(
            content["m.relates_to"], {"m.in_reply_to": {"event_id": parent["event_id"]}}
        )
        self.assertEqual(
            content["body"],
            f"> <{CUSTOMER}> Siis Tumma Aalto -paahto\n\nKyllä, perjantaista alkaen.",
        )
        self.assertIn("<mx-reply><blockquote>", content["formatted_body"])
        self.assertTrue(
            content["formatted_body"].endswith("</mx-reply>Kyllä, perjantaista alkaen.")
        )
        self.assertEqual(content["m.mentions"], {"user_ids": [CUSTOMER]})
        self.assertEqual(content[mapping.KEY_FIELD], "k-1")

    def test_a_reply_in_a_thread_stays_in_it_and_a_lost_parent_is_not_quoted(self) -> None:
        thread = Thread.parse(f"room|{COMMUNITY}|{QUESTION}")
        content = mapping.reply_content(
            "<b>Heti</b>", thread=thread, idempotency_key="k-2", parent={"event_id": "$gone"}
        )
        self.assertEqual(
            content["m.relates_to"],
            {
                "m.in_reply_to": {"event_id": "$gone"},
                "rel_type": "m.thread",
                "event_id": QUESTION,
                "is_falling_back": False,
            },
        )
        self.assertEqual(content["body"], "<b>Heti</b>")
        self.assertNotIn("formatted_body", content)

    def test_thread_keys_round_trip(self) -> None:
        for thread in (
            Thread(DM, dm=True),
            Thread(COMMUNITY, dm=False),
            Thread(COMMUNITY, False, QUESTION),
            Thread("!old:example.org", dm=False, root="$ev:example.org"),
        ):
            self.assertEqual(Thread.parse(thread.key), thread)
        with self.assertRaises(ValueError):
            Thread.parse("rss:abc")

    def test_transaction_ids_are_stable_per_key(self) -> None:
        self.assertEqual(txn_id("reply-1"), txn_id("reply-1"))
        self.assertNotEqual(txn_id("reply-1"), txn_id("reply-2"))
        self.assertTrue(txn_id("x").startswith(mapping.TXN_PREFIX))


class ConfigTestCase(SimpleTestCase):
    def test_it_checks_the_setup_values_and_says_what_to_fix(self) -> None:
        good = {
            "homeserver": "https://matrix.example.org/",
            "user_id": "@brand:example.org",
            "access_token": "syt_x",
            "room_id": "!abc:example.org",
        }
        self.assertEqual(
            MatrixConnector.validate_config(good)["homeserver"], "https://matrix.example.org"
        )
        for bad, problem in (
            ({"homeserver": "matrix.example.org"}, "http"),
            ({"user_id": "brand"}, "full Matrix ID"),
            ({"access_token": ""}, "access_token or the account's password"),
            ({"room_id": "#kahvi:example.org"}, "starting with !"),
        ):
            with self.assertRaisesRegex(ValueError, problem):
                MatrixConnector.validate_config({**good, **bad})
        password_only = MatrixConnector.validate_config(
            {**good, "access_token": "", "password": " pw "}
        )
        self.assertEqual(password_only["password"], " pw ")
