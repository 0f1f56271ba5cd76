"""Members of the demo district: who they are, by the kind of branch they belong to.

Each member-holding organization has a *profile* (residents of a community, villagers,
staff of an enterprise, teachers …) that sets the odds for age, gender, education,
occupation and where the ID number was issued. The odds are tuned so the district as a whole
looks like Haishu's members: about 12% aged 30 or under and 29% aged 61 or over, about 30%
women (more among the young), about 58% with a college education or above (more among the
young), about 3% probationary and about 3% mobile.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from fengling.core.lib import idcard
from fengling.members.models import Education, Gender, Membership, MemberStatus, Occupation
from fengling.organizations.rules import add_years

from . import names

# Age bands (completed years on the as-of date) the profiles weight.
AGE_BANDS = ((19, 30), (31, 40), (41, 50), (51, 60), (61, 70), (71, 80), (81, 95))
# Share of women by age band, before a profile's shift.
FEMALE_BY_BAND = (0.46, 0.39, 0.32, 0.26, 0.21, 0.17, 0.14)
# Share with a college education or above by age band, before a profile's factor.
COLLEGE_BY_BAND = (0.94, 0.89, 0.78, 0.58, 0.38, 0.26, 0.15)
POSTGRADUATE_BY_BAND = (0.18, 0.12, 0.07, 0.03, 0.01, 0.01, 0.0)
BACHELOR_BY_BAND = (0.75, 0.65, 0.55, 0.45, 0.40, 0.40, 0.40)
# Below college: (senior high, junior high, primary) by band.
SCHOOL_BY_BAND = ((80, 20, 0), (70, 28, 2), (60, 36, 4), (55, 40, 5), (40, 42, 18),
                  (30, 40, 30), (25, 35, 40))
PROBATIONARY_BY_BAND = (0.15, 0.04, 0.01, 0.003, 0.0, 0.0, 0.0)
# 七一: many members were admitted on the Party's birthday.
JULY_FIRST_SHARE = 0.15


@dataclass(frozen=True)
class Profile:
    ages: tuple[float, ...]
    occupation: str  # which occupation rule applies (see `_occupation`)
    female: float = 0.0  # shift on the share of women
    college: float = 1.0  # factor on the share with college education
    postgraduate: float = 1.0
    rural: bool = False
    migrants: float = 0.05  # share registered outside Ningbo
    mobile: float = 0.03  # share of working-age members who are mobile (流动党员)
    unit_based: bool = False  # members work at the organization's own unit


PROFILES: dict[str, Profile] = {
    "community": Profile((8, 16, 21, 22, 16, 10, 7), "resident", mobile=0.05),
    "community_retired": Profile((0, 0, 0, 4, 42, 34, 20), "retired", female=0.06, college=0.9,
                                 mobile=0.0),
    "village": Profile((9, 14, 20, 23, 17, 10, 7), "village", female=-0.05, college=0.55,
                       rural=True, migrants=0.02, mobile=0.06),
    "enterprise": Profile((26, 37, 23, 12, 2, 0, 0), "enterprise", college=1.05, migrants=0.30,
                          mobile=0.06, unit_based=True),
    "business": Profile((28, 34, 22, 13, 3, 0, 0), "business", college=0.9, migrants=0.25,
                        mobile=0.06, unit_based=True),
    "organ": Profile((16, 27, 27, 28, 2, 0, 0), "public", college=1.4, postgraduate=1.3,
                     migrants=0.04, mobile=0.0, unit_based=True),
    "school": Profile((22, 30, 25, 22, 1, 0, 0), "public", female=0.28, college=1.4,
                      postgraduate=1.2, migrants=0.05, mobile=0.0, unit_based=True),
    "hospital": Profile((22, 30, 25, 22, 1, 0, 0), "public", female=0.25, college=1.4,
                        postgraduate=1.6, migrants=0.06, mobile=0.0, unit_based=True),
    "police": Profile((20, 30, 28, 22, 0, 0, 0), "public", female=-0.18, college=1.4,
                      migrants=0.03, mobile=0.0, unit_based=True),
    "retired_staff": Profile((0, 0, 0, 3, 45, 35, 17), "retired", female=0.05, college=1.5,
                             mobile=0.0, unit_based=True),
    "self_employed": Profile((8, 24, 31, 27, 8, 2, 0), "self_employed", college=0.55,
                             migrants=0.20, mobile=0.05, unit_based=True),
    "lawyer": Profile((30, 40, 20, 8, 2, 0, 0), "lawyer", female=0.06, college=1.4,
                      postgraduate=2.0, migrants=0.10, mobile=0.02, unit_based=True),
    "social": Profile((34, 34, 16, 10, 6, 0, 0), "social", female=0.10, college=1.1,
                      migrants=0.08, mobile=0.03, unit_based=True),
}

URBAN = names.Weighted(names.URBAN_AREAS)
RURAL = names.Weighted(names.RURAL_AREAS)
MIGRANT = names.Weighted(names.MIGRANT_AREAS)


@dataclass(slots=True)
class MemberRow:
    organization: object = field(repr=False)  # the generator's OrgRow
    name: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    id_number: str
    phone: str
    education: str
    occupation: str
    work_unit: str
    join_date: dt.date
    membership: str
    conversion_date: dt.date | None
    status: str
    pk: int | None = None
    # The Party group (党小组) of the home branch, an OrgRow, or None.
    party_group: object = field(default=None, repr=False)

    @property
    def is_full(self) -> bool:
        return self.membership == Membership.FULL

    def age_on(self, day: dt.date) -> int:
        return day.year - self.birth_date.year - (
            (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        )


class People:
    """Makes members, keeping ID numbers and phone numbers unique across the district."""

    def __init__(self, rng: random.Random, as_of: dt.date):
        self.rng = rng
        self.as_of = as_of
        self._id_keys: set[tuple[str, dt.date, int]] = set()
        self._phones: set[str] = set()

    # -- one member -------------------------------------------------------------------------

    def member(self, org, profile_name: str, unit: str, place: str) -> MemberRow:
        """A member of `org`; `unit` is the organization's own work unit, `place` its area
        (a village name, a community name) for members who live and work there."""
        rng, profile = self.rng, PROFILES[profile_name]
        band = rng.choices(range(len(AGE_BANDS)), weights=profile.ages)[0]
        age = rng.randint(*AGE_BANDS[band])
        probationary = rng.random() < PROBATIONARY_BY_BAND[band]
        if age < 20 and not probationary:
            age = 20
        birth = add_years(self.as_of, -age) - dt.timedelta(days=rng.randint(1, 364))
        female_share = min(0.9, max(0.03, FEMALE_BY_BAND[band] + profile.female))
        gender = Gender.FEMALE if rng.random() < female_share else Gender.MALE
        retire_age = 55 if gender == Gender.FEMALE else 60
        occupation = _occupation(rng, profile.occupation, age, retire_age)
        join_date, conversion = self._joined(birth, probationary)
        status = MemberStatus.NORMAL
        if occupation not in (Occupation.RETIREE, Occupation.STUDENT) or age < 70:
            draw = rng.random()
            if age < 60 and draw < profile.mobile:
                status = MemberStatus.MOBILE
            elif profile.mobile and draw > 0.9955:
                status = MemberStatus.LOST_CONTACT
        return MemberRow(
            organization=org,
            name=names.person_name(rng, gender, birth.year),
            gender=gender,
            ethnicity="汉族" if rng.random() > 0.006 else rng.choice(names.MINORITIES),
            birth_date=birth,
            id_number=self._id_number(profile, birth, gender),
            phone=self._phone(),
            education=self._education(profile, band),
            occupation=occupation,
            work_unit=_work_unit(rng, profile, occupation, unit, place),
            join_date=join_date,
            membership=Membership.PROBATIONARY if probationary else Membership.FULL,
            conversion_date=conversion,
            status=status,
        )

    def _joined(self, birth: dt.date, probationary: bool) -> tuple[dt.date, dt.date | None]:
        """Date of joining at 18 or later; full members converted one year later
        (党章 第七条), so they joined at least a year before the as-of date."""
        rng = self.rng
        earliest = add_years(birth, 18)
        if probationary:
            start = max(earliest, self.as_of - dt.timedelta(days=364))
            span = (self.as_of - dt.timedelta(days=1) - start).days
            return start + dt.timedelta(days=rng.randint(0, max(span, 0))), None
        latest = add_years(self.as_of, -1) - dt.timedelta(days=1)
        span = (latest - earliest).days
        # Most join in their twenties; some in mid-life.
        offset = int(rng.triangular(0, min(span, 40 * 365), min(span, 6 * 365)))
        joined = earliest + dt.timedelta(days=offset)
        july_first = dt.date(joined.year, 7, 1)
        if rng.random() < JULY_FIRST_SHARE and earliest <= july_first <= latest:
            joined = july_first
        return joined, add_years(joined, 1)

    def _education(self, profile: Profile, band: int) -> str:
        rng = self.rng
        if rng.random() < min(0.985, COLLEGE_BY_BAND[band] * profile.college):
            if rng.random() < POSTGRADUATE_BY_BAND[band] * profile.postgraduate:
                return Education.DOCTOR if rng.random() < 0.08 else Education.MASTER
            if rng.random() < BACHELOR_BY_BAND[band]:
                return Education.BACHELOR
            return Education.COLLEGE
        senior, junior, primary = SCHOOL_BY_BAND[band]
        return rng.choices(
            (Education.SENIOR_HIGH, Education.JUNIOR_HIGH, Education.PRIMARY),
            weights=(senior, junior, primary),
        )[0]

    def _id_number(self, profile: Profile, birth: dt.date, gender: str) -> str:
        """A valid GB 11643 number, unique: (area, birth date, sequence) is never reused."""
        rng = self.rng
        if rng.random() < profile.migrants:
            area = MIGRANT.pick(rng)
        else:
            area = (RURAL if profile.rural else URBAN).pick(rng)
        for _ in range(1000):
            sequence = rng.randint(1, 499)
            key = (area, birth, sequence * 2 + (gender == Gender.MALE))
            if key not in self._id_keys:
                self._id_keys.add(key)
                return idcard.build(area, birth, sequence, gender)
        raise AssertionError("no free ID sequence")  # 998 numbers per area and day

    def _phone(self) -> str:
        rng = self.rng
        while True:
            phone = f"{rng.choice(names.PHONE_PREFIXES)}{rng.randrange(10**8):08d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone


def _occupation(rng: random.Random, rule: str, age: int, retire_age: int) -> str:
    """Occupation category (it decides the dues rule) from the profile's rule and age."""
    o = Occupation
    if rule == "retired":
        return o.RELIEF if rng.random() < 0.01 else o.RETIREE
    if rule == "public":
        return o.RETIREE if age >= retire_age + 2 else o.IN_SERVICE
    if rule == "village":
        if age >= 60:
            return rng.choices((o.FARMER, o.RETIREE, o.RELIEF), weights=(74, 23, 3))[0]
        if age <= 22 and rng.random() < 0.45:
            return o.STUDENT
        return rng.choices(
            (o.FARMER, o.SELF_EMPLOYED, o.IN_SERVICE, o.ANNUAL_SALARY, o.UNEMPLOYED, o.RELIEF),
            weights=(40, 22, 30, 2, 5, 1),
        )[0]
    if rule == "resident":
        if age >= retire_age:
            return o.RELIEF if rng.random() < 0.02 else o.RETIREE
        if age <= 24 and rng.random() < 0.5:
            return o.STUDENT
        return rng.choices(
            (o.IN_SERVICE, o.ANNUAL_SALARY, o.SELF_EMPLOYED, o.UNEMPLOYED, o.RELIEF),
            weights=(58, 4, 22, 7, 2),
        )[0]
    if age >= retire_age + 3:
        return o.RETIREE
    weights = {
        "enterprise": ((o.IN_SERVICE, o.ANNUAL_SALARY, o.SELF_EMPLOYED), (78, 15, 7)),
        "business": ((o.IN_SERVICE, o.ANNUAL_SALARY, o.SELF_EMPLOYED), (60, 10, 30)),
        "self_employed": ((o.SELF_EMPLOYED, o.IN_SERVICE, o.UNEMPLOYED), (85, 10, 5)),
        "lawyer": ((o.IN_SERVICE, o.ANNUAL_SALARY, o.SELF_EMPLOYED), (60, 35, 5)),
        "social": ((o.IN_SERVICE, o.SELF_EMPLOYED, o.UNEMPLOYED), (84, 12, 4)),
    }[rule]
    return rng.choices(weights[0], weights=weights[1])[0]


def _work_unit(rng: random.Random, profile: Profile, occupation: str, unit: str,
               place: str) -> str:
    o = Occupation
    if occupation == o.STUDENT:
        return rng.choice(names.UNIVERSITIES)
    if occupation in (o.UNEMPLOYED, o.RELIEF):
        return ""
    if occupation == o.FARMER:
        return place
    if occupation == o.RETIREE:
        former = unit if profile.unit_based and unit else rng.choice(names.FORMER_EMPLOYERS)
        return f"{former}（退休）"
    if profile.unit_based and unit:
        return unit
    if occupation == o.SELF_EMPLOYED:
        return f"{place}个体经营" if place else "个体经营"
    if profile.rural and rng.random() < 0.5:
        return names.enterprise_name(rng)
    return rng.choice(names.EMPLOYERS)
