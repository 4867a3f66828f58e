"""Folding an ASCII address in one pass gives what the word-by-word rule gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from omnidesk.core.identity.keys import _ADDRESS_WORDS, fold_address


def word_by_word(text: str) -> str:
    """The rule spelt out: lower-cased, commas part words, other punctuation dropped, street words abbreviated."""
    words = ("".join(ch for ch in word if ch.isalnum()) for word in text.lower().replace(",", " ").split())
    return " ".join(_ADDRESS_WORDS.get(w, w) for w in words if w)


pieces = st.sampled_from([*_ADDRESS_WORDS, "12", "Main", "St.", "O'Neil", "Apt#4", "1/2", "-", ",", " ", "\t", "\x1c"])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)) | st.lists(pieces).map("".join))
def test_ascii_addresses_fold_as_the_rule_says(text):
    assert fold_address(text) == word_by_word(text)


def test_punctuation_goes_commas_part_words():
    assert fold_address("12-14 St. John's Road,Apt 3") == "1214 st johns rd apt 3"
