"""Quote extraction: marks, speakers, resolution, keys and ranking, on small fixtures."""

from __future__ import annotations

import random

import pytest

from bot.model import Article, Quote
from bot.pipeline.quotes import extract_quotes, key_quote, quotes_of, shown_speaker, speaker_key
from bot.pipeline.quotes.reading import NOBODY, Reading, first_reading
from bot.pipeline.quotes.rules import RULEBOOK
from bot.pipeline.quotes.tokens import Attribution
from tests.growth import growth


def only(text: str) -> Quote:
    quotes = extract_quotes(text)
    assert len(quotes) == 1, quotes
    return quotes[0]


def assert_offsets(text: str, quotes: list[Quote]) -> None:
    for quote in quotes:
        assert 0 <= quote.start <= quote.end <= len(text)
        assert text[quote.start : quote.end] == quote.text


@pytest.mark.parametrize(
    "text",
    [
        "“We will win this race,” Smith said.",
        '"We will win this race," Smith said.',
        "''We will win this race,'' Smith said.",
    ],
)
def test_quote_marks(text: str) -> None:
    quote = only(text)
    assert quote.text == "We will win this race,"
    assert (quote.speaker, quote.cue) == ("Smith", "said")
    assert_offsets(text, [quote])


def test_speaker_before_quote() -> None:
    quote = only("Smith told the Washington Post: “We will not back down now.”")
    assert quote.speaker == "Smith"
    assert quote.cue == "told the Washington Post"


def test_speaker_inside_quote() -> None:
    text = "Ana Ruiz spoke first.\n\n“We will win,” she said, “and we will do it soon.”"
    first, second = extract_quotes(text)
    assert (first.text, second.text) == ("We will win,", "and we will do it soon.")
    assert first.speaker == second.speaker == "she"
    assert first.speaker_resolved == second.speaker_resolved == "Ana Ruiz"


def test_quote_over_paragraphs() -> None:
    text = (
        "Mayor Jane Doe spoke at length about the budget.\n\n"
        "“The first part of what I have to say is about taxes.\n\n"
        "“The second part is about schools,” Doe said."
    )
    first, second = extract_quotes(text)
    assert first.text == "The first part of what I have to say is about taxes."
    assert second.text == "The second part is about schools,"
    assert first.speaker == second.speaker == "Doe"
    assert first.speaker_resolved == "Jane Doe"
    assert_offsets(text, [first, second])


def test_partial_quote_in_indirect_speech() -> None:
    text = "Jake Sullivan acknowledged that Ukraine will “certainly be a hot topic” at the summit."
    quote = only(text)
    assert quote.text == "certainly be a hot topic"
    assert (quote.speaker, quote.cue) == ("Jake Sullivan", "acknowledged")


def test_scare_quotes_and_titles_are_not_quotes() -> None:
    text = (
        "The so-called “experts” disagreed about the “plan.” She later appeared on "
        "“Meet the Press” and discussed “The Art of the Deal” with the host."
    )
    assert extract_quotes(text) == []


def test_inch_marks_and_apostrophes() -> None:
    text = 'He bought a 55" TV and said "it\'s a great deal for the money."'
    quote = only(text)
    assert quote.text == "it's a great deal for the money."
    assert quote.speaker == "He"


@pytest.mark.parametrize(
    "text",
    [
        'He said "this never closes and goes on',
        "“Open twice “and once more,” she said.",
        '" " " "',
        "”backwards“ quotes” here",
        "''",
    ],
)
def test_unbalanced_marks(text: str) -> None:
    assert_offsets(text, extract_quotes(text))


def test_fuzz_never_raises() -> None:
    pieces = ['"', "“", "”", "''", "``", "'", " ", "\n\n", "said", "he", "Smith", ",", ".", "55"]
    pieces += ["word", ":", "according to", "Mr.", "—"]
    rng = random.Random(7)
    for _ in range(500):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        assert_offsets(text, extract_quotes(text))


