"""German texts of the data-check problems, keyed by their stable problem code.

The io and prep layers describe every problem in English (as the command
line does); the German report prints the German text of its code instead and
adds the column and, per file, the number of affected rows. A code without a
German text keeps its English message (the report then says so).
"""

from __future__ import annotations

from ilb_eval.formatting import Lang

__all__ = ["PROBLEM_TEXTS_DE", "problem_text"]

#: German text per problem code (io: :data:`ilb_eval.io.codes.SEVERITY`; prep: the codes of ``Panel.problems``).
PROBLEM_TEXTS_DE: dict[str, str] = {
    # io: the file
    "FILE_NOT_FOUND": "Datei nicht gefunden",
    "UNEXPECTED_FILE": "Datei gehört nicht zur Studiendefinition und wird nicht gelesen",
    "UNSUPPORTED_FORMAT": "Dateiformat wird nicht unterstützt",
    "WRONG_FORMAT": "Dateiinhalt passt nicht zur Dateiendung (z. B. eine Excel-Arbeitsmappe oder ein Archiv mit "
                    "der Endung .csv)",
    "UNREADABLE_FILE": "Datei ist nicht lesbar",
    "EMPTY_FILE": "Datei ist leer",
    "HEADER_ONLY": "Datei enthält nur die Kopfzeile, keine Datenzeilen",
    "ENCODING": "Zeichenkodierung weicht von der deklarierten ab",
    "DIALECT_AMBIGUOUS": "CSV-Format (Trennzeichen, Dezimalzeichen) nicht eindeutig erkennbar",
    "DIALECT_MISMATCH": "CSV-Format weicht vom deklarierten ab",
    "BYTE_ORDER_MARK": "Datei beginnt mit einer UTF-8-Bytereihenfolgemarke; sie wird als UTF-8 gelesen",
    "EXTRA_HEADER_ROWS": "Zeilen zwischen Spaltennamen und Daten (Fragetexte, Import-IDs) werden übersprungen",
    "SHEET_NOT_FOUND": "das in der Studiendefinition genannte Tabellenblatt fehlt in der Arbeitsmappe",
    "SEVERAL_SHEETS": "Daten auf mehr als einem Tabellenblatt der Arbeitsmappe",
    "RAGGED_ROW": "Zeilen mit abweichender Zahl von Feldern",
    "UNTERMINATED_QUOTE": "nicht geschlossenes Anführungszeichen",
    "MALFORMED_CSV": "fehlerhaft aufgebaute CSV-Datei",
    # io: the columns
    "NO_HEADER": "Kopfzeile fehlt",
    "DUPLICATE_HEADER": "Spaltenname kommt mehrfach vor",
    "MISSING_COLUMN": "deklarierte Spalte fehlt",
    "UNEXPECTED_COLUMN": "nicht deklarierte Spalte; sie wird nicht ausgewertet",
    "DIRECT_IDENTIFIER": "Spalte mit direkt identifizierenden Angaben",
    "SCHEMA_DRIFT": "Spalten weichen vom Tabellenschema ab",
    "WAVE_NOT_IN_SCALE": "Welle der Studie fehlt in der Wellenliste einer Skala; sie geht nicht in deren Wachstumsmodell ein",
    # io: the values
    "WRONG_TYPE": "Werte mit falschem Datentyp",
    "OUT_OF_RANGE": "Werte außerhalb des Wertebereichs",
    "SUSPECT_MISSING_CODE": "Werte, die wie ein nicht deklarierter Fehlend-Code aussehen",
    "DUPLICATE_ID": "Personenkennung kommt mehrfach vor",
    "EMPTY_ID": "Personenkennung fehlt",
    "UNUSUAL_CODE": ("Personenkennung enthält nach der Normalisierung noch andere Zeichen als Buchstaben und "
                     "Ziffern (unsichtbare Zeichen, fremde Alphabete, Emoji)"),
    "REQUIRED_EMPTY": "Pflichtfeld ist leer",
    "NO_ANSWERS": "keine Zeile der Datei enthält eine Antwort (nur Personenkennungen, leere Zellen oder Fehlend-Codes)",
    "TOO_FEW_EXPORTS": "zu wenige Exportdateien von Wellen im Ordner (mindestens zwei)",
    "NO_PERSON_CODE": "keine Spalte taugt als Personenkennung (in jeder Welle gefüllt und eindeutig)",
    "DUPLICATE_TIME": "mehrere Zeilen derselben Person für denselben Zeitpunkt (Langformat)",
    "TIME_VARYING": "Wert, der je Person gleich sein muss, ändert sich über die Zeit (Langformat)",
    # prep: linkage, covariates, scales
    "UNKNOWN_WAVE": "Welle gehört nicht zur Studie",
    "MISSING_WAVE": "Welle fehlt",
    "MISSING_CODE": "Zeilen ohne Personenkennung; sie lassen sich nicht verknüpfen und sind ausgeschlossen",
    "DUPLICATE_CODE": ("Zeilen mit derselben (normalisierten) Personenkennung wie eine andere Zeile derselben "
                       "Welle; sie sind ausgeschlossen"),
    "TOLERANCE_CAPPED": ("die tolerante Verknüpfung akzeptiert höchstens ein abweichendes Zeichen "
                         "(max_differences wird auf 1 begrenzt)"),
    "UNLINKED_WAVE": ("fast keine Person dieser Welle ließ sich mit einer anderen Welle verknüpfen; die Datei "
                      "gehört vermutlich zu einer anderen Studie oder die Kennungen sind anders geschrieben"),
    "EMPTY_SCALE": "alle Items einer Skala fehlen in jeder Zeile; die Skala hat in dieser Welle keinen Wert",
    "CONFLICTING_VALUES": ("Personen mit unterschiedlichen Angaben über die Wellen; der Wert ist für sie auf "
                           "fehlend gesetzt"),
    "ILB_USE_UNKNOWN": "Personen ohne Angabe zur iLB-Nutzung; sie zählen zur Kontrollgruppe",
}


def problem_text(code: str, message: str, lang: Lang = "de") -> tuple[str, bool]:
    """The text of a data-check problem in the report language, and whether it is in that language.

    English: the problem's own message. German: the text of its code, or the
    English message when the code has none.

    >>> problem_text("ILB_USE_UNKNOWN", "13 persons never answered ...")
    ('Personen ohne Angabe zur iLB-Nutzung; sie zählen zur Kontrollgruppe', True)
    >>> problem_text("NEW_CODE", "something new")
    ('something new', False)
    >>> problem_text("ILB_USE_UNKNOWN", "13 persons never answered ...", "en")
    ('13 persons never answered ...', True)
    """
    if lang != "de":
        return message, True
    text = PROBLEM_TEXTS_DE.get(code)
    return (text, True) if text else (message, False)
