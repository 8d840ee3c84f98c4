"""The shared words (components.words): joining, casing, source ids and titles."""
import math

import pandas as pd

from components.words import cap_first, join_words, lower_first, source_ids, source_titles


def test_join_words_reads_as_a_list_in_english():
    assert join_words([]) == ""
    assert join_words(["Havering"]) == "Havering"
    assert join_words(["Havering", "Redbridge"]) == "Havering and Redbridge"
    assert join_words(["Havering", "Redbridge", "Barking and Dagenham"]) == "Havering, Redbridge and Barking and Dagenham"


def test_casing_keeps_acronyms_and_names():
    assert cap_first("band 8a and above") == "Band 8a and above"
    assert cap_first("") == ""
    assert lower_first("Band 8a and above") == "band 8a and above"
    assert lower_first("VSM share") == "VSM share"
    assert lower_first("Black residents", keep={"Black"}) == "Black residents"


def test_source_ids_split_join_and_skip_blanks():
    assert source_ids("ons-ts021;nhs-wres-2024") == ["ons-ts021", "nhs-wres-2024"]
    assert source_ids(["a;b", "b", None, float("nan"), pd.NA, "<NA>", ""]) == ["a", "b"]
    assert source_ids(math.nan) == []


def test_source_titles_use_known_titles_and_fall_back_to_the_id():
    titles = {"a": "Census 2021: TS021", "b": "WRES 2024 data report"}
    assert source_titles("a;b;c", titles) == "Census 2021: TS021; WRES 2024 data report; c"