def test_name_variants_are_one_speaker() -> None:
    text = (
        "Jake Sullivan, the national security adviser, briefed reporters.\n\n"
        "“We are ready to talk,” Sullivan said.\n\n"
        "“The door remains open to them,” Mr. Sullivan added."
    )
    quotes = extract_quotes(text)
    assert [q.speaker for q in quotes] == ["Sullivan", "Mr. Sullivan"]
    assert {q.speaker_resolved for q in quotes} == {"Jake Sullivan"}
    assert {speaker_key(q.speaker_resolved or "") for q in quotes} == {"jake sullivan"}


def test_surname_first_name() -> None:
    text = "Zhao Lijian spoke on Monday.\n\n“We firmly oppose this decision,” Lijian said."
    assert only(text).speaker_resolved == "Zhao Lijian"


def test_pronoun_resolves_to_the_right_person() -> None:
    text = (
        "Maria Lopez met John Park on Monday. Mr. Park said the talks went well.\n\n"
        "“We made real progress today,” he said.\n\n"
        "Ms. Lopez was less sure about the outcome.\n\n"
        "“There is still a long way to go,” she said."
    )
    he, she = extract_quotes(text)
    assert (he.speaker, he.speaker_resolved) == ("he", "John Park")
    assert (she.speaker, she.speaker_resolved) == ("she", "Maria Lopez")


def test_description() -> None:
    text = (
        "“China is cautious about this,” said Taylor Fravel, a professor of Chinese defence "
        "at the Massachusetts Institute of Technology."
    )
    quote = only(text)
    assert quote.speaker == "Taylor Fravel"
    assert quote.description == (
        "a professor of Chinese defence at the Massachusetts Institute of Technology"
    )


def test_according_to() -> None:
    before = only("According to Zhao Lijian, “the talks were constructive and useful.”")
    assert (before.speaker, before.cue) == ("Zhao Lijian", "According to")
    after = only("“The talks were useful,” according to a spokesman for the ministry.")
    assert (after.speaker, after.cue) == ("a spokesman for the ministry", "according to")


def test_colon_cue() -> None:
    quote = only("Sullivan on Tuesday: “We are ready to talk to them.”")
    assert (quote.speaker, quote.cue) == ("Sullivan", ":")


def test_colon_at_paragraph_end() -> None:
    text = "Senator Ann Lee continued:\n\n“We will not negotiate under pressure.”"
    quote = only(text)
    assert quote.speaker_resolved == "Ann Lee"


def test_unattributed_quote_has_no_speaker() -> None:
    quote = only("Nobody knows why.\n\n“We are closed until further notice.”")
    assert (quote.speaker, quote.speaker_resolved, quote.cue) == (None, None, None)


def test_sentence() -> None:
    text = "It was late. “We are done here,” Smith said. Then he left."
    assert only(text).sentence == "“We are done here,” Smith said."


def test_quotes_of_article() -> None:
    article = Article(
        title="Talks", paragraphs=("Talks went on.", "“We made progress today,” Ana Ruiz said.")
    )
    quote = only(article.text)
    assert quotes_of(article) == [quote]
    assert article.text[quote.start : quote.end] == quote.text


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Mr. José Núñez", "jose nunez"),
        ("Sen. Elizabeth Warren", "elizabeth warren"),
        ("  Dr.  Jane   O’Neil ", "jane o'neil"),
        ("ZHAO Lijian", "zhao lijian"),
    ],
)
def test_speaker_key(name: str, key: str) -> None:
    assert speaker_key(name) == key


def test_key_quote() -> None:
    text = (
        "“The weather was nice,” said Ana Ruiz.\n\n"
        "“The new budget cuts school funding by a third and teachers will lose jobs,” "
        "said Jane Doe.\n\n"
        "“Budget cuts to school funding hurt,” someone wrote on a sign."
    )
    quotes = extract_quotes(text)
    best = key_quote(quotes, ["The city budget cuts school funding.", "Teachers may lose jobs."])
    assert best is not None and best.speaker == "Jane Doe"
    assert key_quote([], ["anything"]) is None


