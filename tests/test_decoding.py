"""Legacy-encoded text files read as written: Western European news in cp1252 and Latin-1,
Central European in cp1250, Russian in cp1251 and KOI8-R, whole and as a short excerpt (where
detection has the least to go on). Each text is read through ``load_file`` as a user's file is.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.decoding import decode, language_fit
from qa.documents import load_file

TEXTS = {
    "fr": (
        "Le café de la gare à Besançon a augmenté le prix de la crème brûlée à 6 € vendredi, "
        "a déclaré la propriétaire, Hélène Lefèvre. « C’est la hausse des coûts de "
        "l’électricité », dit-elle. Les élèves du lycée voisin protestent déjà, et le maire "
        "a promis une réunion publique dès la rentrée.\n"
    ),
    "de": (
        "Die Bäckerei in Göttingen erhöht den Preis für Brötchen um 15 Prozent auf 0,45 €. "
        "„Die Kosten für Mehl und Strom sind gestiegen“, sagte der Inhaber Jürgen Müller am "
        "Dienstag. Die Straße vor dem Geschäft wird außerdem im März gesperrt, weil die "
        "Stadtwerke neue Leitungen verlegen.\n"
    ),
    "da": (
        "Færgen til Ærø får nye billetpriser fra 1. maj, oplyser rederiet. En voksenbillet "
        "koster 95 kr., og børn under 12 år rejser gratis. „Vi håber på flere passagerer“, "
        "siger direktør Søren Østergård. Øens borgmester er tilfreds med aftalen, som gælder "
        "i tre år.\n"
    ),
    "es": (
        "El ayuntamiento de Logroño aprobó el lunes un presupuesto de 3,2 millones de euros "
        "para el nuevo puente peatonal. «Es una inversión necesaria», afirmó la alcaldesa, "
        "María Ibáñez. Las obras comenzarán en otoño y durarán dieciocho meses, según el "
        "señor Núñez, jefe de urbanismo.\n"
    ),
    "pl": (
        "Rada miasta Łodzi zatwierdziła w poniedziałek budżet na nowy most dla pieszych w "
        "wysokości 3,2 mln złotych. Prace rozpoczną się jesienią, a zakończą za półtora roku. "
        "Źródło finansowania to regionalny fundusz infrastruktury, powiedział rzecznik "
        "Michał Żółkiewski.\n"
    ),
    "cs": (
        "Zastupitelstvo města Příbram schválilo v pondělí rozpočet na nový most pro pěší ve "
        "výši 80 milionů korun. Práce začnou na podzim a potrvají osmnáct měsíců. Peníze "
        "přijdou z regionálního fondu, řekl mluvčí Jiří Dvořák.\n"
    ),
    "ru": (
        "Городской совет Новгорода утвердил в понедельник бюджет нового пешеходного моста в "
        "размере 3,2 миллиона евро. Работы начнутся осенью и продлятся полтора года. Деньги "
        "поступят из регионального фонда инфраструктуры, сообщил пресс-секретарь.\n"
    ),
}
# Latin-1 has no €, „ “ ’: what a Latin-1 file holds instead
LATIN1 = str.maketrans({"€": "EUR", "„": '"', "“": '"', "”": '"', "’": "'"})
CASES = [
    ("fr", "cp1252"),
    ("fr", "latin-1"),
    ("de", "cp1252"),
    ("de", "latin-1"),
    ("da", "cp1252"),
    ("da", "latin-1"),
    ("es", "cp1252"),
    ("es", "latin-1"),
    ("pl", "cp1250"),
    ("cs", "cp1250"),
    ("ru", "cp1251"),
    ("ru", "koi8-r"),
]


@pytest.mark.parametrize("length", [None, 120])
@pytest.mark.parametrize(("language", "encoding"), CASES)
def test_legacy_encoded_news_reads_as_written(
    tmp_path: Path, language: str, encoding: str, length: int | None
) -> None:
    text = TEXTS[language]
    if encoding == "latin-1":
        text = text.translate(LATIN1)
    text = text[:length].rstrip() + "\n" if length else text
    path = tmp_path / f"{language}.txt"
    path.write_bytes(text.encode(encoding))
    assert load_file(path).text == text


@pytest.mark.parametrize(
    "text",
    [
        # chaos ties for both readings; cp1252 gave "Prùmìrná" and "Èeský"
        "Zprávy z Prahy\n\nPrůměrná mzda v Praze vzrostla o 7 procent na 52 tisíc korun, "
        "uvedl Český statistický úřad. Ředitel úřadu řekl, že růst byl nejvyšší za posledních "
        "deset let. Ceny potravin se zvýšily o čtyři procenta, zatímco nájemné v hlavním městě "
        "stouplo o devět procent. Odborníci očekávají, že příští rok bude růst pomalejší.\n",
        # cp1250 is a little messier than cp1252 here; cp1252 gave "Wiadomoœci z £odzi"
        "Wiadomości z Łodzi\n\nŚrednie wynagrodzenie w Łodzi wzrosło o 7 procent, "
        "poinformował Główny Urząd Statystyczny w poniedziałek.\n",
    ],
)
def test_short_central_european_news_is_not_read_as_cp1252(tmp_path: Path, text: str) -> None:
    path = tmp_path / "news.txt"
    path.write_bytes(text.encode("cp1250"))
    assert load_file(path).text == text


def test_a_wrong_code_page_mixes_alphabets() -> None:
    """The measure the choice rests on: the right reading spells one language's letters."""
    data = TEXTS["fr"].encode("cp1252")
    assert language_fit(data.decode("cp1252")) > language_fit(data.decode("cp1257"))
    polish = TEXTS["pl"].encode("cp1250")
    # ISO-8859-13 reads "ł" as a superscript three inside words: no language's letter
    assert language_fit(polish.decode("cp1250")) > language_fit(polish.decode("iso8859_13"))


