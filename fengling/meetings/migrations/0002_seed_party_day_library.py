"""A few themes and templates for themed Party Days (主题党日), so the one button works on day
one. Administrators add their own; these can be switched off."""

import datetime as dt

from django.db import migrations

THEMES = [
    ("学习贯彻党的二十大精神", "集中学习党的二十大报告和党章，交流学习体会。"),
    ("重温入党誓词 过好政治生日", "重温入党誓词，为本月政治生日党员送上祝福。"),
    ("党员志愿服务进社区", "组织党员到社区开展志愿服务，居民点单、支部下单、党员接单。"),
    ("红色教育基地参观学习", "参观红色教育基地，接受革命传统教育。"),
]

TEMPLATES = [
    {
        "name": "标准主题党日（学习型）",
        "agenda": "1. 重温入党誓词\n2. 集中学习\n3. 交流发言\n4. 缴纳党费\n5. 支部书记小结",
        "materials": "学习材料、党旗、签到二维码",
        "checklist": "提前三天发布通知\n准备学习材料\n现场扫码签到\n拍摄活动照片\n整理会议记录",
        "start_time": dt.time(9, 0),
        "duration_minutes": 120,
        "place": "党群服务中心",
    },
    {
        "name": "志愿服务型主题党日",
        "agenda": "1. 集合签到\n2. 分组开展志愿服务\n3. 总结交流",
        "materials": "志愿者马甲、服务清单",
        "checklist": "对接服务需求\n分组并明确组长\n扫码签到\n记录服务时长\n上传照片",
        "start_time": dt.time(14, 0),
        "duration_minutes": 180,
        "place": "社区广场",
    },
]


def seed(apps, schema_editor):
    Theme = apps.get_model("meetings", "PartyDayTheme")
    Template = apps.get_model("meetings", "PartyDayTemplate")
    for title, summary in THEMES:
        Theme.objects.get_or_create(title=title, defaults={"summary": summary})
    for fields in TEMPLATES:
        Template.objects.get_or_create(name=fields["name"], defaults=fields)


def unseed(apps, schema_editor):
    apps.get_model("meetings", "PartyDayTheme").objects.filter(
        title__in=[t for t, _s in THEMES], meetings__isnull=True, pushes__isnull=True).delete()
    apps.get_model("meetings", "PartyDayTemplate").objects.filter(
        name__in=[t["name"] for t in TEMPLATES], meetings__isnull=True,
        pushes__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_meetings_themes_attendance")]

    operations = [migrations.RunPython(seed, unseed)]
