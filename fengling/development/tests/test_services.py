"""Development services: records, the hard rules they refuse, admission and conversion."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from fengling.core.models import AuditEntry
from fengling.development import services
from fengling.development.models import Candidate, Milestone
from fengling.members.models import Member, Membership
from fengling.testing.factories import MemberFactory, make_id_number

from .factories import BIRTH, STEP_DATES, TODAY, make_candidate, record_until

pytestmark = pytest.mark.django_db
D = dt.date


def sponsors(cast):
    return [cast.member_a, cast.secretary_a_member]


def test_create_records_the_application_and_encrypts_the_id_number(cast):
    id_number = make_id_number(BIRTH, "M")
    candidate = services.candidate_create(
        cast.branch_secretary, organization=cast.branch_a, id_number=id_number,
        applied_on=D(2026, 1, 5), name="张小明", gender="M", birth_date=BIRTH,
        education="bachelor", occupation="in_service", today=TODAY,
    )
    assert candidate.id_number_masked == f"{id_number[:6]}********{id_number[14:]}"
    assert id_number not in candidate.id_number_cipher
    assert (candidate.name_pinyin, candidate.name_initials) == ("zhangxiaoming", "zxm")
    assert list(candidate.milestones.values_list("step", "date")) == [(1, D(2026, 1, 5))]
    assert AuditEntry.objects.filter(action="development.candidate.create").count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM development_candidate")
        assert id_number not in repr(cursor.fetchall())


def test_an_applicant_under_18_is_refused_and_nothing_is_stored(cast):
    with pytest.raises(ValidationError) as exc:
        make_candidate(cast.branch_secretary, cast.branch_a, birth_date=D(2008, 1, 11),
                       applied_on=D(2026, 1, 10))
    assert "applied_on" in exc.value.message_dict
    assert not Candidate.objects.exists()
    # On the 18th birthday it is accepted.
    make_candidate(cast.branch_secretary, cast.branch_a, birth_date=D(2008, 1, 10),
                   applied_on=D(2026, 1, 10))


def test_id_number_must_match_and_be_unique_among_candidates_and_members(cast):
    with pytest.raises(ValidationError) as exc:
        services.candidate_create(
            cast.branch_secretary, organization=cast.branch_a,
            id_number=make_id_number(D(1990, 1, 1), "M"), applied_on=D(2026, 1, 5),
            name="甲", gender="F", birth_date=BIRTH, education="bachelor",
            occupation="in_service", today=TODAY)
    assert set(exc.value.message_dict) >= {"birth_date", "gender"}
    with pytest.raises(ValidationError) as exc:
        services.candidate_create(
            cast.branch_secretary, organization=cast.branch_a,
            id_number=cast.member_a.reveal_id_number(), applied_on=D(2026, 1, 5),
            name="乙", gender=cast.member_a.gender, birth_date=cast.member_a.birth_date,
            education="bachelor", occupation="in_service", today=TODAY)
    assert "已有党员使用此身份证号码。" in exc.value.message_dict["id_number"]


def test_outside_or_read_only_organizations_are_refused(cast):
    for user in (cast.outsider_secretary, cast.auditor):
        with pytest.raises(ValidationError):
            make_candidate(user, cast.branch_a)
    with pytest.raises(ValidationError):
        make_candidate(cast.district_admin, cast.street1)  # a street


def test_steps_need_their_requirements_and_dates_in_order(cast):
    candidate = make_candidate(cast.branch_secretary, cast.branch_a)
    with pytest.raises(ValidationError) as exc:
        services.milestone_record(cast.branch_secretary, candidate, step=3,
                                  date=D(2024, 3, 1), today=TODAY)
    assert "step" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.milestone_record(cast.branch_secretary, candidate, step=2,
                                  date=D(2024, 1, 9), today=TODAY)
    assert "date" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.milestone_record(cast.branch_secretary, candidate, step=2,
                                  date=TODAY + dt.timedelta(days=1), today=TODAY)
    services.milestone_record(cast.branch_secretary, candidate, step=2, date=D(2024, 3, 1),
                              today=TODAY)  # late, but recorded
    with pytest.raises(ValidationError):
        services.milestone_record(cast.branch_secretary, candidate, step=2,
                                  date=D(2024, 3, 2), today=TODAY)
    assert candidate.milestones.count() == 2


def test_development_target_only_after_a_year_as_activist(cast):
    candidate = record_until(cast.branch_secretary,
                             make_candidate(cast.branch_secretary, cast.branch_a), 6)
    with pytest.raises(ValidationError) as exc:
        services.milestone_record(cast.branch_secretary, candidate, step=7,
                                  date=D(2025, 2, 28), today=TODAY)
    assert "2025-03-01" in exc.value.message_dict["date"][0]
    services.milestone_record(cast.branch_secretary, candidate, step=7, date=D(2025, 3, 1),
                              today=TODAY)


def test_sponsors_must_be_two_full_members_of_the_branch(cast):
    candidate = record_until(cast.branch_secretary,
                             make_candidate(cast.branch_secretary, cast.branch_a), 7)
    probationary = MemberFactory(organization=cast.branch_a, membership=Membership.PROBATIONARY,
                                 conversion_date=None, join_date=D(2025, 1, 1))
    for bad in ([cast.member_a], [cast.member_a, cast.member_a],
                [cast.member_a, probationary], [cast.member_a, cast.member_a2]):
        with pytest.raises(ValidationError) as exc:
            services.milestone_record(cast.branch_secretary, candidate, step=9,
                                      date=D(2025, 3, 10), sponsors=bad, today=TODAY)
        assert "sponsors" in exc.value.message_dict
    milestone = services.milestone_record(cast.branch_secretary, candidate, step=9,
                                          date=D(2025, 3, 10), sponsors=sponsors(cast),
                                          today=TODAY)
    assert set(milestone.sponsors.all()) == set(sponsors(cast))


def test_no_committee_review_without_24_hours_of_training(cast):
    candidate = record_until(cast.branch_secretary,
                             make_candidate(cast.branch_secretary, cast.branch_a), 10,
                             sponsors=sponsors(cast))
    services.milestone_record(cast.branch_secretary, candidate, step=11, date=D(2025, 4, 1),
                              hours=23, today=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.milestone_record(cast.branch_secretary, candidate, step=12,
                                  date=D(2025, 5, 6), today=TODAY)
    assert "24" in exc.value.message_dict["step"][0]


def test_admission_creates_the_probationary_member(cast):
    candidate = record_until(cast.branch_secretary,
                             make_candidate(cast.branch_secretary, cast.branch_a, name="钱七"),
                             16, sponsors=sponsors(cast))
    assert candidate.member is None
    services.candidate_admit(cast.branch_secretary, candidate, date=D(2025, 7, 1), today=TODAY)
    candidate.refresh_from_db()
    member = candidate.member
    assert member.membership == Membership.PROBATIONARY
    assert member.join_date == STEP_DATES[15]  # the branch meeting
    assert member.conversion_date is None
    assert member.organization == cast.branch_a
    assert member.id_number_digest == candidate.id_number_digest
    assert member.reveal_id_number() == candidate.member.reveal_id_number()
    assert (member.name_pinyin, member.name_initials) == ("qianqi", "qq")
    assert AuditEntry.objects.filter(action="member.create", object_id=str(member.pk)).exists()


def test_admission_later_than_six_months_is_refused(cast):
    candidate = record_until(cast.branch_secretary,
                             make_candidate(cast.branch_secretary, cast.branch_a), 16,
                             sponsors=sponsors(cast))
    with pytest.raises(ValidationError):
        services.milestone_record(cast.branch_secretary, candidate, step=17,
                                  date=D(2025, 12, 2), today=TODAY)
    assert not Member.objects.filter(name=candidate.name).exists()
    # Between 3 and 6 months: recorded, and the rule shows it missed.
    services.milestone_record(cast.branch_secretary, candidate, step=17, date=D(2025, 12, 1),
                              today=TODAY)
    assert Candidate.objects.get(pk=candidate.pk).member is not None


def test_conversion_vote_not_before_probation_ends_and_conversion_updates_the_member(cast):
    candidate = record_until(cast.branch_secretary,
                             make_candidate(cast.branch_secretary, cast.branch_a), 22,
                             sponsors=sponsors(cast))
    with pytest.raises(ValidationError) as exc:
        services.milestone_record(cast.branch_secretary, candidate, step=23,
                                  date=D(2026, 5, 31), today=TODAY)
    assert "2026-06-01" in exc.value.message_dict["date"][0]
    services.milestone_record(cast.branch_secretary, candidate, step=23, date=D(2026, 6, 1),
                              today=TODAY)
    services.candidate_convert(cast.branch_secretary, candidate, date=D(2026, 7, 1),
                               today=TODAY)
    member = Member.objects.get(pk=candidate.member_id)
    assert member.membership == Membership.FULL
    assert member.conversion_date == D(2026, 6, 1)  # 党龄 from the end of probation
    entry = AuditEntry.objects.get(action="member.update", object_id=str(member.pk))
    assert entry.data["changes"]["membership"] == ["probationary", "full"]


@time_machine.travel(dt.datetime(2026, 12, 31, 12, tzinfo=dt.UTC), tick=False)
def test_an_extension_moves_the_end_of_probation_and_happens_once(cast):
    candidate = record_until(cast.branch_secretary,
                             make_candidate(cast.branch_secretary, cast.branch_a), 22,
                             sponsors=sponsors(cast))
    for months in (5, 13):
        with pytest.raises(ValidationError) as exc:
            services.probation_extend(cast.branch_secretary, candidate,
                                      decided_on=D(2026, 6, 1), months=months, reason="x",
                                      today=TODAY)
        assert "months" in exc.value.message_dict
    services.probation_extend(cast.branch_secretary, candidate, decided_on=D(2026, 6, 1),
                              months=6, reason="考察期表现需进一步观察", today=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.probation_extend(cast.branch_secretary, candidate, decided_on=D(2026, 6, 2),
                                  months=6, reason="again", today=TODAY)
    assert "只能延长一次" in exc.value.message_dict["__all__"][0]
    with pytest.raises(ValidationError) as exc:
        services.milestone_record(cast.branch_secretary, candidate, step=23,
                                  date=D(2026, 11, 30), today=D(2026, 12, 31))
    assert "2026-12-01" in exc.value.message_dict["date"][0]
    services.milestone_record(cast.branch_secretary, candidate, step=23, date=D(2026, 12, 1),
                              today=D(2026, 12, 31))
    services.candidate_convert(cast.branch_secretary, candidate, date=D(2026, 12, 20),
                               today=D(2026, 12, 31))
    assert Member.objects.get(pk=candidate.member_id).conversion_date == D(2026, 12, 1)


def test_withdrawn_candidates_take_no_more_steps(cast):
    candidate = make_candidate(cast.branch_secretary, cast.branch_a)
    with pytest.raises(ValidationError):
        services.candidate_withdraw(cast.branch_secretary, candidate, date=D(2024, 2, 1),
                                    reason="  ", today=TODAY)
    services.candidate_withdraw(cast.branch_secretary, candidate, date=D(2024, 2, 1),
                                reason="本人撤回申请", today=TODAY)
    with pytest.raises(ValidationError):
        services.milestone_record(cast.branch_secretary, candidate, step=2,
                                  date=D(2024, 2, 2), today=TODAY)
    assert Milestone.objects.filter(candidate=candidate).count() == 1


def test_update_keeps_the_id_number_consistent(cast):
    candidate = make_candidate(cast.branch_secretary, cast.branch_a)
    with pytest.raises(ValidationError) as exc:
        services.candidate_update(cast.branch_secretary, candidate, gender="F", today=TODAY)
    assert "gender" in exc.value.message_dict
    services.candidate_update(cast.branch_secretary, candidate, name="周八", phone="1", today=TODAY)
    candidate.refresh_from_db()
    assert (candidate.name, candidate.name_initials) == ("周八", "zb")


def test_an_admitted_candidates_record_is_changed_on_the_member_record(cast):
    candidate = record_until(cast.branch_secretary,
                             make_candidate(cast.branch_secretary, cast.branch_a), 17,
                             sponsors=sponsors(cast))
    with pytest.raises(ValidationError) as exc:
        services.candidate_update(cast.branch_secretary, candidate, name="改名", today=TODAY)
    assert "__all__" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.candidate_withdraw(cast.branch_secretary, candidate, date=TODAY,
                                    reason="x", today=TODAY)