@pytest.mark.parametrize(
    ("frame", "speaker", "description"),
    [
        (
            "Jeff Weaver, Sanders’ campaign manager, said.",
            "Jeff Weaver",
            "Sanders’ campaign manager",
        ),
        (
            "Representative Ann Cole, Democrat of Ohio, said.",
            "Representative Ann Cole",
            "Democrat of Ohio",
        ),
        ("Senate leader Tom Reed, R-Ky., said.", "Senate leader Tom Reed", "R-Ky."),
        (
            "Ana Ruiz, 67, a nurse in Allentown, Pa., said.",
            "Ana Ruiz",
            "67, a nurse in Allentown, Pa.",
        ),
        ("Tom Reed, who has proposed a new tax, said.", "Tom Reed", "who has proposed a new tax"),
        ("the city spokesman, Josh Park, said.", "Josh Park", "the city spokesman"),
        ("the driver, John Doe, told the program.", "John Doe", "the driver"),
    ],
)
def test_appositive_speakers(frame: str, speaker: str, description: str) -> None:
    quote = only(f"“We will not give up on this fight,” {frame}")
    assert (quote.speaker, quote.description) == (speaker, description)


def test_said_name_closing_a_sentence_with_a_partial_quote() -> None:
    quote = only("Lee “did well with older voters” in 2008, said professor Paul Beck.")
    assert quote.speaker == "professor Paul Beck"
    assert quote.speaker_resolved == "Paul Beck"


def test_nested_typewriter_quote() -> None:
    quote = only("''I would use the word 'old-school,''' said Greg Slayton.")
    assert quote.speaker == "Greg Slayton"


def test_opening_mark_typed_as_closing() -> None:
    first, second = extract_quotes(
        "“It is very unusual,“ said Larry Noble. “It is a hard thing to do.”"
    )
    assert first.text == "It is very unusual,"
    assert first.speaker == second.speaker == "Larry Noble"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            "Hours later, Ana Ruiz returned the favour, telling Reuters, “We have been "
            "friends for years.”",
            "Ana Ruiz",
        ),
        (
            "Speaking in Salem, New Hampshire, Ana Ruiz went after Bush, calling him “a "
            "total stiff in the race.”",
            "Ana Ruiz",
        ),
        (
            "The billionaire businessman began by talking about drugs, saying heroin is "
            "“cheaper than getting candy now.”",
            "The billionaire businessman",
        ),
        (
            "WASHINGTON (AP) — Ana Ruiz’s top aide rallied supporters, saying: “We have to "
            "be ready for this.”",
            "Ana Ruiz’s top aide",
        ),
        (
            "In a Facebook message posted Friday, Cruz said he had "
            "“areas of significant disagreement” with the nominee.",
            "Cruz",
        ),
        (
            "Following a swiftly called, late meeting, the Security Council called the test "
            "“a clear violation of the resolutions.”",
            "the Security Council",
        ),
        ("According to Smith, the plan is now “the worst thing that ever happened.”", "Smith"),
        (
            "Sen. Bernie Sanders on Saturday criticized the accord, saying it goes "
            "“nowhere near far enough.”",
            "Sen. Bernie Sanders",
        ),
        (
            "The retired neurosurgeon has provided no details, saying only that he was "
            "“refining some operational practices.”",
            "The retired neurosurgeon",
        ),
        (
            "Ever since she endorsed Mrs. Clinton, Ms. Warren has been a surrogate, with a "
            "simple message: “Don't screw this up now!”",
            "Ms. Warren",
        ),
    ],
)
def test_subject_of_the_sentence(text: str, speaker: str) -> None:
    """Past opening phrases, time words and auxiliaries; participles share it."""
    assert only(text).speaker == speaker


