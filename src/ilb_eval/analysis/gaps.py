"""Analyses a study declares that the data do not allow, and why, in the user's terms.

Before any model is fitted, :func:`diagnose` checks what the iLB comparison
of a study with a control group needs: persons who reported iLB use, enough
of them and enough controls for a model group, and control variables that
vary. Each cause becomes one :class:`Gap`: which analyses are left out and
why, naming the study field and the export column (never a column the
package derives, such as ``female`` from ``gender``). The run's terminal
prints one line per gap, the report says in the section concerned that the
analysis was not run and why, and the run exits 3.

A cause is reported once even when it stops several analyses (no iLB users
stop the iLB effects, the group comparison, the sensitivity analyses and
the users' feedback).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ilb_eval.formatting import Lang, format_count
from ilb_eval.prep import Panel
from ilb_eval.privacy import CellRule
from ilb_eval.study import Study

if TYPE_CHECKING:  # pragma: no cover
    from ilb_eval.analysis.models import ModelRecord

__all__ = ["ANALYSES", "MODEL_GROUP_FLOOR", "Gap", "covariate_gaps", "diagnose", "export_columns", "gap_text",
           "group_floor", "unexplained_skips"]

#: The analyses a gap can leave out, as the report and the terminal name them.
ANALYSES: dict[str, dict[str, str]] = {
    "ilb_effects": {"de": "die iLB-Effekte (konditionale Modelle)", "en": "the iLB effects (conditional models)"},
    "group_comparison": {"de": "der Mehrgruppenvergleich von iLB- und Kontrollgruppe",
                         "en": "the multi-group comparison of the iLB and control groups"},
    "sensitivity": {"de": "die Sensitivitätsanalysen", "en": "the sensitivity analyses"},
    "feedback": {"de": "die Angaben der iLB-Teilnehmenden (Zufriedenheit, Nutzen, Korrelationen)",
                 "en": "the answers of the iLB participants (satisfaction, benefit, correlations)"},
    "conditions": {"de": "die Modelle zu Durchführungsart und zeitlichen Bedingungen",
                   "en": "the models of delivery mode and time conditions"},
}

#: Estimation-stability floor for model groups (R-4.5), combined with the minimum cell size.
MODEL_GROUP_FLOOR = 30


def group_floor(rule: CellRule) -> int:
    """Smallest group a (multi-group or subgroup) model is fitted for.

    >>> group_floor(CellRule(10)), group_floor(CellRule(40))
    (30, 40)
    """
    return max(rule.min_cell_size, MODEL_GROUP_FLOOR)


@dataclass(frozen=True)
class Gap:
    """One cause that keeps analyses of a study from running.

    Attributes
    ----------
    study:
        Study name.
    code:
        ``NO_ILB_USERS``, ``FEW_ILB_USERS``, ``FEW_CONTROLS``,
        ``CONSTANT_COVARIATE``, ``EMPTY_COVARIATE`` or ``CONDITIONS_NOT_ESTIMATED``.
    analyses:
        Keys of :data:`ANALYSES` that are not run.
    cause:
        Why, ``{"de": ..., "en": ...}``: the study field and the file columns
        concerned and what to check.

    Examples
    --------
    >>> gap = Gap("EAP", "NO_ILB_USERS", ("ilb_effects",), {"de": "niemand", "en": "nobody used iLB"})
    >>> gap.line
    'EAP: NO_ILB_USERS: not estimated: the iLB effects (conditional models) – nobody used iLB'
    """

    study: str
    code: str
    analyses: tuple[str, ...]
    cause: dict[str, str]

    @property
    def line(self) -> str:
        """The English one-line form (terminal, manifest warnings)."""
        return f"{self.study}: {self.code}: not estimated: {_joined([ANALYSES[a]['en'] for a in self.analyses], 'en')}" \
               f" – {self.cause['en']}"

    def affects(self, analysis: str) -> bool:
        """Whether the gap leaves out ``analysis`` (a key of :data:`ANALYSES`)."""
        return analysis in self.analyses


def gap_text(gap: Gap, lang: Lang, *, only: str | None = None, analyses: bool = True) -> str:
    """The report sentence of a gap: what was not estimated (all its analyses, ``only`` one, or none) and why.

    >>> gap = Gap("EAP", "NO_ILB_USERS", ("ilb_effects", "sensitivity"), {"de": "niemand nutzte die iLB",
    ...                                                                  "en": "nobody used iLB"})
    >>> gap_text(gap, "de")
    'Nicht geschätzt: die iLB-Effekte (konditionale Modelle) und die Sensitivitätsanalysen – niemand nutzte die iLB.'
    >>> gap_text(gap, "en", only="sensitivity")
    'Not estimated: the sensitivity analyses – nobody used iLB.'
    >>> gap_text(gap, "en", analyses=False)
    'Nobody used iLB.'
    """
    cause = gap.cause[lang]
    if not analyses:
        return cause[:1].upper() + cause[1:] + "."
    head = "Nicht geschätzt: " if lang == "de" else "Not estimated: "
    names = [ANALYSES[a][lang] for a in ((only,) if only is not None else gap.analyses)]
    return head + _joined(names, lang) + f" – {cause}."


def _joined(items: Sequence[str], lang: Lang) -> str:
    """``a, b und c`` / ``a, b and c``."""
    word = " und " if lang == "de" else " and "
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + word + items[-1]


def export_columns(study: Study, field: str, waves: Iterable[str] | None = None) -> tuple[list[str], str]:
    """The export column(s) and file(s) that hold study field ``field``: ``(["gender"], "eap_t1.csv, ...")``.

    Uses each wave's ``rename`` (the column as the survey tool wrote it).

    >>> from ilb_eval.study import load_study
    >>> export_columns(load_study("EAP"), "gender")
    (['gender'], 'eap_t1.csv, eap_t3.csv, eap_t4.csv')
    """
    names = set(waves) if waves is not None else set(study.wave_names)
    hits = [(w.export_name(field), w.file) for w in study.waves
            if w.name in names and w.table_schema.has_field(field)]
    columns = list(dict.fromkeys(c for c, _ in hits)) or [field]
    return columns, ", ".join(dict.fromkeys(f for _, f in hits))


def _quoted(names: Sequence[str], lang: Lang) -> str:
    """Names in the quotation marks of the language, separated by commas."""
    return ", ".join(f"„{n}“" if lang == "de" else f"'{n}'" for n in names)


def _declared(study: Study, key: str) -> bool:
    """Whether the study declares analyses among iLB users of kind ``key``."""
    if key == "feedback":
        return any(b.users_only for b in study.item_blocks.values())
    if key == "conditions":
        return study.has_ilb_details
    return True


def _use_source(study: Study) -> dict[str, str]:
    """Where iLB use is read from, in both languages (for the causes)."""
    use = study.ilb_use
    assert use is not None and use.field is not None
    waves = study.wave_names[: study.wave_names.index(str(use.up_to_wave)) + 1]
    columns, files = export_columns(study, use.field, waves)
    values = ", ".join(format_count(v, "en") if float(v).is_integer() else str(v) for v in use.used_values)
    return {"de": f"Feld „{use.field}“ der Studiendefinition, Spalte {_quoted(columns, 'de')} in {files}, Wert "
                  f"{values} bis Welle {use.up_to_wave}",
            "en": f"study field '{use.field}', column {_quoted(columns, 'en')} in {files}, value {values} up to wave "
                  f"{use.up_to_wave}"}


def _group_gaps(study: Study, panel: Panel, rule: CellRule) -> list[Gap]:
    wide = panel.wide
    users = int((wide["ilb"] == 1).sum())
    controls = int(wide.shape[0]) - users
    floor = group_floor(rule)
    source = _use_source(study)
    k = rule.min_cell_size
    model_analyses = ("ilb_effects", "group_comparison", "sensitivity")
    users_only = tuple(a for a in ("feedback", "conditions") if _declared(study, a))
    gaps = []
    if users == 0:
        gaps.append(Gap(study.name, "NO_ILB_USERS", model_analyses + users_only, {
            "de": f"keine Person gab an, die iLB genutzt zu haben ({source['de']})",
            "en": f"no person reported using iLB ({source['en']})"}))
    elif users < floor:
        if users < k:
            said = {"de": f"weniger als {format_count(k, 'de')} Personen gaben an, die iLB genutzt zu haben",
                    "en": f"fewer than {format_count(k, 'en')} persons reported using iLB"}
            left_out = model_analyses + users_only
        else:
            said = {"de": f"{format_count(users, 'de')} Personen gaben an, die iLB genutzt zu haben",
                    "en": f"{format_count(users, 'en')} persons reported using iLB"}
            left_out = model_analyses + tuple(a for a in users_only if a == "conditions")
        gaps.append(Gap(study.name, "FEW_ILB_USERS", left_out, {
            "de": f"{said['de']} ({source['de']}); Gruppenvergleiche brauchen mindestens "
                  f"{format_count(floor, 'de')} Personen je Gruppe",
            "en": f"{said['en']} ({source['en']}); group comparisons need at least {format_count(floor, 'en')} "
                  "persons per group"}))
    if controls < floor:
        said = ({"de": "alle Personen gaben an, die iLB genutzt zu haben", "en": "every person reported using iLB"}
                if controls == 0 else
                {"de": f"weniger als {format_count(k, 'de')} Personen gaben keine iLB-Nutzung an",
                 "en": f"fewer than {format_count(k, 'en')} persons did not report using iLB"} if controls < k else
                {"de": f"{format_count(controls, 'de')} Personen gaben keine iLB-Nutzung an",
                 "en": f"{format_count(controls, 'en')} persons did not report using iLB"})
        gaps.append(Gap(study.name, "FEW_CONTROLS", model_analyses, {
            "de": f"{said['de']} ({source['de']}); die Kontrollgruppe braucht mindestens "
                  f"{format_count(floor, 'de')} Personen",
            "en": f"{said['en']} ({source['en']}); the control group needs at least {format_count(floor, 'en')} "
                  "persons"}))
    return gaps


def covariate_gaps(study: Study, wide: pd.DataFrame) -> list[Gap]:
    """Control variables that are missing for everyone or take one value for everyone.

    The conditional models adjust for every covariate of the study; one that
    does not vary cannot be adjusted for, so those models are not fitted
    (rather than silently fitting another model than the one declared).
    """
    gaps = []
    for j, cov in enumerate(study.covariates):
        values = wide[cov.name].dropna() if cov.name in wide else pd.Series(dtype=float)
        if values.nunique() >= 2:
            continue
        columns, files = export_columns(study, cov.source)
        label = cov.label
        where = {"de": f"Spalte {_quoted(columns, 'de')} in {files}; Studiendefinition $.covariates[{j}]",
                 "en": f"column {_quoted(columns, 'en')} in {files}; study definition $.covariates[{j}]"}
        fix = {"de": "Spalte prüfen oder die Kontrollvariable aus $.covariates entfernen",
               "en": "check the column or remove the control variable from $.covariates"}
        if values.empty:
            code, said = "EMPTY_COVARIATE", {"de": "hat für keine Person einen gültigen Wert",
                                             "en": "has no valid value for any person"}
        else:
            code, said = "CONSTANT_COVARIATE", {"de": "hat für alle Personen denselben Wert",
                                                "en": "takes the same value for every person"}
        gaps.append(Gap(study.name, code, ("ilb_effects", "sensitivity"), {
            "de": f"die Kontrollvariable „{label['de']}“ {said['de']} ({where['de']}); {fix['de']}",
            "en": f"the control variable '{label['en']}' {said['en']} ({where['en']}); {fix['en']}"}))
    return gaps


def diagnose(study: Study, panel: Panel, rule: CellRule) -> tuple[Gap, ...]:
    """The gaps of a study before any model is fitted (empty for a study without control group).

    Examples
    --------
    >>> import dataclasses, warnings; warnings.simplefilter("ignore")
    >>> from ilb_eval.datasets import load_example_panel
    >>> from ilb_eval.study import load_study
    >>> panel = load_example_panel("EAP")
    >>> diagnose(load_study("EAP"), panel, CellRule(10))
    ()
    >>> nobody = dataclasses.replace(panel, wide=panel.wide.assign(ilb=0))
    >>> [(g.code, g.analyses[:2]) for g in diagnose(load_study("EAP"), nobody, CellRule(10))]
    [('NO_ILB_USERS', ('ilb_effects', 'group_comparison'))]
    """
    if not study.has_control_group or study.ilb_use is None or study.ilb_use.kind != "reported":
        return ()
    return tuple(_group_gaps(study, panel, rule) + covariate_gaps(study, panel.wide))


#: The analysis a model kind belongs to.
_KIND_ANALYSIS = {"conditional": "ilb_effects", "multigroup": "group_comparison",
                  "equal_intercepts": "group_comparison", "equal_slopes": "group_comparison",
                  "conditions": "conditions"}


def unexplained_skips(study: Study, records: Sequence[ModelRecord], gaps: Sequence[Gap],
                      rule: CellRule) -> list[Gap]:
    """Gaps for models that were not fitted although :func:`diagnose` found no cause for the whole study.

    That happens when a scale has too few persons with answers and all
    model variables (e.g. 35 iLB users, of whom 28 answered scale X and
    every control variable); one gap per analysis names the dimensions.
    """
    explained = {g.cause["en"] for g in gaps}
    found: dict[str, list[str]] = {}
    for record in records:
        analysis = _KIND_ANALYSIS.get(record.kind)
        if record.status != "skipped" or analysis is None or record.reason in explained:
            continue
        if record.dimension not in found.setdefault(analysis, []):
            found[analysis].append(record.dimension)
    out = []
    floor = format_count(group_floor(rule), "de")
    for analysis, dims in found.items():
        labels = {lang: ", ".join(study.scale(d).label[lang] for d in dims) for lang in ("de", "en")}
        if analysis == "conditions":
            fields = [str(v) for k, v in study.ilb_details.items() if k not in ("waves", "sessions")]
            cause = {"de": f"bei {labels['de']}: zu wenige iLB-Teilnehmende mit Angaben zu allen Bedingungen "
                           f"(Felder {_quoted(fields, 'de')}); je Modell sind mindestens {floor} nötig",
                     "en": f"in {labels['en']}: too few iLB participants answered every condition (fields "
                           f"{_quoted(fields, 'en')}); a model needs at least {floor}"}
        else:
            cause = {"de": f"bei {labels['de']}: weniger als {floor} Personen je Gruppe mit Antworten auf die Skala "
                           "und allen Modellvariablen",
                     "en": f"in {labels['en']}: fewer than {floor} persons per group with answers to the scale and "
                           "every model variable"}
        out.append(Gap(study.name, "MODEL_GROUP_TOO_SMALL", (analysis,), cause))
    return out
