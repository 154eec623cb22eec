"""Automatic grading: tolerant comparison, accent feedback and each exercise type."""

import pytest

from lms.learning.grading import (
    AUTO_GRADED,
    GradeResult,
    cloze_blanks,
    cloze_segments,
    grade,
    normalize,
    strip_accents,
)


def short(answers, given, feedback=None) -> GradeResult:
    return grade("short_answer", {"answers": answers, "feedback": feedback}, given)


def choices(*flags, feedback=None):
    return {
        "choices": [
            {"text": f"choix {i}", "correct": flag, "feedback": (feedback or {}).get(i)}
            for i, flag in enumerate(flags)
        ]
    }


# --- Comparison --------------------------------------------------------------------------------


def test_missing_accents_get_half_the_points_and_name_the_word_and_letters():
    result = short(["élève"], "eleve")
    assert result.score == pytest.approx(0.5)
    assert not result.correct
    assert result.messages == ["« eleve » s'écrit « élève » : il manque les accents sur é, è."]
    assert result.details[0]["status"] == "accents"


def test_a_wrong_accent_names_the_letter_to_check():
    result = short(["élève"], "élêve")
    assert result.score == pytest.approx(0.5)
    assert result.messages == ["« élêve » s'écrit « élève » : attention aux accents (è et non ê)."]


def test_accent_message_names_only_the_word_concerned():
    result = short(["Je suis très contente"], "je suis tres contente")
    assert result.score == pytest.approx(0.5)
    assert result.messages == ["« tres » s'écrit « très » : il manque l'accent sur è."]


def test_a_missing_cedilla_or_diaeresis_is_named():
    result = short(["français"], "francais")
    assert result.messages == ["« francais » s'écrit « français » : il manque la cédille (ç)."]
    result = short(["Noël"], "noel")
    assert result.messages == ["« noel » s'écrit « Noël » : il manque le tréma sur ë."]


@pytest.mark.parametrize(
    ("expected", "given"),
    [
        ("j'habite", "j’habite"),
        ("j’habite", "j'habite"),
        ("Je m'appelle Ana", "  je   M'APPELLE  ana "),
        ("cœur", "coeur"),
        ("Œuvre", "oeuvre"),
        ("Il fait beau.", "il fait beau"),
        ("Sont-elles neuves ?", "sont-elles neuves?"),
        ("neuves?", "neuves\u202f?"),
        ("C'est « super »", 'c\'est "super"'),
        ("Bonjour!", "bonjour"),
    ],
)
def test_typing_differences_do_not_count(expected, given):
    result = short([expected], given)
    assert result.score == 1.0
    assert result.correct
    assert result.details[0]["status"] == "correct"


def test_normalize_and_strip_accents():
    assert normalize("  J’AI  un CŒUR\u00a0!  ") == "j'ai un coeur"
    assert normalize("Ça va ?") == "ça va"
    assert normalize("l' école") == "l'école"
    assert strip_accents("Ça, élève, maïs") == "Ca, eleve, mais"


def test_several_accepted_answers():
    assert short(["habite", "demeure"], "demeure").score == 1.0
    assert short(["habite", "demeure"], "habite").score == 1.0
    result = short(["habite", "demeure"], "reste", feedback="Pensez au verbe « habiter ».")
    assert result.score == 0.0
    assert result.messages == ["Pensez au verbe « habiter »."]


def test_short_answer_without_feedback_and_empty_answer():
    assert short(["Montréal"], "Québec").messages == ["Ce n'est pas la bonne réponse."]
    assert short(["Montréal"], "  ").messages == ["Vous n'avez pas répondu."]


# --- Cloze -------------------------------------------------------------------------------------

CLOZE = {"text": "Je [[m'appelle]] Ana et j'[[habite|demeure]] à Laval."}


def test_cloze_blanks_and_segments():
    assert cloze_blanks(CLOZE["text"]) == [["m'appelle"], ["habite", "demeure"]]
    assert cloze_segments(CLOZE["text"]) == ["Je ", 0, " Ana et j'", 1, " à Laval."]
    assert cloze_segments("[[a]] et [[b | c]]") == [0, " et ", 1]
    assert cloze_blanks("[[a]] et [[b | c]]") == [["a"], ["b", "c"]]


def test_cloze_accepts_every_listed_answer():
    assert grade("cloze", CLOZE, ["m’appelle", "demeure"]).score == 1.0
    assert grade("cloze", CLOZE, ["M'appelle", "habite"]).score == 1.0


def test_cloze_one_blank_right_one_wrong():
    result = grade("cloze", CLOZE, ["m'appelle", "reste"])
    assert result.score == pytest.approx(0.5)
    assert [d["status"] for d in result.details] == ["correct", "wrong"]
    assert result.details[1] == {
        "index": 1,
        "given": "reste",
        "expected": "habite",
        "status": "wrong",
    }
    assert result.messages == ["Espace 2 : « reste » n'est pas la bonne réponse."]


