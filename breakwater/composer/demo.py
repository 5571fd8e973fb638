"""The demo workspace's guidelines and saved replies (Aalto Kahvi, a fictional Finnish brand)."""

from __future__ import annotations

from breakwater.composer import actions
from breakwater.composer.actions import SavedReplyFields
from breakwater.core.models import Membership

GUIDELINES = {
    "notes": "Puhumme me-muodossa, lämpimästi ja lyhyesti. Kiitämme palautteesta aina, emme "
    "väittele julkisesti: vaikeat asiat siirretään yksityisviestiin.",
    "avoid": {"halpa": "edullinen", "ongelma": "haaste", "valitettavasti": "ikävä kyllä"},
    "confidential": [
        {"term": "yt-neuvottelut", "action": "block"},
        {"term": "irtisanominen", "action": "block"},
        {"pattern": r"\b\d{6}[-+A]\d{3}[0-9A-Y]\b", "action": "block",
         "label": "henkilötunnus"},
        {"term": "fuusio", "action": "approve"},
        {"term": "hinnankorotus", "action": "approve"},
    ],
    "required": [{"name": "tervehdys", "pattern": r"^(hei|moi|terve|hyvää)\b", "language": "fi",
                  "message": "Aloita tervehdyksellä, esim. ”Hei!”."}],
}

SAVED_REPLIES = (
    SavedReplyFields("Kiitos palautteesta", "Hei {{contact.first_name|siellä}}! Kiitos "
                     "palautteesta, välitämme sen tiimillemme. t. {{agent.first_name}}, "
                     "{{workspace.name}}", "kiitos", "fi"),
    SavedReplyFields("Aukioloajat", "Hei {{contact.first_name|siellä}}! Kahvilamme ovat auki "
                     "arkisin 7–19 ja viikonloppuisin 9–17. Kaikki kahvilat: "
                     "{{link https://aaltokahvi.invalid/kahvilat}} t. {{agent.first_name}}",
                     "aukiolo", "fi"),
    SavedReplyFields("Siirto yksityisviestiin", "Hei {{contact.first_name|siellä}}! Pahoittelemme "
                     "kokemustasi. Laitatko meille yksityisviestin, niin selvitetään asia? "
                     "t. {{agent.first_name}}", "yksityisviesti", "fi"),
    SavedReplyFields("Thanks (English)", "Hi {{contact.first_name|there}}! Thanks for your "
                     "message, we'll pass it on to the team. {{agent.first_name}} / "
                     "{{workspace.name}}", "thanks", "en"),
)


def seed(owner: Membership) -> None:
    """Give a new demo workspace guidelines and saved replies to try the composer with."""
    actions.do_set_guidelines(owner, actions.parse_guidelines(GUIDELINES))
    for fields in SAVED_REPLIES:
        actions.do_create_saved_reply(owner, fields)