def test_quote_paragraph_after_a_paragraph_about_a_person() -> None:
    text = (
        "Richard Viguerie is upbeat about the vote.\n\n"
        "“Not only can we win in November, we will win big.”"
    )
    quote = only(text)
    assert (quote.speaker, quote.speaker_resolved, quote.cue) == (
        "Richard Viguerie",
        "Richard Viguerie",
        None,
    )


def test_full_stop_in_quote_then_short_attribution() -> None:
    text = "It was a long night.\n\n“I hope you are able to find the emails.” Trump said."
    assert only(text).speaker == "Trump"


def test_partial_quote_takes_the_subject_of_its_sentence() -> None:
    text = (
        "Maria Lopez spoke in Albany on Monday. "
        "Lopez blamed the delay on “a very stubborn city council.”"
    )
    quote = extract_quotes(text)[-1]
    assert (quote.speaker, quote.speaker_resolved) == ("Lopez", "Maria Lopez")


def test_name_set_off_before_a_colon() -> None:
    quote = only("Critics disagree - Jane Porter: “The numbers simply do not add up.”")
    assert quote.speaker == "Jane Porter"


def test_passive_asked_is_not_the_speaker() -> None:
    quote = only("Tom Reed was asked by host Ann Lee, “Will you run again next year?”")
    assert quote.speaker == "host Ann Lee"
    quote = only("Tom Reed was asked, “Will you run again next year?”")
    assert quote.speaker != "Tom Reed"


def test_first_name_gives_gender() -> None:
    text = "Laura Finch met Tom Baker at the mill. “We had a long talk about jobs,” she said."
    assert only(text).speaker_resolved == "Laura Finch"


def test_pronoun_prefers_the_nearer_sentence() -> None:
    text = (
        "Tom Baker said on Monday that the plan would pass. "
        "Across town, John Reed was more cautious. “It will be a very close race,” he said."
    )
    assert extract_quotes(text)[-1].speaker_resolved == "John Reed"


def test_relative_which_speaks_through_its_antecedent() -> None:
    text = (
        "The story was picked up by the Daily Ledger, which wrote: "
        "“The council has failed the city again.”"
    )
    assert only(text).speaker == "the Daily Ledger"


def test_quote_signed_in_the_next_paragraph() -> None:
    text = "Readers wrote in.\n\n“Taxes are far too high in this county.”\n\n- Maria Lopez, Dayton."
    quote = only(text)
    assert (quote.speaker, quote.description) == ("Maria Lopez", "Dayton")


def test_headline_names_the_speaker() -> None:
    text = (
        "Maria Lopez: ‘We Will Win This Fight’\n\n"
        "“We will keep fighting until the plant reopens its doors.”\n\n"
        "Lopez has led the union since 2010."
    )
    assert only(text).speaker_resolved == "Maria Lopez"


def test_title_before_a_name() -> None:
    text = (
        "Democratic party leader Ann Price took to Twitter, writing: "
        "“The vote was a disgrace to this chamber.”"
    )
    assert only(text).speaker == "Democratic party leader Ann Price"


def test_noun_phrase_with_a_preposition_before_the_verb() -> None:
    text = "Nobody knew.\n\n“Welcome, friends, to our island!” a banner on the pier reads."
    assert only(text).speaker == "a banner on the pier"


def test_unlisted_verb_with_an_inverted_name() -> None:
    text = "It was loud.\n\n“This is simply wonderful!” beamed Donald Hartley of Dayton, Ohio."
    assert only(text).speaker == "Donald Hartley"


def test_unlisted_verb_in_a_longer_sentence() -> None:
    text = "“Go back to your seat now,” Trump barked and a guard escorted the man out."
    assert (only(text).speaker, only(text).cue) == ("Trump", "barked")


@pytest.mark.parametrize("dash", ["―", "—", "–"])
def test_quote_signed_after_a_dash_on_its_line(dash: str) -> None:
    text = (
        "Readers answered.\n\n"
        f"“Taxes are far too high in this county. Nobody listens.”{dash} Maria Lopez\xa0\n"
        f"“The schools are good, and the parks are clean.” {dash} Tom Reed."
    )
    first, second = extract_quotes(text)
    assert (first.speaker, first.cue) == ("Maria Lopez", dash)
    assert second.speaker == "Tom Reed"


