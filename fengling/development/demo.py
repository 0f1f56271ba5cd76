"""Demo candidates for `fengling seed`: a handful of files at every stage of the pipeline.

Written with bulk inserts after the district is loaded (a few dozen rows whatever the
scale), anchored on the seed's `as_of` date so the deadlines page always has something
upcoming and something missed. The dates obey every hard rule of `rules.py`; candidates
stop before admission (step 17), so no member record is created here.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from fengling.core.lib import crypto, idcard
from fengling.members.models import ACTIVE_STATUSES, Education, Member, Membership, Occupation
from fengling.organizations.kinds import OrgKind
from fengling.organizations.models import Organization

from . import steps as S
from .models import Candidate, Milestone

BRANCHES = 4
NAMES = ["陈思远", "林晓燕", "王浩然", "张雨欣", "刘子涵", "黄俊杰", "周佳怡", "吴宇航",
         "徐梦婷", "孙嘉豪", "胡欣怡", "朱文博", "高诗琪", "何俊熙", "郭雅静", "马天宇",
         "罗梓萱", "梁志强", "宋佳琪", "郑博文", "谢思彤", "韩子墨", "唐心怡", "冯浩宇"]

# Profiles: days before `as_of` of each step recorded (step 6 may be a list of reviews).
PROFILES: list[dict[int, int | tuple[int, ...]]] = [
    # An applicant: the talk falls due in 20 days.
    {1: 10},
    # An applicant whose talk is overdue.
    {1: 45},
    # An activist: next review due in 30 days, a development target in 35.
    {1: 400, 2: 390, 3: 330, 4: 325, 5: 325, 6: (150,)},
    # An activist never reviewed: overdue.
    {1: 460, 2: 450, 3: 420, 4: 415, 5: 415},
    # A development target in training.
    {1: 800, 2: 790, 3: 700, 4: 695, 5: 695, 6: (520, 340), 7: 300, 8: 295, 9: 290,
     10: 280, 11: 200},
    # Admitted by the branch meeting, waiting for approval (due in 12 days).
    {1: 900, 2: 890, 3: 850, 4: 845, 5: 845, 6: (700, 520), 7: 480, 8: 475, 9: 470,
     10: 200, 11: 400, 12: 150, 13: 140, 14: 130, 15: 80, 16: 70},
]


def seed_candidates(as_of: dt.date) -> int:
    """Add the demo candidates to the first branches that have two full members to
    sponsor them. Returns the number of candidates."""
    branches = list(
        Organization.objects.filter(kind=OrgKind.BRANCH)
        .annotate(full=Count("members", filter=Q(members__membership=Membership.FULL,
                                                 members__status__in=ACTIVE_STATUSES)))
        .filter(full__gte=2).order_by("path")[:BRANCHES]
    )
    sponsors: dict[int, list[int]] = {}
    for org_id, member_id in (Member.objects.filter(
            organization__in=branches, membership=Membership.FULL,
            status__in=ACTIVE_STATUSES).order_by("organization_id", "id")
            .values_list("organization_id", "id")):
        sponsors.setdefault(org_id, [])
        if len(sponsors[org_id]) < 2:
            sponsors[org_id].append(member_id)
    taken = set(Member.objects.values_list("id_number_digest", flat=True)
                .filter(id_number_masked__startswith="330206"))
    candidates, plans = [], []
    n = 0
    for branch in branches:
        for profile in PROFILES:
            name = NAMES[n % len(NAMES)]
            gender = "F" if n % 2 else "M"
            birth = dt.date(1996 + n % 8, 1 + n % 12, 1 + (n * 3) % 28)
            sequence = n
            while True:
                number = idcard.build("330206", birth, sequence, gender)
                if crypto.lookup_digest(number) not in taken:
                    break
                sequence += 1
            candidate = Candidate(
                organization=branch, name=name, gender=gender, birth_date=birth,
                phone=f"139{n:08d}", education=Education.BACHELOR,
                occupation=Occupation.IN_SERVICE, work_unit="",
            )
            candidate.set_id_number(number)
            candidate.set_search_keys()
            candidates.append(candidate)
            plans.append((branch, profile))
            n += 1
    candidates = Candidate.objects.bulk_create(candidates)
    milestones, sponsor_links = [], []
    for candidate, (_branch, profile) in zip(candidates, plans, strict=True):
        for step, days in profile.items():
            for offset in days if isinstance(days, tuple) else (days,):
                milestone = Milestone(
                    candidate=candidate, step=step, date=as_of - dt.timedelta(days=offset),
                    hours=32 if step == S.TRAINING else None,
                )
                milestones.append(milestone)
    milestones = Milestone.objects.bulk_create(milestones)
    through = Milestone.sponsors.through
    for milestone in milestones:
        if milestone.step == S.SPONSORS:
            branch_id = milestone.candidate.organization_id
            sponsor_links += [through(milestone_id=milestone.pk, member_id=member_id)
                              for member_id in sponsors[branch_id]]
    through.objects.bulk_create(sponsor_links)
    return len(candidates)
