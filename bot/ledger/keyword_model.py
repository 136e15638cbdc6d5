"""The keyword layer: jieba tokens against the lexicon, clause by clause.

Per clause (split at punctuation other than 、 and at 但是/就是/不过…):

- a *problem term* (漏水, 吵架) counts unless a negation governs it: one shortly
  before it, reaching over a list ("暂无困难需求和意见建议", "没有A、B、C"), or a
  negation closing the clause after a list ("矛盾纠纷、安全隐患都没有");
- a *subject term* (路灯, 医保) says what the problem is about; it makes the clause
  a problem only when lacking ("没有路灯", "连个篮球场都没有") or when another
  cue in the clause says something is wrong ("学费有点紧");
- a subject is lacking after 没有/无 or before 都没有, not after a bare 不 ("不孤单"
  says a quality, not a lack);
- a clause holding a word that says things are fine (挺好, 解决了) drops bare cues
  ("问题都解决了" raises nothing);
- clauses with no evidence contribute nothing, so "没有矛盾，但是屋顶漏水" is a
  housing problem and "没什么困难，都挺好" is none;
- topic mixing: the clause with the strongest problem evidence gives the category at
  full weight, the others at :data:`OTHER_CLAUSE_WEIGHT`;
- phrase patterns (:data:`bot.ledger.lexicon.PATTERNS`: 跑了五趟, 生活很困难, 老伴走了)
  catch what single words miss; their label shows among the terms.

:meth:`KeywordModel.evidence` returns the scores; :mod:`bot.ledger.classify` combines
them with the learned layer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from bot.ledger.lexicon import PATTERNS, Lexicon, TopicHit

SCHEMES = ("changzhou", "chaihudian")
SUBJECT_ONLY_MIN = 2  # subject weight that makes a cue-less, non-positive text a problem
DISPUTE_CUE_MIN = 3  # 矛盾纠纷 cue weight that pulls the category to 平安治理
NEGATION_WINDOW = 4  # tokens between a negation and the term it cancels
OTHER_CLAUSE_WEIGHT = (
    1.0  # weight of the other clauses' categories (1.0: 5-fold CV found lower hurt)
)
CLAUSE_BREAKS = frozenset({"但是", "但", "不过", "就是", "只是", "可是", "然而", "只想"})
# Words joining the items of a list: a negation reaches over them.
LIST_JOINERS = frozenset({"和", "、", "跟", "与", "及", "以及", "或", "或者", "也", "还有", "或是"})
# A negation closing a clause after a list: "矛盾纠纷、安全隐患都没有".
CLOSING_NEGATIONS = frozenset({"没有", "都没有", "也没有", "都没", "均无", "都无", "没", "皆无"})
QUESTION = re.compile(r"[?？]|(?:吗|呢|么|嘛|了没有|了没|没有啊)[。！!~～]*$")

_PUNCT = re.compile(r"[，。；！？,.;!?…\s]+")


@dataclass(frozen=True)
class Evidence:
    """What the keywords say about one text.

    ``problem`` is the keyword layer's verdict; ``positive`` that some clause says
    things are fine; ``strength`` the summed evidence; the score tables are keyed by
    category (per scheme) and kind; ``terms`` the tokens and pattern labels that counted.
    """

    problem: bool
    positive: bool
    strength: float
    changzhou: dict[str, float]
    chaihudian: dict[str, float]
    kinds: dict[str, float]
    terms: tuple[str, ...]


class KeywordModel:
    """Scores texts with a :class:`Lexicon`; safe to share between threads."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon
        self._known = frozenset(lexicon.all_terms())
        self._topic_categories = {
            hit.topic: (hit.changzhou, hit.chaihudian)
            for hits in lexicon.topics.values()
            for hit in hits
        }
        # Words never split further: fixed answers and negations ("没问题" is not "问题").
        self._whole = (
            lexicon.ok_phrases
            | lexicon.negation_before
            | lexicon.negation_adjacent
            | lexicon.negation_after
        )

    def tokens(self, text: str) -> list[str]:
        """jieba tokens; a compound jieba keeps whole (腿疼了 → 腿疼) is split into known terms."""
        out: list[str] = []
        for tok in self.lex.tokenizer.lcut(text, HMM=False):
            if tok.strip():
                out.extend(self._expand(tok))
        return out

    def _expand(self, tok: str) -> list[str]:
        """Known terms inside an unknown token (臭水沟 → 水沟), longest first, else itself."""
        lex = self.lex
        if len(tok) < 2 or tok in self._known or tok in self._whole:
            return [tok]
        found: list[tuple[int, str]] = []
        i = 0
        while i < len(tok):
            for j in range(len(tok), i + 1, -1):
                if tok[i:j] in self._known:
                    found.append((i, tok[i:j]))
                    i = j - 1
                    break
            i += 1
        if not found and tok[-1] in self._known and tok[-1] not in lex.ok_phrases:
            found.append((len(tok) - 1, tok[-1]))
        return [t for _, t in found] or [tok]

    def clauses(self, text: str) -> list[tuple[list[str], bool]]:
        """Token lists per clause, each with whether a contrast word (但是…) opened it."""
        out: list[tuple[list[str], bool]] = []
        for part in _PUNCT.split(text):
            current: list[str] = []
            contrast = False
            for tok in self.tokens(part):
                if tok in CLAUSE_BREAKS:
                    if current:
                        out.append((current, contrast))
                    current, contrast = [], True
                    continue
                current.append(tok)
            if current:
                out.append((current, contrast))
        return out

    def _negated(self, clause: list[str], i: int) -> bool:
        """A negation before the term (within the window, which restarts at each list
        joiner), or one closing the clause after nothing but list items."""
        lex = self.lex
        if i > 0 and clause[i - 1] in lex.negation_adjacent:
            return True
        gap = 0
        for j in range(i - 1, -1, -1):
            tok = clause[j]
            if tok in lex.negation_before:
                return True
            gap = 0 if tok in LIST_JOINERS else gap + 1
            if gap >= NEGATION_WINDOW:
                break
        # "困难需求、意见建议都没有": a short clause closed by a negation.
        return clause[-1] in CLOSING_NEGATIONS and i < len(clause) - 1 <= 2 * NEGATION_WINDOW

    def tagged_tokens(self, text: str) -> list[tuple[str, bool]]:
        """Every token of ``text`` with whether a negation governs it (for the learned layer)."""
        return [
            (tok, self._negated(clause, i))
            for clause, _ in self.clauses(text)
            for i, tok in enumerate(clause)
        ]

    def _lacking(self, clause: list[str], i: int) -> bool:
        """A subject named as missing: 没有X / X都没有 / 连个X都没有."""
        lex = self.lex
        if any(t in lex.negation_before for t in clause[max(0, i - NEGATION_WINDOW) : i]):
            return True
        if i > 0 and clause[i - 1] in lex.negation_adjacent and clause[i - 1] != "不":
            return True  # 没再X; but 不孤单 / 不远 says a quality, not a lack
        return any(t in lex.negation_after for t in clause[i + 1 :])

    def _topic_hits(self, tok: str) -> tuple[TopicHit, ...]:
        """The listed term's hits; for an unlisted word, weak hits of its root characters
        (撬车门 → 撬 → security), one per topic."""
        lex = self.lex
        if tok in lex.topics:
            return lex.topics[tok]
        if tok in self._known or tok in self._whole:
            return ()
        seen: dict[str, TopicHit] = {}
        for ch in tok:
            for hit in lex.roots.get(ch, ()):
                seen.setdefault(hit.topic, hit)
        return tuple(seen.values())

    def _read_clause(self, clause: list[str], contrast: bool) -> _Clause:
        """Evidence, counted terms, subjects and kind cues of one clause."""
        lex = self.lex
        c = _Clause(contrast=contrast)
        for i, tok in enumerate(clause):
            negated = self._negated(clause, i)
            if tok in lex.ok_phrases:
                c.positive = True
            if tok in lex.cues:
                if negated:
                    c.positive = True
                else:
                    c.evidence += lex.cues[tok]
                    c.counted.append(tok)
            for kind, w in lex.kinds.get(tok, ()):
                if negated:
                    c.positive = True
                else:
                    c.evidence += w
                    c.kinds[kind] += w
                    c.counted.append(tok)
            for hit in self._topic_hits(tok):
                if hit.is_problem:
                    if negated:
                        c.positive = True
                    else:
                        c.evidence += hit.weight
                        c.counted.append(tok)
                        c.hits.append(hit)
                elif self._lacking(clause, i):
                    c.evidence += hit.weight
                    c.counted.append(tok)
                    c.hits.append(hit)
                else:
                    c.subjects.append(tok)
                    c.subject_hits.append(hit)
        if c.positive and not c.hits and not c.kinds:
            # "问题都解决了": a bare cue beside a word saying things are fine is no evidence.
            c.evidence = 0.0
            c.counted.clear()
        if contrast and c.subject_hits and not c.positive:
            # "没有矛盾，就是屋后化粪池满了": what follows 但是/就是 is the problem.
            c.evidence += 1
        return c

    def evidence(self, text: str) -> Evidence:
        """Score one text; see the module docstring for the rules."""
        clauses = [self._read_clause(toks, contrast) for toks, contrast in self.clauses(text)]
        evidence = sum(c.evidence for c in clauses)
        matched = [pat for pat in PATTERNS if pat.regex.search(text)]
        evidence += sum(pat.evidence for pat in matched)
        positive = any(c.positive for c in clauses)
        neutral = [c for c in clauses if c.evidence > 0 or not c.positive]
        subject_weight = sum(h.weight for c in neutral for h in c.subject_hits)
        problem = not (evidence <= 0 and (positive or subject_weight < SUBJECT_ONLY_MIN))
        scores: dict[str, dict[str, float]] = {s: defaultdict(float) for s in SCHEMES}
        kind_scores: dict[str, float] = defaultdict(float)
        terms: list[str] = []
        strongest = max(neutral, key=lambda c: c.evidence, default=None)
        for c in neutral:
            share = 1.0 if c is strongest else OTHER_CLAUSE_WEIGHT
            for kind, w in c.kinds.items():
                kind_scores[kind] += w
            for hit in c.hits + c.subject_hits:
                scores["changzhou"][hit.changzhou] += hit.weight * share
                scores["chaihudian"][hit.chaihudian] += hit.weight * share
                if hit.kind:
                    kind_scores[hit.kind] += hit.weight * 0.5
            terms.extend(t for t in c.counted + c.subjects if t not in terms)
        quarrel = sum(c.kinds.get("矛盾纠纷", 0.0) for c in neutral)
        boundary = any(h.topic == "boundary" for c in neutral for h in c.hits)
        if quarrel >= DISPUTE_CUE_MIN and not boundary:
            # Convention: a dispute counts as 平安治理 / 社会治安 whatever it is about.
            cz, chd = self._topic_categories["dispute"]
            scores["changzhou"][cz] += quarrel
            scores["chaihudian"][chd] += quarrel
        if QUESTION.search(text):
            kind_scores["政策咨询"] += 2
        for pat in matched:
            if pat.kind:
                kind_scores[pat.kind] += pat.kind_weight
            if pat.topic:
                cz, chd = self._topic_categories[pat.topic]
                scores["changzhou"][cz] += pat.weight
                scores["chaihudian"][chd] += pat.weight
            if pat.label and pat.label not in terms:
                terms.append(pat.label)
        return Evidence(
            problem=problem,
            positive=positive,
            strength=evidence,
            changzhou=dict(scores["changzhou"]),
            chaihudian=dict(scores["chaihudian"]),
            kinds=dict(kind_scores),
            terms=tuple(terms) if problem else (),
        )


@dataclass
class _Clause:
    contrast: bool
    evidence: float = 0.0
    positive: bool = False
    counted: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    hits: list[TopicHit] = field(default_factory=list)
    subject_hits: list[TopicHit] = field(default_factory=list)
    kinds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
