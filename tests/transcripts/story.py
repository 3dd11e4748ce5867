"""A customer story session, hand-written as a Zoom transcript would cut it into cues.

Dana Whitfield and Luis Ortega of Northwind (a logistics company) tell Storyroom's employees
about their first year: onboarding went well, billing did not. Cues are (speaker, start, end,
text); positions are 1, 2, 3… in this order.
"""

from app.transcripts.suggestions import CueText

DANA = "Dana Whitfield (Northwind)"
LUIS = "Luis Ortega"
PRIYA = "Priya Shah"
TOM = "Tom Becker"
CUSTOMERS = frozenset({DANA, LUIS})

INVOICES_PASSAGE = (
    "For three months in a row our invoices were wrong, and every single time it took "
    "three weeks to get a corrected invoice. Our finance team was furious, and honestly it "
    "was the worst part of the whole year with you."
)

STORY: list[tuple[str, float, float, str]] = [
    (PRIYA, 2.0, 6.5, "Okay, I think we're recording now."),
    (PRIYA, 7.0, 11.0, "Can you see my screen?"),
    (DANA, 11.5, 13.0, "Yes, we can see it."),
    (
        PRIYA,
        13.5,
        21.0,
        "Great. Welcome everyone, and thank you Dana and Luis for joining us today.",
    ),
    (DANA, 21.5, 25.0, "Thanks for having us. Sorry, I was on mute for a second."),
    (PRIYA, 25.5, 32.0, "No problem. Could you start by telling us how you came to work with us?"),
    (DANA, 32.5, 40.0, "Sure. We run the regional deliveries for about two hundred stores"),
    (DANA, 40.0, 47.0, "across the north of the country, so we move a lot of parcels every day."),
    (
        DANA,
        47.5,
        55.0,
        "We signed with you last spring because our old routing tool kept crashing.",
    ),
    (TOM, 55.5, 60.0, "And how was the start, the onboarding?"),
    (
        DANA,
        60.5,
        68.0,
        "The onboarding was honestly great. Your onboarding team had us live in two weeks.",
    ),
    (
        DANA,
        68.0,
        76.0,
        "I remember our drivers were using the app on the second day, which surprised me.",
    ),
    (
        LUIS,
        76.5,
        84.0,
        "Yeah, um, I would add that the training videos were, like, really, um, useful.",
    ),
    (LUIS, 84.0, 90.0, "The onboarding checklist helped my dispatchers a lot too."),
    (PRIYA, 90.5, 95.0, "That's lovely to hear. What happened after that?"),
    (DANA, 95.5, 100.0, "Then the billing started, and that is where things went wrong."),
    (DANA, 100.5, 108.0, INVOICES_PASSAGE[: INVOICES_PASSAGE.index(" to get")]),
    (DANA, 108.0, 116.0, INVOICES_PASSAGE[INVOICES_PASSAGE.index(" to get") + 1 :]),
    (TOM, 116.5, 121.0, "Oh no. What was wrong on the invoices?"),
    (
        LUIS,
        121.5,
        129.0,
        "The invoices charged us for every depot twice, so the totals were double.",
    ),
    (LUIS, 129.0, 137.0, "I wasted two full days every month checking each invoice line by hand."),
    (LUIS, 137.0, 142.0, "And when I called billing support, nobody"),
    (LUIS, 142.0, 146.0, "could tell me who owned the problem."),
    (PRIYA, 146.5, 151.0, "Sorry, you're on mute, Luis. Can you hear me?"),
    (LUIS, 151.5, 154.0, "Can you hear me now?"),
    (PRIYA, 154.5, 157.0, "Yes, now we can."),
    (
        LUIS,
        157.5,
        166.0,
        "I said the billing support queue had no owner, and our tickets sat there for weeks.",
    ),
    (DANA, 166.5, 175.0, "We almost cancelled the contract in June because of the invoices."),
    (
        DANA,
        175.0,
        183.0,
        "Our CFO asked me why we were paying a vendor who could not send a correct bill.",
    ),
    (TOM, 183.5, 189.0, "That must have been hard. Did anything change?"),
    (
        DANA,
        189.5,
        197.0,
        "It did. In July your account manager, Sam, set up a weekly billing review with us.",
    ),
    (
        DANA,
        197.0,
        205.0,
        "Since then the invoices have been right, and the disputes dropped by 80%.",
    ),
    (LUIS, 205.5, 213.0, "Sam answers within a day now, which is a huge difference for my team."),
    (PRIYA, 213.5, 219.0, "Let me share the next slide with the timeline. Next slide, please."),
    (DANA, 219.5, 224.0, "Is that the slide with the billing timeline?"),
    (PRIYA, 224.5, 229.0, "Yes. Does this match what you remember?"),
    (DANA, 229.5, 237.0, "Mostly, yes. The gap between April and June was even longer for us"),
    (DANA, 237.0, 244.0, "than this shows, because the first credit notes only arrived in August."),
    (TOM, 244.5, 250.0, "What about the route planning itself?"),
    (
        LUIS,
        250.5,
        259.0,
        "Route planning is the reason we stay. We cut our fuel costs by 12% in six months.",
    ),
    (
        LUIS,
        259.0,
        266.0,
        "My dispatchers plan a whole day of routes in twenty minutes instead of two hours.",
    ),
    (
        DANA,
        266.5,
        275.0,
        "The route planning is excellent, I have nothing but praise for the product itself.",
    ),
    (PRIYA, 275.5, 281.0, "If you could change one thing tomorrow, what would it be?"),
    (
        DANA,
        281.5,
        290.0,
        "One owner for billing. One person who reads our invoices before they are sent.",
    ),
    (
        DANA,
        290.0,
        297.0,
        "And a billing support line that answers within two days, not three weeks.",
    ),
    (LUIS, 297.5, 304.0, "And an export of the invoices we can load into our accounting system."),
    (LUIS, 304.0, 311.0, "Today I retype every invoice into our ledger, which takes hours."),
    (TOM, 311.5, 316.0, "That's very clear, thank you. Any questions from the room?"),
    (PRIYA, 316.5, 322.0, "Someone asks in the chat whether the mobile app works offline."),
    (
        LUIS,
        322.5,
        330.0,
        "Mostly it does. Our drivers lose signal in the valleys and the app keeps working.",
    ),
    (LUIS, 330.0, 337.0, "The sync afterwards is slow though, sometimes it takes ten minutes."),
    (PRIYA, 337.5, 342.0, "Good to know. Do you mean the sync of delivery photos?"),
    (LUIS, 342.5, 346.0, "Yes, the photos, exactly."),
    (
        DANA,
        346.5,
        355.0,
        "I want to say that we do recommend you to other logistics companies already.",
    ),
    (DANA, 355.0, 362.0, "If the billing gets fixed for good, we will renew for three years."),
    (TOM, 362.5, 367.0, "That is a strong message. Thank you both so much."),
    (DANA, 367.5, 370.0, "Thank you, everyone."),
    (LUIS, 370.5, 372.0, "Thanks, bye."),
    (PRIYA, 372.5, 376.0, "Bye everyone, see you next time."),
    (PRIYA, 376.5, 379.0, "Okay, I'll stop the recording."),
]


def story_cues() -> list[CueText]:
    """The story as the suggestions read it."""
    return [
        CueText(position=i, speaker=s, start_seconds=a, end_seconds=b, text=t)
        for i, (s, a, b, t) in enumerate(STORY, start=1)
    ]
