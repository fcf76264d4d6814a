"""Properties over generated inputs (hypothesis): every valid number is found, whatever its
country, grouping or surroundings; numbers failing their check are never reported."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

from rucher.sensitive import Kind, scan
from rucher.sensitive.patterns import card_brand, luhn_ok

_IBAN_DAT = Path(stdnum_iban.__file__).with_name("iban.dat").read_text()
STRUCTURES = dict(re.findall(r'^([A-Z]{2}) country="[^"]*" bban="([^"]+)"', _IBAN_DAT, re.M))
POOLS = {
    "n": "0123456789",
    "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "c": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
}

# words around a number, as in a sentence (no letters or digits touching it)
prose = st.sampled_from(["", "IBAN : ", "Mon compte ", "virement sur le ", "(", "merci : "])
after = st.sampled_from(["", ".", " merci", ", BIC à suivre", ")", "\nBonne journée"])


@st.composite
def ibans(draw: st.DrawFn) -> str:
    country = draw(st.sampled_from(sorted(STRUCTURES)))
    body = ""
    for count, kind in re.findall(r"(\d+)!([nac])", STRUCTURES[country]):
        body += draw(st.text(alphabet=POOLS[kind], min_size=int(count), max_size=int(count)))
    return country + stdnum_iban.calc_check_digits(country + "00" + body) + body


@settings(max_examples=300, deadline=None)
@given(ibans(), st.booleans(), prose, after)
def test_any_valid_iban_is_found(value: str, spaced: bool, before: str, tail: str) -> None:
    written = " ".join(value[i : i + 4] for i in range(0, len(value), 4)) if spaced else value
    text = before + written + tail
    ibans_found = [f for f in scan(text) if f.kind == Kind.IBAN]
    assert len(ibans_found) == 1, text
    assert text[ibans_found[0].start : ibans_found[0].end] == written


@settings(max_examples=300, deadline=None)
@given(ibans(), st.integers(min_value=1, max_value=96))
def test_an_iban_with_a_wrong_key_is_never_found(value: str, shift: int) -> None:
    key = (int(value[2:4]) - 2 + shift) % 97 + 2  # keys run from 02 to 98
    wrong = value[:2] + f"{key:02d}" + value[4:]
    assert not any(f.kind == Kind.IBAN for f in scan(f"IBAN : {wrong}"))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789", min_size=13, max_size=19), st.booleans())
def test_digit_strings_failing_luhn_are_never_cards(digits: str, spaced: bool) -> None:
    if luhn.is_valid(digits):
        digits = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    assert not luhn_ok(digits)
    written = " ".join(digits[i : i + 4] for i in range(0, len(digits), 4)) if spaced else digits
    assert not any(f.kind == Kind.CARD for f in scan(f"carte {written} merci"))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["4", "51", "55", "2221", "2720", "34", "37", "6011", "3528", "62"]),
    st.data(),
)
def test_any_luhn_valid_card_of_a_known_issuer_is_found(prefix: str, data: st.DataObject) -> None:
    length = 15 if prefix in ("34", "37") else 16
    body = prefix + data.draw(
        st.text(
            alphabet="0123456789",
            min_size=length - len(prefix) - 1,
            max_size=length - len(prefix) - 1,
        )
    )
    number = body + luhn.calc_check_digit(body)
    assert card_brand(number) is not None
    written = (
        f"{number[:4]} {number[4:10]} {number[10:]}"
        if length == 15
        else " ".join(number[i : i + 4] for i in range(0, 16, 4))
    )
    cards = [f for f in scan(f"Carte : {written}, exp 12/27") if f.kind == Kind.CARD]
    assert len(cards) == 1 and cards[0].masked.endswith(number[-4:])


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from("12"),
    st.integers(0, 99),
    st.integers(1, 12),
    st.sampled_from([f"{d:02d}" for d in range(1, 96) if d != 20] + ["2A", "2B"]),
    st.integers(1, 999),
    st.integers(1, 999),
    st.booleans(),
)
def test_any_valid_nir_is_found(
    sex: str, year: int, month: int, dep: str, commune: int, order: int, spaced: bool
) -> None:
    head = f"{sex}{year:02d}{month:02d}{dep}{commune:03d}{order:03d}"
    value = head + stdnum_nir.calc_check_digits(head)
    parts = [value[0], value[1:3], value[3:5], value[5:7], value[7:10], value[10:13], value[13:]]
    written = " ".join(parts) if spaced else value
    assert any(f.kind == Kind.NIR for f in scan(f"Sécu : {written}."))
    wrong = value[:13] + f"{(int(value[13:]) + 1) % 98:02d}"
    if not stdnum_nir.is_valid(wrong):
        assert not any(f.kind == Kind.NIR for f in scan(f"Sécu : {wrong}."))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_scans_and_findings_are_sane(text: str) -> None:
    findings = scan(text)
    for finding in findings:
        assert 0 <= finding.start < finding.end <= len(text)
    for before, later in itertools.pairwise(findings):
        assert before.end <= later.start
