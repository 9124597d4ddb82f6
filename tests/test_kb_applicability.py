"""knowledge.applicability: /apdung roles, their documents and main rights (references checked)."""

from __future__ import annotations

import pytest

from knowledge import Right, Status, load_knowledge_base
from knowledge.applicability import ROLE_IDS, applicable, guess_role, roles
from tests.kb_helpers import VALID, real_kb_missing

needs_real_kb = pytest.mark.skipif(real_kb_missing() is not None, reason=real_kb_missing() or "")


@needs_real_kb
def test_four_roles_in_order() -> None:
    kb = load_knowledge_base()
    assert tuple(r.id for r in roles(kb)) == ROLE_IDS


@needs_real_kb
@pytest.mark.parametrize(
    ("role", "old", "current"),
    [
        ("resident", ["34/2007/PL-UBTVQH11"], "10/2022/QH15"),
        ("public_servant", ["04/2015/NĐ-CP"], "10/2022/QH15"),
        ("worker", ["60/2013/NĐ-CP", "149/2018/NĐ-CP"], "145/2020/NĐ-CP"),
        ("commune_official", ["04/2015/NĐ-CP", "34/2007/PL-UBTVQH11"], "10/2022/QH15"),
    ],
)
def test_documents_of_each_role(role: str, old: list[str], current: str) -> None:
    kb = load_knowledge_base()
    answer = applicable(kb, role)
    assert [d.number for d in answer.old] == old
    assert current in [d.number for d in answer.current]
    for info in answer.old:
        if info.status is not None:  # a KB document: the old ones are no longer simply in force
            assert info.status is not Status.IN_FORCE
    # the four pillars, in order, each with article references that exist (the loader checked them)
    assert [kind for kind, _, _ in answer.rights] == list(Right)
    for _, text, refs in answer.rights:
        assert text and refs
        for ref in refs:
            if kb.document(ref.document) is not None:
                assert kb.article(ref.document, ref.article) is not None


@needs_real_kb
def test_commune_official_has_both_old_documents() -> None:
    kb = load_knowledge_base()
    assert {d.number for d in applicable(kb, "commune_official").old} == {"04/2015/NĐ-CP", "34/2007/PL-UBTVQH11"}


@needs_real_kb
@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("tôi là công nhân may", "worker"),
        ("toi la giao vien truong cong lap", "public_servant"),
        ("tôi là công chức xã", "commune_official"),
        ("nhà tôi ở thôn Nà Đon", "resident"),
        ("hôm nay trời đẹp", None),
    ],
)
def test_guess_role(text: str, role: str | None) -> None:
    found = guess_role(load_knowledge_base(), text)
    assert (found.id if found else None) == role


def test_unknown_role_raises() -> None:
    with pytest.raises(KeyError):
        applicable(load_knowledge_base(VALID), "astronaut")


def test_fixture_role() -> None:
    kb = load_knowledge_base(VALID)
    answer = applicable(kb, "resident")
    assert [d.label for d in answer.old] == ["Pháp lệnh 34/2007/PL-UBTVQH11"]
    assert answer.rights[0][0] is Right.PUBLIC
