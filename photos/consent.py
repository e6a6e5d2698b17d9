"""The text a patient agrees to before any scalp photo is taken. A stored consent keeps the
version it was signed on: change the wording, change the version."""

VERSION = "1"
TITLE = "Consent to clinical scalp photographs"
PARAGRAPHS = (
    "I agree that the clinic may take photographs of my scalp at my treatment sessions, from "
    "the standard views the clinic uses, to follow how my hair responds to treatment.",
    "The photographs are part of my clinical record. They are kept privately by the clinic, "
    "seen only by the clinicians treating me, and never published or shared without my "
    "separate written agreement.",
    "Location data and other details the camera stores in a picture are removed when it is saved.",
    "This consent is separate from my consent to treatment. I may withdraw it at any time; "
    "no new photographs will then be taken, and those already taken stay in my record.",
)