def test_transcript_turns_keep_their_speakers() -> None:
    text = (
        "The interview went on.\n\n"
        '"PENCE: Well, look, we are going to win this state.\n\n'
        '"But the truth is that the campaign has a long way to go.\n\n'
        '"WALLACE: Governor, I want to ask you one more question.\n\n'
        '"PENCE: And that is why we will be in the White House."'
    )
    quotes = extract_quotes(text)
    assert [q.speaker for q in quotes] == ["PENCE", "PENCE", "WALLACE", "PENCE"]


def test_the_verb_at_the_mark_names_the_speaker() -> None:
    text = (
        "When Ann Price noted that Tom Reed had paid no tax for years, "
        "Reed boasted, “That makes me smart, very smart.”"
    )
    assert only(text).speaker == "Reed"


@pytest.mark.parametrize(
    ("text", "speaker", "cue"),
    [
        ("Japan branded North Korea an “outlaw nation in the neighborhood.”", "Japan", "branded"),
        (
            "Another critic, Laurence H. Tribe, likened the rules to “burning the Constitution.”",
            "Laurence H. Tribe",
            "likened",
        ),
        (
            "A report released last year found that the agency could not trace "
            "“the drug trade, human trafficking or other crimes.”",
            "A report released last year",
            "found",
        ),
        (
            "The rule demands a “lawful source of investment income,” as a Homeland Security "
            "memo put it.",
            "a Homeland Security memo",
            "put",
        ),
    ],
)
def test_less_common_cues(text: str, speaker: str, cue: str) -> None:
    quote = only(text)
    assert (quote.speaker, quote.cue) == (speaker, cue)


def test_a_nickname_in_quotes_is_part_of_the_attribution() -> None:
    text = (
        "Bobby Scott welcomed the guests. Although Scott has not declared, he leads.\n\n"
        '"This is a big year for our senator!" Scott\'s niece, state Del. '
        'Marcia "Cia" Price (D-Newport News), shouted to the crowd. '
        '"The nation is watching Virginia now."'
    )
    first, second = extract_quotes(text)
    assert first.speaker == second.speaker == "Scott's niece"
    assert first.description == 'state Del. Marcia "Cia" Price (D-Newport News)'
    assert first.speaker_resolved == "Bobby Scott's niece"


def test_a_relative_after_a_quote_is_not_its_speaker() -> None:
    text = (
        "The two men issued a statement describing the talks as "
        "“a very positive step toward unification” that recognized the common ground."
    )
    assert only(text).speaker != "that"


def test_a_time_phrase_and_a_pronoun_subject() -> None:
    text = (
        "Al Sharpton spoke first. Eight years ago, he supported Barack Obama over Clinton "
        "and said, “Hillary Clinton has never done anything for us.”"
    )
    quote = only(text)
    assert (quote.speaker, quote.speaker_resolved) == ("he", "Al Sharpton")


def test_a_title_case_headline_is_not_a_person() -> None:
    text = (
        "America Ferrera Sent Donald Trump A Message About Latinos\n\n"
        "In a conversation with the host, the actor spoke. “You don't hear about us, "
        "and you feel like you haven't contributed anything,” he said."
    )
    assert (
        only(text).speaker_resolved != "America Ferrera Sent Donald Trump A Message About Latinos"
    )


@pytest.mark.parametrize(
    "text",
    [
        "The band played late.\n\n“We will be back here next spring,” they said.",
        "A notice hung on the door.\n\n“The shop will close early on Sundays,” it says.",
        "The editors tried the new phone. We called it “a joy to hold and to use.”",
    ],
)
def test_an_unresolved_pronoun_is_no_shown_speaker(text: str) -> None:
    quote = extract_quotes(text)[-1]
    assert quote.speaker is not None and shown_speaker(quote) is None


