from urllib.parse import parse_qs, urlsplit

from django.test import SimpleTestCase

from breakwater.composer.variables import render, tag_link

CONTEXT = {
    "contact": {"name": "Maija Mehiläinen", "first_name": "Maija"},
    "agent": {"name": "Aino Agent", "first_name": "Aino"},
    "workspace": {"name": "Aalto Kahvi"},
    "network": "facebook",
    "campaign": "opening-hours",
}


class RenderTestCase(SimpleTestCase):
    def test_it_fills_in_variables(self) -> None:
        text = "Hei {{contact.first_name}}! t. {{ agent.first_name }} / {{workspace.name}}"
        self.assertEqual(render(text, CONTEXT), "Hei Maija! t. Aino / Aalto Kahvi")

    def test_it_uses_the_fallback_for_empty_values(self) -> None:
        context = {**CONTEXT, "contact": {"name": "", "first_name": ""}}
        self.assertEqual(render("Hei {{contact.first_name|siellä}}!", context), "Hei siellä!")

    def test_it_leaves_unknown_placeholders_as_written(self) -> None:
        text = "{{contact.phone}} {{nope}}"
        self.assertEqual(render(text, CONTEXT), text)

    def test_it_tags_links_for_the_campaign(self) -> None:
        out = render("Katso {{link https://example.com/aukiolo?lang=fi}}", CONTEXT)
        url = out.removeprefix("Katso ")
        self.assertEqual(urlsplit(url).path, "/aukiolo")
        self.assertEqual(parse_qs(urlsplit(url).query), {
            "lang": ["fi"], "utm_source": ["facebook"], "utm_medium": ["social"],
            "utm_campaign": ["opening-hours"],
        })

    def test_it_takes_a_campaign_from_the_link_and_keeps_existing_tags(self) -> None:
        out = render("{{link https://example.com/?utm_source=news campaign=joulu}}", CONTEXT)
        self.assertEqual(parse_qs(urlsplit(out).query),
                         {"utm_source": ["news"], "utm_medium": ["social"],
                          "utm_campaign": ["joulu"]})

    def test_it_encodes_what_it_adds(self) -> None:
        self.assertIn("utm_campaign=a+b%26c", tag_link("https://e.com/", "x", "a b&c"))
