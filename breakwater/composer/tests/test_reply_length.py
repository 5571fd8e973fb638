"""The reply action counts length as the channel's network does (graphemes by default)."""

from breakwater.connectors.demo.connector import DemoConnector
from breakwater.core.errors import Invalid
from breakwater.inbox import actions
from breakwater.test import BaseTestCase


class ReplyLengthTestCase(BaseTestCase):
    def test_it_counts_graphemes_not_code_points(self) -> None:
        conv = self.conversation()
        limit = DemoConnector.max_text_length
        # Each "👍🏽" is two code points but one character to the network.
        message, _created = actions.do_reply(self.bob, conv.pk, "👍🏽" * limit)
        self.assertEqual(message.delivery_state, "queued")
        with self.assertRaisesRegex(Invalid, f"{limit + 1} characters, at most {limit}"):
            actions.do_reply(self.bob, conv.pk, "👍🏽" * (limit + 1))