@pytest.mark.parametrize("opening", ["However,", "Meanwhile,", "In a statement Friday,"])
def test_an_opening_phrase_before_an_appositive_subject_is_not_the_speaker(opening: str) -> None:
    text = (
        f"{opening} harbour master Ana Ruiz, who is meeting the traders on Monday, said the "
        "city has told them that “the bridge will reopen before the summer season.”"
    )
    quote = only(text)
    assert (quote.speaker_resolved, shown_speaker(quote)) == ("Ana Ruiz", "Ana Ruiz")


def test_a_quote_reopened_without_its_mark_keeps_its_own_attribution() -> None:
    text = (
        "“We want answers from the city,” said Tom Reed.\n\n"
        "“The bridge is safe for now.” It will need repairs before the winter, and the city "
        "will pay for them,” said Ana Ruiz."
    )
    first, second, third = extract_quotes(text)
    assert third.text == "It will need repairs before the winter, and the city will pay for them,"
    assert [q.speaker_resolved for q in (first, second, third)] == [
        "Tom Reed",
        "Ana Ruiz",
        "Ana Ruiz",
    ]
    assert_offsets(text, [first, second, third])


@pytest.mark.parametrize(
    "text",
    [
        "The fever is rare in adults. In children it is called “the slow summer fever.”",
        "Mold in hay is a risk. It can cause what’s known as “farm dust lung disease.”",
        "Tom Reed hosted a late-night radio show called “Talk to me, Dr. Lee” for years.",
        "Green Path refers to plans intended to build a “cleaner, quieter and greener city "
        "centre” by 2030.",
    ],
)
def test_a_name_given_in_quote_marks_has_no_speaker(text: str) -> None:
    assert [shown_speaker(quote) for quote in extract_quotes(text)] in ([], [None])


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            "“The plan could have worked,” Tom Reed, the former mayor of the town, said, “if the "
            "council had funded it” and kept to the timetable.",
            "Tom Reed",
        ),
        (
            "Ana Ruiz said the council had acted “within the law and its own rules”, saying she "
            "trusted the courts to decide.",
            "Ana Ruiz",
        ),
        (
            "“We will keep the clinic open for every family,” says the letter signed by forty "
            "nurses.",
            "the letter",
        ),
        (
            "The driver was tired. Here is how it went, in the words of the driver: “I could not "
            "keep my eyes open for more than a minute.”",
            "the driver",
        ),
    ],
)
def test_the_speaker_is_a_whole_noun_phrase_outside_the_quotes(text: str, speaker: str) -> None:
    """Not the words of an earlier quote, a clause after a participle, a reduced relative."""
    assert extract_quotes(text)[-1].speaker == speaker


@pytest.mark.parametrize(
    "text",
    [
        "That’s when Tom Reed and Ana Ruiz learned the truth, and found themselves facing “the "
        "whole mess of it all.”",
        "The rivals grew louder, from Tom Reed’s declaring an end to all fees to Ana Ruiz’s "
        "plan for “free buses for all.”",
        "Trust the process, keep the faith and stay patient with the market:\n\n"
        "“Nobody will trust a trader who leaves before the bell rings twice.”",
    ],
)
def test_a_sentence_word_or_a_possessive_is_no_speaker(text: str) -> None:
    assert extract_quotes(text)[-1].speaker is None


def test_a_title_goes_to_the_description_and_a_surname_to_the_full_name() -> None:
    text = (
        "“The talks are over for this week,” White House Press Secretary Ana Ruiz said.\n\n"
        "“We will not sign it in this form,” Ruiz said.\n\n"
        "“We are ready to build,” said company CEO Tom Reed."
    )
    first, second, third = extract_quotes(text)
    assert [q.speaker_resolved for q in (first, second, third)] == [
        "Ana Ruiz",
        "Ana Ruiz",
        "Tom Reed",
    ]
    assert (first.description, third.description) == ("White House Press Secretary", "company CEO")
    assert {speaker_key(shown_speaker(q) or "") for q in (first, second)} == {"ana ruiz"}