def test_cloze_accents_in_a_blank_of_several_words():
    result = grade("cloze", {"text": "Hier, il [[a été]] malade."}, ["a ete"])
    assert result.score == pytest.approx(0.5)
    assert result.details[0]["status"] == "accents"
    assert result.messages == ["« ete » s'écrit « été » : il manque les accents sur é."]


def test_cloze_answer_of_the_wrong_length_raises():
    with pytest.raises(ValueError, match="2 item"):
        grade("cloze", CLOZE, ["m'appelle"])


# --- Multiple choice ---------------------------------------------------------------------------


def test_multiple_choice_right_and_wrong():
    spec = choices(False, True, False, feedback={0: "Non : on dit « je suis »."})
    right = grade("multiple_choice", spec, [1])
    assert right.score == 1.0
    assert right.correct
    wrong = grade("multiple_choice", spec, [0])
    assert wrong.score == 0.0
    assert "Non : on dit « je suis »." in wrong.messages
    assert wrong.details[0] == {"index": 0, "selected": True, "correct": False}
    generic = grade("listening", spec, [2])
    assert generic.messages == ["« choix 2 » n'est pas une bonne réponse."]
    assert grade("multiple_choice", spec, [0, 1]).score == 0.0


def test_multiple_choice_with_several_correct_choices():
    spec = choices(True, True, False, False)
    assert grade("multiple_choice", spec, [0, 1]).score == 1.0
    partial = grade("multiple_choice", spec, [0])
    assert partial.score == pytest.approx(0.5)
    assert "Il manque une bonne réponse." in partial.messages
    assert grade("multiple_choice", spec, [0, 2]).score == 0.0
    assert grade("multiple_choice", spec, [0, 2, 3]).score == 0.0
    assert grade("multiple_choice", spec, []).messages == [
        "Vous n'avez choisi aucune réponse.",
    ]


def test_multiple_choice_index_out_of_range_raises():
    with pytest.raises(ValueError, match="out of range"):
        grade("multiple_choice", choices(True, False), [2])


# --- Ordering and matching ---------------------------------------------------------------------


def test_ordering_partial_score():
    spec = {"items": ["Bonjour", "Comment ça va ?", "Très bien, merci", "Au revoir"]}
    assert grade("ordering", spec, [0, 1, 2, 3]).score == 1.0
    result = grade("ordering", spec, [0, 2, 1, 3])
    assert result.score == pytest.approx(0.5)
    assert result.messages == ["2 éléments ne sont pas à la bonne place."]
    assert [d["correct"] for d in result.details] == [True, False, False, True]


def test_ordering_needs_a_permutation():
    spec = {"items": ["a", "b", "c"]}
    with pytest.raises(ValueError, match="exactly once"):
        grade("ordering", spec, [0, 0, 1])
    with pytest.raises(ValueError):
        grade("ordering", spec, [0, 1])


def test_matching_partial_score_names_the_wrong_items():
    spec = {
        "pairs": [
            {"left": "chien", "right": "dog"},
            {"left": "chat", "right": "cat"},
            {"left": "oiseau", "right": "bird"},
        ]
    }
    result = grade("matching", spec, [0, 2, 1])
    assert result.score == pytest.approx(0.3333)
    assert result.messages == ["Ces 2 associations ne sont pas justes : « chat », « oiseau »."]
    assert grade("matching", spec, [0, 1, 2]).score == 1.0


# --- Dictation ---------------------------------------------------------------------------------


def test_dictation_missing_accent_on_one_word():
    result = grade("dictation", {"transcript": "Mon frère est grand."}, "mon frere est grand")
    assert result.score == pytest.approx(0.875)
    assert result.messages == ["« frere » s'écrit « frère » : il manque l'accent sur è."]
    assert [d["status"] for d in result.details] == ["correct", "accents", "correct", "correct"]


def test_dictation_missing_and_wrong_words():
    spec = {"transcript": "Mon frère est très grand."}
    assert grade("dictation", spec, "Mon frère est très grand").score == 1.0
    missing = grade("dictation", spec, "Mon frère est grand.")
    assert missing.score == pytest.approx(0.8)
    assert missing.messages == ["Il manque un mot."]
    assert missing.details[3]["status"] == "missing"
    wrong = grade("dictation", spec, "Mon frair est très grand, oui.")
    assert wrong.score == pytest.approx(0.8)
    assert wrong.messages == ["Un mot est mal écrit.", "Il y a un mot en trop."]


# --- Errors ------------------------------------------------------------------------------------


def test_teacher_graded_types_raise():
    assert "written_production" not in AUTO_GRADED
    with pytest.raises(ValueError, match="written_production"):
        grade("written_production", {"min_words": 0, "max_words": 100}, "Bonjour")
    with pytest.raises(ValueError):
        grade("oral_production", {}, None)