def test_utf8_comes_first_and_binary_is_refused() -> None:
    assert decode("Ærø – “news”".encode()) == "Ærø – “news”"
    assert decode(b"\xef\xbb\xbfBOM text") == "BOM text"
    with pytest.raises(ValueError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_english_text_with_foreign_names_stays_cp1252(tmp_path: Path, encoding: str) -> None:
    """Accented letters of several languages in one English text (a Danish name, a French
    dessert) fit no one language; they are still read as the Western code page they are."""
    text = (
        "The café on the pier of Ålvik raised the price of a crème brûlée to 6 euros on "
        "Friday, said the owner, Søren Møller, who opened it with José Núñez in 2019.\n"
    )
    path = tmp_path / "cafe.txt"
    path.write_bytes(text.encode(encoding))
    assert load_file(path).text == text


@pytest.mark.parametrize(("language", "encoding"), [("fr", "cp1252"), ("pl", "cp1250")])
def test_a_file_larger_than_the_detection_sample_reads_as_written(
    language: str, encoding: str
) -> None:
    """A file over the sample detection reads (a large one is not scanned whole, once per
    code page): the code page chosen on the sample must still decode all of it, including a
    letter that occurs only after the sample."""
    import qa.decoding

    text = TEXTS[language] * (qa.decoding._SAMPLE_BYTES // len(TEXTS[language]) + 40)
    text += "Ça coûte 6 €.\n" if encoding == "cp1252" else "Żółć kosztuje 6 zł.\n"
    assert len(text.encode(encoding)) > qa.decoding._SAMPLE_BYTES + 1000
    assert decode(text.encode(encoding)) == text


def test_a_large_utf16_file_with_a_byte_order_mark_reads_as_written() -> None:
    import qa.decoding

    text = TEXTS["de"] * 6000
    data = text.encode("utf-16")
    assert len(data) > qa.decoding._SAMPLE_BYTES
    assert decode(data) == text