@pytest.mark.parametrize(
    "text",
    [
        "Tom Reed runs the fund.\n\nRegular FIRE is a plan with average spending.\n\n"
        "“Start by knowing your net worth,” he said.",
        "Tom Reed and Ana Ruiz met voters.\n\nBoth Reed and Ruiz face doubts.\n\n"
        "The crowd laughed when he urged voters, “Look at what I have delivered so far.”",
        "Tom Reed studied the moon.\n\nRelated: The Moon in Pictures\n\n"
        "Reed used a telescope. “We found water where we expected none,” Reed said.",
    ],
)
def test_a_person_is_no_day_acronym_sentence_word_or_line_break(text: str) -> None:
    assert extract_quotes(text)[-1].speaker_resolved == "Tom Reed"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            "The French foreign ministry said it “regrets any decision likely to encourage "
            "building.”",
            "The French foreign ministry",
        ),
        (
            "On Monday, the People’s Daily, the voice of the party, warned that there is "
            "“absolutely no room for compromise”.",
            "the People’s Daily",
        ),
        (
            "One campaign video warned viewers: “Nobody is safe from this drug.”",
            "One campaign video",
        ),
    ],
)
def test_a_description_is_not_cut_to_its_capitalised_word(text: str, speaker: str) -> None:
    quote = only(text)
    assert (quote.speaker_resolved, shown_speaker(quote)) == (speaker, speaker)


def test_a_day_is_no_person() -> None:
    text = "Reed spoke the night before Election Day.\n\n“We will win by ten points,” he said."
    assert only(text).speaker_resolved == "he"


def quoting_text(size: int, paragraphs: bool) -> str:
    """`size` characters of reporting: many people, quotes and pronoun speakers, in short
    paragraphs or in one long one."""
    people = ["John Smith", "Mary Jones"]
    pronoun = {"John": "he", "Mary": "she"}
    pick = random.Random(1).choice
    parts: list[str] = []
    while sum(map(len, parts)) < size:
        person = pick(people)
        first, surname = person.split()
        speaker = pick([pronoun[first], surname])
        parts.append(
            f"{person} said the plan was working. “We will keep going until the job is done,”"
            f" {speaker} said. Later {surname} told reporters: “It is not over yet, not by a"
            " long way.”"
        )
    return ("\n\n" if paragraphs else " ").join(parts)[:size]


@pytest.mark.parametrize("paragraphs", [True, False], ids=["paragraphs", "one-paragraph"])
def test_quote_finding_grows_linearly_with_the_text(paragraphs: bool) -> None:
    small, large = quoting_text(10_000, paragraphs), quoting_text(80_000, paragraphs)
    assert len(extract_quotes(large)) > 7 * len(extract_quotes(small))
    # Eight times the text: about 8x the time when linear, 64x when quadratic. The bound leaves
    # room for a loaded machine (12 was passed once in a run beside other work).
    assert growth(extract_quotes, small, large) < 24


def test_a_rule_left_out_by_name_reads_no_more() -> None:
    text = "“We will win this race,” Smith said."
    without = RULEBOOK.without("name_said")
    assert "name_said" not in without.names()
    assert extract_quotes(text, rules=without)[0].speaker is None
    assert extract_quotes(text, rules=RULEBOOK)[0].speaker == "Smith"


def test_every_rule_has_its_own_name() -> None:
    names = RULEBOOK.names()
    assert len(names) == len(set(names))
    with pytest.raises(KeyError):
        RULEBOOK.without("no_such_rule")


def test_the_first_rule_to_answer_decides_even_when_it_names_nobody() -> None:
    smith = Attribution("Smith", 0, 5, "said")

    def claims(frame: str) -> Reading:
        return NOBODY if frame == "claimed" else None

    def names(frame: str) -> Reading:
        return smith

    assert first_reading((claims, names), "free") == smith
    assert first_reading((claims, names), "claimed") is None
    assert first_reading((), "free") is None
