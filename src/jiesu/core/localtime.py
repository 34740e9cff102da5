"""The office's time zone, defined once: Beijing time, the zone every period, deadline,
working day and imported time is read in (settings.TIME_ZONE says the same)."""

from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")
